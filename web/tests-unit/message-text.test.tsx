// Unit tests of src/untrusted/message-text.tsx, rendered to HTML strings: hostile text stays
// text, a link is a button until expanded, and only the expanded view holds the anchor.

import assert from "node:assert/strict";
import { test } from "node:test";
import { renderToString } from "preact-render-to-string";
import { assess, segment, type Link } from "../src/untrusted/links";
import { LinkView, MessageText } from "../src/untrusted/message-text";

const PRACTICE = "alcove-practice.example";

function message(text: string): string {
  return renderToString(<MessageText text={text} practiceHost={PRACTICE} />);
}

/** The link view of the first link in `text`, expanded or not. */
function linkView(text: string, expanded: boolean): string {
  const link = segment(text).find((s): s is Link => s.kind === "link");
  assert.ok(link !== undefined, `no link in ${JSON.stringify(text)}`);
  return renderToString(
    <LinkView link={link} warnings={assess(link, PRACTICE)} expanded={expanded} detailsId="details-1" onToggle={() => undefined} />,
  );
}

/** The elements of rendered HTML with their attribute names. A "<" in text is escaped by the
 * renderer, so every literal "<" opens a real element. */
function elementsOf(html: string): { name: string; attributes: string[] }[] {
  return [...html.matchAll(/<([a-z][a-z0-9-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/giu)].map((m) => ({
    name: (m[1] ?? "").toLowerCase(),
    attributes: [...(m[2] ?? "").matchAll(/\s+([^\s=>]+)/gu)].map((a) => (a[1] ?? "").toLowerCase()),
  }));
}

const INERT_ELEMENTS = new Set(["div", "span", "button", "p", "code", "ul", "li"]);

/** Only the component's own plain elements, no event handler, nothing that loads or navigates. */
function assertInert(html: string): void {
  const elements = elementsOf(html);
  assert.equal(elements.length, (html.match(/</gu) ?? []).length - (html.match(/<\//gu) ?? []).length, html);
  for (const { name, attributes } of elements) {
    assert.ok(INERT_ELEMENTS.has(name), `unexpected <${name}> in ${html}`);
    for (const attribute of attributes) {
      assert.ok(!attribute.startsWith("on") && attribute !== "href" && attribute !== "src", `unexpected ${attribute}= in ${html}`);
    }
  }
}

test("HTML and script in a message render as their characters", () => {
  for (const text of [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="https://evil.net">click</a>',
    "<svg onload=alert(1)>",
    "&lt;b&gt; and &amp;",
  ]) {
    const html = message(text);
    assertInert(html);
    assert.ok(html.startsWith('<div class="message-text">'), html);
  }
  assert.equal(message("<script>alert(1)</script>"), '<div class="message-text">&lt;script>alert(1)&lt;/script></div>');
  assert.equal(message("&lt;b&gt;"), '<div class="message-text">&amp;lt;b&amp;gt;</div>');
});

test("a link is a collapsed button, not an anchor", () => {
  const html = message("see https://evil.net/login?next=1 now");
  assertInert(html);
  assert.match(html, /<button type="button" class="untrusted-link" aria-expanded="false" aria-controls="[^"]+">/u);
  assert.match(html, /link: evil\.net… \(show\)/u);
  // The full address is not shown until the reader asks.
  assert.doesNotMatch(html, /login\?next/u);
  // The region the button controls exists, hidden and empty.
  const id = /aria-controls="([^"]+)"/u.exec(html)?.[1];
  assert.ok(id !== undefined);
  assert.ok(html.includes(`<div id="${id}" class="untrusted-link-details" hidden></div>`), html);
});

test("each link controls its own region", () => {
  const html = message("https://a.example and https://b.example");
  const ids = [...html.matchAll(/aria-controls="([^"]+)"/gu)].map((m) => m[1]);
  assert.equal(ids.length, 2);
  assert.notEqual(ids[0], ids[1]);
});

test("the words of a Markdown link are text, and hostile words stay inert", () => {
  const html = message("[<img src=x onerror=alert(1)>](https://evil.net)");
  assertInert(html);
  assert.match(html, /<span class="untrusted-link-words">&lt;img src=x onerror=alert\(1\)><\/span>/u);
  assert.match(html, /link: evil\.net…/u);
});

test("a warned link says so before it is expanded", () => {
  const html = message("https://xn--pypal-4ve.com");
  assert.match(html, /class="untrusted-link untrusted-link-warned"/u);
  assert.match(html, /2 warnings/u);
  assert.match(html, /link: xn--pypal-4ve\.com…/u);
  assertInert(html);
});

test("expanded: the full address, warnings as an alert, then a safe anchor", () => {
  const html = linkView("https://xn--pypal-4ve.com/signin", true);
  assert.match(html, /aria-expanded="true" aria-controls="details-1"/u);
  assert.match(html, /<div id="details-1" class="untrusted-link-details">/u);
  assert.match(html, /Full address: <code>https:\/\/xn--pypal-4ve\.com\/signin<\/code>/u);
  assert.match(html, /<div role="alert" class="untrusted-link-warnings">/u);
  assert.match(html, /looks like “pаypal\.com” but its real form is “xn--pypal-4ve\.com”/u);
  assert.match(html, /\(hide\)/u);
  const anchor = /<a [^>]*>/u.exec(html)?.[0] ?? "";
  assert.match(anchor, /href="https:\/\/xn--pypal-4ve\.com\/signin"/u);
  assert.match(anchor, /target="_blank"/u);
  assert.match(anchor, /rel="noopener noreferrer nofollow"/u);
  assert.match(anchor, /referrerpolicy="no-referrer"/u);
});

test("expanded: a link that differs from its words warns about both", () => {
  const html = linkView("[https://alcove-practice.example](https://evil.net)", true);
  assert.match(html, /role="alert"/u);
  assert.match(html, /The link's text shows alcove-practice\.example, but it goes to evil\.net\./u);
});

test("expanded: no alert for an ordinary link, but no promise either", () => {
  const html = linkView("https://alcove-practice.example/inbox", true);
  assert.doesNotMatch(html, /role="alert"/u);
  assert.match(html, /No warning signs found, which is not a promise/u);
  assert.match(html, /<a [^>]*href="https:\/\/alcove-practice\.example\/inbox"/u);
});

test("collapsed: no anchor even for an ordinary link", () => {
  const html = linkView("https://alcove-practice.example/inbox", false);
  assertInert(html);
  assert.match(html, /aria-expanded="false"/u);
});

test("expanded: a javascript: link never becomes an anchor", () => {
  for (const text of ["[x](javascript:alert(1))", "[x](data:text/html,<script>alert(1)</script>)"]) {
    const html = linkView(text, true);
    assertInert(html);
    assert.match(html, /role="alert"/u);
    assert.match(html, /Alcove does not open this kind of link\./u);
  }
  assert.match(linkView("[x](javascript:alert(1))", false), /link: javascript:…/u);
});
