// Unit tests of src/untrusted/links.ts: how messages split into text and links, and which
// warnings each link earns. One `check…` helper per function, many one-line cases.

import assert from "node:assert/strict";
import { test } from "node:test";
import { domainToUnicode } from "node:url";
import {
  assess,
  decodeHost,
  decodePunycode,
  editDistance,
  mixedScripts,
  segment,
  skeleton,
  type Link,
  type WarningKind,
} from "../src/untrusted/links";

const PRACTICE = "alcove-practice.example";

/** A segment as the cases write it: text as a string, a link as its href (null: never linkable)
 * and, for Markdown links, the sender's words. */
type Expected = string | { href: string | null; label?: string };

function checkSegments(text: string, expected: Expected[]): void {
  const segments = segment(text);
  const actual: Expected[] = segments.map((s) =>
    s.kind === "text" ? s.text : s.label === null ? { href: s.href } : { href: s.href, label: s.label },
  );
  assert.deepEqual(actual, expected, `segments of ${JSON.stringify(text)}`);
  // Nothing is lost or added: the segments spell the message.
  assert.equal(segments.map((s) => (s.kind === "text" ? s.text : s.source)).join(""), text);
}

function firstLink(text: string): Link {
  const link = segment(text).find((s): s is Link => s.kind === "link");
  assert.ok(link !== undefined, `no link found in ${JSON.stringify(text)}`);
  return link;
}

function checkWarnings(text: string, expected: WarningKind[], practiceHost = PRACTICE): void {
  const kinds = assess(firstLink(text), practiceHost).map((w) => w.kind);
  assert.deepEqual(kinds.sort(), [...expected].sort(), `warnings for ${JSON.stringify(text)} (practice ${practiceHost})`);
}

function messageOf(text: string, kind: WarningKind, practiceHost = PRACTICE): string {
  const warning = assess(firstLink(text), practiceHost).find((w) => w.kind === kind);
  assert.ok(warning !== undefined, `no ${kind} warning for ${JSON.stringify(text)}`);
  return warning.message;
}

test("segment: text without links stays one text segment", () => {
  checkSegments("", []);
  checkSegments("See you on Tuesday.", ["See you on Tuesday."]);
  checkSegments("<script>alert(1)</script>", ["<script>alert(1)</script>"]);
  checkSegments("<img src=x onerror=alert(1)>", ["<img src=x onerror=alert(1)>"]);
  checkSegments("javascript:alert(1)", ["javascript:alert(1)"]);
  checkSegments("e.g. 1.5 mg, file.txt", ["e.g. 1.5 mg, file.txt"]);
  checkSegments("write to someone@www.example.org", ["write to someone@www.example.org"]);
  checkSegments("https:// and www. alone", ["https:// and www. alone"]);
  checkSegments("[1](2) and [notes](see below)", ["[1](2) and [notes](see below)"]);
});

test("segment: bare addresses", () => {
  checkSegments("https://alcove-practice.example", [{ href: "https://alcove-practice.example/" }]);
  checkSegments("see https://a.example/x.", ["see ", { href: "https://a.example/x" }, "."]);
  checkSegments("(www.example.org)", ["(", { href: "https://www.example.org/" }, ")"]);
  checkSegments("HTTPS://EXAMPLE.COM/Path", [{ href: "https://example.com/Path" }]);
  checkSegments("https://en.wikipedia.org/wiki/Foo_(bar)", [{ href: "https://en.wikipedia.org/wiki/Foo_(bar)" }]);
  checkSegments("“https://a.example/”, then", ["“", { href: "https://a.example/" }, "”, then"]);
  checkSegments("a http://x.example b https://y.example/?q=1#f c", [
    "a ",
    { href: "http://x.example/" },
    " b ",
    { href: "https://y.example/?q=1#f" },
    " c",
  ]);
  checkSegments("https://раypal.com", [{ href: "https://xn--ypal-43d9g.com/" }]);
  checkSegments("line one\nhttps://a.example\nline three", ["line one\n", { href: "https://a.example/" }, "\nline three"]);
});

test("segment: Markdown links keep the sender's words apart from the target", () => {
  checkSegments("[Click here](https://evil.net)", [{ href: "https://evil.net/", label: "Click here" }]);
  checkSegments("go [here]( https://a.example/x ) now", ["go ", { href: "https://a.example/x", label: "here" }, " now"]);
  checkSegments("[https://alcove-practice.example](https://evil.net)", [
    { href: "https://evil.net/", label: "https://alcove-practice.example" },
  ]);
  checkSegments("[site](www.example.org)", [{ href: "https://www.example.org/", label: "site" }]);
  // A target that is not a web address is a link that never opens.
  checkSegments("[x](javascript:alert(1))", [{ href: null, label: "x" }]);
  checkSegments("[x](data:text/html,<script>alert(1)</script>)", [{ href: null, label: "x" }]);
  checkSegments("[x](file:///etc/passwd)", [{ href: null, label: "x" }]);
  checkSegments("[<img src=x onerror=alert(1)>](https://evil.net)", [
    { href: "https://evil.net/", label: "<img src=x onerror=alert(1)>" },
  ]);
  // Not a Markdown link, but its words hold an address.
  checkSegments("[see www.a.example](notes)", ["[see ", { href: "https://www.a.example/" }, "](notes)"]);
});

test("segment: the target of a non-web link is kept as written", () => {
  const link = firstLink("[x](javascript:alert(1))");
  assert.equal(link.target, "javascript:alert(1)");
  assert.equal(link.scheme, "javascript:");
  assert.equal(link.host, "");
});

test("assess: ordinary links earn no warning", () => {
  checkWarnings("https://alcove-practice.example/inbox", []);
  checkWarnings("https://www.alcove-practice.example", []);
  checkWarnings("https://help.alcove-practice.example/faq", []);
  checkWarnings("https://www.nhs.uk/mental-health/", []);
  checkWarnings("see https://example.org/a?b=c.", []);
  checkWarnings("http://www.example.com", []);
  checkWarnings("[https://alcove-practice.example](https://alcove-practice.example/)", []);
  checkWarnings("[www.example.org/help](https://example.org/help)", []);
  checkWarnings("https://calendar.other.org/book", [], "alcove.example.org");
});

test("assess: visible text that differs from the target", () => {
  checkWarnings("[https://alcove-practice.example](https://evil.net)", ["text-mismatch"]);
  checkWarnings("[Log in at alcove-practice.example](https://evil.net/login)", ["text-mismatch"]);
  checkWarnings("[Click here](https://evil.net)", ["labelled"]);
  assert.equal(
    messageOf("[https://alcove-practice.example](https://evil.net)", "text-mismatch"),
    "The link's text shows alcove-practice.example, but it goes to evil.net.",
  );
});

test("assess: punycode shows both the look-alike and the real form", () => {
  // "pаypal" with a Cyrillic а: both encoded and a mix of alphabets.
  checkWarnings("https://xn--pypal-4ve.com", ["punycode", "mixed-script"]);
  const message = messageOf("https://xn--pypal-4ve.com", "punycode");
  assert.match(message, /pаypal\.com/u);
  assert.match(message, /xn--pypal-4ve\.com/u);
  // A genuine international name is still encoded; the reader sees how.
  checkWarnings("https://münchen.de", ["punycode"]);
  assert.match(messageOf("https://münchen.de", "punycode"), /münchen\.de.*xn--mnchen-3ya\.de/u);
});

test("assess: mixed alphabets within one name", () => {
  checkWarnings("https://раypal.com", ["punycode", "mixed-script"]);
  assert.match(messageOf("https://раypal.com", "mixed-script"), /Cyrillic and Latin/u);
  checkWarnings("https://xn--wgv71a119e.jp", ["punycode"]);
});

test("assess: imitations of the practice's address", () => {
  checkWarnings("https://a1cove-practice.example", ["imitates-practice"]);
  checkWarnings("https://alcove-practice.com/login", ["imitates-practice"]);
  checkWarnings("https://alcove-practlce.example", ["imitates-practice"]);
  checkWarnings("https://alcove-pracitce.net", ["imitates-practice"]);
  checkWarnings("https://alcove-practice-login.net", ["imitates-practice"]);
  checkWarnings("https://alcove.practice.evil.net", ["imitates-practice"]);
  checkWarnings("https://alcove-practice.example.evil.net/signin", ["imitates-practice"]);
  checkWarnings("https://аlcove-practice.example", ["punycode", "mixed-script", "imitates-practice"]);
  assert.equal(
    messageOf("https://alcove-practice.example.evil.net/signin", "imitates-practice"),
    "The address starts with your practice's address (alcove-practice.example), but the site it really goes to is evil.net.",
  );
  assert.equal(
    messageOf("https://a1cove-practice.example", "imitates-practice"),
    "This address looks like your practice's address (alcove-practice.example), but it is a different site: a1cove-practice.example.",
  );
  // A practice on a subdomain: its whole host appears inside another site's name.
  checkWarnings("https://alcove.example.com.evil.net", ["imitates-practice"], "alcove.example.com");
  checkWarnings("https://www.alcove.example.com", [], "alcove.example.com");
  checkWarnings("https://alcove.example.co.uk.evil.net", ["imitates-practice"], "alcove.example.co.uk");
  // The port is not part of the name.
  checkWarnings("https://a1cove-practice.example", ["imitates-practice"], "alcove-practice.example:8443");
  // A practice reached by a one-label name or an address has no name to imitate.
  checkWarnings("https://localhost.evil.net", [], "localhost");
  checkWarnings("https://example.org", [], "127.0.0.1");
  // Short names have many innocent neighbours: only an exact look-alike counts.
  checkWarnings("https://cars.example", [], "care.example");
  checkWarnings("https://c4re.org", [], "care.example");
  checkWarnings("https://care.org", ["imitates-practice"], "care.example");
});

test("assess: schemes that are not web pages are never linkable", () => {
  checkWarnings("[x](javascript:alert(1))", ["not-web"]);
  checkWarnings("[x](JavaScript:alert(1))", ["not-web"]);
  checkWarnings("[x](data:text/html,<script>alert(1)</script>)", ["not-web"]);
  checkWarnings("[x](file:///etc/passwd)", ["not-web"]);
  checkWarnings("[x](vbscript:msgbox)", ["not-web"]);
  checkWarnings("[x](http://)", ["not-web"]);
  assert.equal(
    messageOf("[x](javascript:alert(1))", "not-web"),
    "This link uses “javascript:”, which is not a web page. Alcove never opens links like this.",
  );
});

test("assess: a name in front of @ is not where the link goes", () => {
  checkWarnings("https://alcove-practice.example@evil.net/login", ["userinfo"]);
  checkWarnings("https://user:secret@example.org", ["userinfo"]);
  assert.equal(
    messageOf("https://alcove-practice.example@evil.net/login", "userinfo"),
    "The address has “alcove-practice.example@” in front of the real site. Browsers ignore everything before the @, so this link goes to evil.net.",
  );
});

test("assess: numeric hosts, hidden characters, long addresses", () => {
  checkWarnings("http://192.168.0.1/login", ["ip-address"]);
  checkWarnings("http://0x7f.1/", ["ip-address"]);
  checkWarnings("http://[::1]:8080/", ["ip-address"]);
  checkWarnings("[\u202Eexe.pdf](https://evil.net)", ["hidden-characters", "text-mismatch"]);
  checkWarnings("[invoice\u200B](https://evil.net)", ["hidden-characters", "labelled"]);
  checkWarnings(`https://example.org/${"a".repeat(400)}`, ["long"]);
  checkWarnings(`https://${"a".repeat(40)}.${"b".repeat(30)}.example`, ["long"]);
  // Longer than any DNS name reaches no site: only long, without the label-by-label checks.
  checkWarnings(`https://${"alcove-practice.".repeat(5000)}evil.net`, ["long"]);
});

test("decodePunycode and decodeHost agree with Node's decoder", () => {
  for (const host of [
    "xn--pypal-4ve.com",
    "xn--ypal-43d9g.com",
    "xn--mnchen-3ya.de",
    "xn--80ak6aa92e.com",
    "xn--fiqs8s",
    "xn--wgv71a119e.jp",
    "www.xn--bcher-kva.example",
    "example.org",
  ]) {
    assert.equal(decodeHost(host), domainToUnicode(host), host);
  }
  assert.equal(decodePunycode("mnchen-3ya"), "münchen");
  assert.equal(decodePunycode("!!"), null);
  assert.equal(decodePunycode("99999999999"), null);
  assert.equal(decodeHost("xn--!!.example"), "xn--!!.example");
});

test("skeleton folds look-alike letters", () => {
  const same = (a: string, b: string): void => assert.equal(skeleton(a), skeleton(b), `${a} ~ ${b}`);
  same("a1cove-practice", "alcove-practice");
  same("аlcove", "alcove");
  same("rnicrosoft", "microsoft");
  same("paypa1", "paypal");
  same("g00gle", "google");
  same("alcöve", "alcove");
  same("ｇｏｏｇｌｅ", "google");
  assert.notEqual(skeleton("alcove"), skeleton("alcave"));
});

test("editDistance counts edits and swaps", () => {
  const check = (a: string, b: string, d: number): void => assert.equal(editDistance(a, b), d, `${a} → ${b}`);
  check("", "", 0);
  check("abc", "", 3);
  check("", "abc", 3);
  check("alcove", "alcove", 0);
  check("alcove", "alcvoe", 1);
  check("kitten", "sitting", 3);
  check("practice", "practlce", 1);
});

test("mixedScripts names the alphabets a label mixes", () => {
  const check = (label: string, expected: string[] | null): void => assert.deepEqual(mixedScripts(label), expected, label);
  check("paypal", null);
  check("münchen", null);
  check("пример", null);
  check("abc123-def", null);
  check("日本語テキスト", null);
  check("한국어abc", null);
  check("раypal", ["Cyrillic", "Latin"]);
  check("abcαβγ", ["Latin", "Greek"]);
});
