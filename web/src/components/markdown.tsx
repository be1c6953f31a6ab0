// A small Markdown renderer for practice-written documents (the consent document): headings,
// paragraphs, lists, bold, italics, inline code and links shown as text. It builds Preact
// elements from the text and never sets HTML, so raw HTML or a <script> in the source is shown
// as the characters it is: inert by construction. Links are not made clickable (a document the
// practice edits should not send clients to other sites); their address is shown in brackets.

import type { ComponentChildren, JSX } from "preact";

export type Block =
  | { kind: "heading"; level: number; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; ordered: boolean; items: string[] };

/** Splits Markdown into blocks: `#`–`######` headings, `-`/`*`/`1.` list items, paragraphs. */
export function parseBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const flush = (): void => {
    if (paragraph.length > 0) blocks.push({ kind: "paragraph", text: paragraph.join(" ") });
    paragraph = [];
    if (list !== null) blocks.push({ kind: "list", ordered: list.ordered, items: list.items });
    list = null;
  };
  for (const raw of source.replace(/\r\n/g, "\n").split("\n")) {
    const line = raw.trim();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\d{1,3}[.)]\s+(.*)$/.exec(line);
    if (line === "") {
      flush();
    } else if (heading !== null) {
      flush();
      blocks.push({ kind: "heading", level: heading[1]?.length ?? 1, text: heading[2] ?? "" });
    } else if (bullet !== null || numbered !== null) {
      const ordered = numbered !== null;
      const text = (bullet ?? numbered)?.[1] ?? "";
      if (paragraph.length > 0 || (list !== null && list.ordered !== ordered)) flush();
      if (list === null) list = { ordered, items: [] };
      list.items.push(text);
    } else if (list !== null && raw.startsWith("  ")) {
      // A continuation line of the last list item.
      const last = list.items.length - 1;
      list.items[last] = `${list.items[last] ?? ""} ${line}`;
    } else {
      if (list !== null) flush();
      paragraph.push(line);
    }
  }
  flush();
  return blocks;
}

/** Renders inline emphasis, code and links as elements and plain text. */
export function renderInline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  // As in CommonMark, underscores inside a word (`window.__name`) are not emphasis.
  const pattern =
    /(\*\*([^*]+)\*\*|(?<![\p{L}\p{N}_])__([^_]+)__(?![\p{L}\p{N}_])|\*([^*\s][^*]*)\*|(?<![\p{L}\p{N}_])_([^_\s][^_]*)_(?![\p{L}\p{N}_])|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\))/gu;
  let last = 0;
  let key = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    key += 1;
    if (m[2] !== undefined || m[3] !== undefined) out.push(<strong key={key}>{m[2] ?? m[3]}</strong>);
    else if (m[4] !== undefined || m[5] !== undefined) out.push(<em key={key}>{m[4] ?? m[5]}</em>);
    else if (m[6] !== undefined) out.push(<code key={key}>{m[6]}</code>);
    else out.push(`${m[7] ?? ""} (${m[8] ?? ""})`);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Renders blocks; headings are shifted by `headingOffset` levels (a document's `#` inside a page's `h1`). */
export function MarkdownBlocks({ blocks, headingOffset = 1 }: { blocks: Block[]; headingOffset?: number }): JSX.Element {
  return (
    <>
      {blocks.map((block, i) => {
        if (block.kind === "heading") {
          const level = Math.min(6, block.level + headingOffset);
          const children = renderInline(block.text);
          if (level <= 2) return <h2 key={i}>{children}</h2>;
          if (level === 3) return <h3 key={i}>{children}</h3>;
          if (level === 4) return <h4 key={i}>{children}</h4>;
          if (level === 5) return <h5 key={i}>{children}</h5>;
          return <h6 key={i}>{children}</h6>;
        }
        if (block.kind === "list") {
          const items = block.items.map((item, j) => <li key={j}>{renderInline(item)}</li>);
          return block.ordered ? <ol key={i}>{items}</ol> : <ul key={i}>{items}</ul>;
        }
        return <p key={i}>{renderInline(block.text)}</p>;
      })}
    </>
  );
}

/** Renders a Markdown document safely. */
export function Markdown({ source, headingOffset = 1 }: { source: string; headingOffset?: number }): JSX.Element {
  return (
    <div class="markdown">
      <MarkdownBlocks blocks={parseBlocks(source)} headingOffset={headingOffset} />
    </div>
  );
}

export interface Section {
  title: string;
  blocks: Block[];
}

/** Splits a document into its introduction (title and text before the first `##`) and one
 * section per `##` heading: one idea per screen of the walk-through. */
export function splitSections(source: string): { title: string; intro: Block[]; sections: Section[] } {
  const blocks = parseBlocks(source);
  let title = "";
  const intro: Block[] = [];
  const sections: Section[] = [];
  for (const block of blocks) {
    if (block.kind === "heading" && block.level === 1 && title === "" && sections.length === 0) {
      title = block.text;
    } else if (block.kind === "heading" && block.level === 2) {
      sections.push({ title: block.text, blocks: [] });
    } else {
      const current = sections[sections.length - 1];
      if (current === undefined) intro.push(block);
      else current.blocks.push(block);
    }
  }
  return { title, intro, sections };
}
