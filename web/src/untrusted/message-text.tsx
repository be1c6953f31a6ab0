// Renders what a peer sent: every character as text, links inert until the reader asks.
//
// API:
// - `<MessageText text={string} practiceHost={string} />` renders one message. It is a block
//   (`div.message-text`, line breaks kept), so place it in a `div` or `li`, not a `p`.
//   `practiceHost` is the practice's own host name (`location.hostname`), which look-alike
//   links are compared with.
// - `<LinkView … />` is the stateless view of one link, exported for tests.
//
// Invariants: nothing here sets HTML; a message's text only ever becomes text nodes and
// attribute values that Preact sets as properties. A link is first a button ("link: evil.net…
// (show)") and becomes an anchor only after the reader expands it, below its full address and
// its warnings. The anchor opens in a new tab with no opener and no referrer. Nothing is fetched
// for a link (no previews); a link that is not http(s) never becomes an anchor.

import type { JSX } from "preact";
import { useId, useMemo, useState } from "preact/hooks";
import { assess, segment, type Link, type LinkWarning } from "./links";

/** One message from a peer, rendered inert. */
export function MessageText({ text, practiceHost }: { text: string; practiceHost: string }): JSX.Element {
  const segments = useMemo(() => segment(text), [text]);
  return (
    <div class="message-text">
      {segments.map((s, i) => (s.kind === "text" ? s.text : <UntrustedLink key={i} link={s} practiceHost={practiceHost} />))}
    </div>
  );
}

function UntrustedLink({ link, practiceHost }: { link: Link; practiceHost: string }): JSX.Element {
  const [expanded, setExpanded] = useState(false);
  const detailsId = useId();
  const warnings = useMemo(() => assess(link, practiceHost), [link, practiceHost]);
  return (
    <LinkView
      link={link}
      warnings={warnings}
      expanded={expanded}
      detailsId={detailsId}
      onToggle={() => setExpanded((e) => !e)}
    />
  );
}

export interface LinkViewProps {
  link: Link;
  warnings: LinkWarning[];
  expanded: boolean;
  /** The id of the details region, unique on the page. */
  detailsId: string;
  onToggle: () => void;
}

/** A link as a toggle button and, when expanded, its address, warnings and the real anchor. */
export function LinkView({ link, warnings, expanded, detailsId, onToggle }: LinkViewProps): JSX.Element {
  const where = link.host !== "" ? link.host : link.scheme !== "" ? link.scheme : "an address";
  const warned = warnings.length > 0;
  return (
    <>
      {link.label !== null ? <span class="untrusted-link-words">{link.label}</span> : null}
      <button
        type="button"
        class={warned ? "untrusted-link untrusted-link-warned" : "untrusted-link"}
        aria-expanded={expanded}
        aria-controls={detailsId}
        onClick={onToggle}
      >
        {warned ? <span aria-hidden="true">⚠ </span> : null}
        link: {where}… ({expanded ? "hide" : "show"})
        <span class="visually-hidden">
          {warned ? `, ${warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`}` : ""}
          {expanded ? "" : ", shows the full address before it can be opened"}
        </span>
      </button>
      {/* The region always exists so `aria-controls` names an element; its content, and with it
          the anchor, exists only while expanded. */}
      <div id={detailsId} class="untrusted-link-details" hidden={!expanded}>
        {expanded ? <LinkDetails link={link} warnings={warnings} /> : null}
      </div>
    </>
  );
}

function LinkDetails({ link, warnings }: { link: Link; warnings: LinkWarning[] }): JSX.Element {
  return (
    <>
      <p class="untrusted-link-address">
        Full address: <code>{link.href ?? link.target}</code>
      </p>
      {warnings.length > 0 ? (
        <div role="alert" class="untrusted-link-warnings">
          <p>Be careful with this link:</p>
          <ul>
            {warnings.map((w) => (
              <li key={w.kind}>{w.message}</li>
            ))}
          </ul>
        </div>
      ) : (
        <p class="untrusted-link-note">
          No warning signs found, which is not a promise. Open it only if you expected this link from this person.
        </p>
      )}
      {link.href !== null ? (
        <a
          class="untrusted-link-open"
          href={link.href}
          target="_blank"
          rel="noopener noreferrer nofollow"
          referrerpolicy="no-referrer"
        >
          Open {link.host} in a new tab
        </a>
      ) : (
        <p class="untrusted-link-note">Alcove does not open this kind of link.</p>
      )}
    </>
  );
}
