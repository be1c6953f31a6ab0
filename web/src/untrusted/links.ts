// Finding and checking the links in what a peer sent. Pure functions, no DOM, no dependencies.
//
// API:
// - `segment(text): Segment[]` splits a message into text and links, in order; joining every
//   segment's `text`/`source` gives the message back. A link is a bare `http://`, `https://` or
//   `www.` address, or the Markdown form `[words](target)`, the only way a message can show
//   words that differ from where the link goes.
// - `assess(link, practiceHost): LinkWarning[]` says, in plain words, what is suspicious about a
//   link: visible text naming another address, punycode, mixed alphabets, an imitation of the
//   practice's own address, a scheme that is not a web page, `user@` in front of the host, a
//   numeric host, hidden characters, unusual length. An empty list is not a promise of safety.
// - Helpers, exported for tests and reuse: `decodeHost`/`decodePunycode` (RFC 3492),
//   `skeleton` (look-alike folding), `editDistance`, `mixedScripts`, `registrableDomain`.
//
// Invariant: `Link.href` is either null or an `http:`/`https:` URL re-serialised by the URL
// parser; nothing else is ever meant to become an anchor. Hosts are parsed with the URL API
// (which turns Unicode into punycode), and decoded back here for display and for the
// look-alike checks, since browsers offer no decoder.

/** Plain text between links, to be rendered as text. */
export interface TextSegment {
  kind: "text";
  text: string;
}

/** A link as the peer wrote it, and where it really goes. */
export interface Link {
  kind: "link";
  /** The exact characters in the message: the bare address, or the whole `[words](target)`. */
  source: string;
  /** The sender's words of a Markdown link; null for a bare address. */
  label: string | null;
  /** The target as written. */
  target: string;
  /** The URL to open: an `http:`/`https:` URL, or null when Alcove never opens this link. */
  href: string | null;
  /** The host the browser would connect to, in its ASCII (punycode) form; "" when none. */
  host: string;
  /** The host with punycode labels decoded, as a look-alike would appear; "" when none. */
  displayHost: string;
  /** The scheme as written ("javascript:", "https:"); "" when the target has none. */
  scheme: string;
}

export type Segment = TextSegment | Link;

export type WarningKind =
  | "not-web"
  | "userinfo"
  | "text-mismatch"
  | "labelled"
  | "punycode"
  | "mixed-script"
  | "imitates-practice"
  | "ip-address"
  | "hidden-characters"
  | "long";

/** One reason to be careful with a link, with a message for the reader. */
export interface LinkWarning {
  kind: WarningKind;
  message: string;
}

// A Markdown link `[words](target)`; the target may hold one level of parentheses, as in
// CommonMark (`javascript:alert(1)`), or the match would stop at the first `)`.
const MARKDOWN_LINK = String.raw`\[([^\[\]\n]{1,500})\]\(\s*((?:[^()\s]|\([^()\s]*\))+)\s*\)`;
// A bare address, not glued to a word, an e-mail address or another URL before it. Square
// brackets end it (as in "[see www.a.example](notes)"), except around an IPv6 host.
const BARE_ADDRESS = String.raw`(?<![\p{L}\p{N}_.@/:\-])((?:https?:\/\/(?:\[[0-9a-f:.]+\])?|www\.)[^\s<>\[\]]*)`;
const LINK_PATTERN = new RegExp(`${MARKDOWN_LINK}|${BARE_ADDRESS}`, "giu");

/** Punctuation that ends a sentence rather than an address ("see https://a.example."). */
const TRAILING_PUNCTUATION = /[.,;:!?'"’”»›…。、*_~]$/u;
const CLOSERS: Record<string, string> = { ")": "(", "]": "[", "}": "{" };

/** Characters that are invisible or reorder text, used to disguise an address. */
const HIDDEN_CHARACTERS = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** Past these lengths an address is long enough to hide where it goes. */
const LONG_ADDRESS = 300;
const LONG_HOST = 60;
const MAX_DNS_NAME = 253;

/** Splits a message into text and link segments, in order. */
export function segment(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  const pushText = (s: string): void => {
    if (s === "") return;
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.kind === "text") prev.text += s;
    else out.push({ kind: "text", text: s });
  };
  LINK_PATTERN.lastIndex = 0;
  for (let m = LINK_PATTERN.exec(text); m !== null; m = LINK_PATTERN.exec(text)) {
    let link: Link | null = null;
    let source = m[0];
    if (m[1] !== undefined && m[2] !== undefined) {
      // Only a target with a scheme (or `www.`) makes a link: "[1](2)" stays text.
      if (/^(?:[a-z][a-z0-9+.\-]*:|www\.)/iu.test(m[2])) link = makeLink(source, m[1], m[2]);
      else {
        // Look again just after the bracket: the words may hold a bare address.
        LINK_PATTERN.lastIndex = m.index + 1;
        continue;
      }
    } else if (m[3] !== undefined) {
      source = trimAddress(m[3]);
      const candidate = makeLink(source, null, source);
      // A bare address that does not parse ("https://" alone) is just text.
      if (candidate.href !== null) link = candidate;
    }
    if (link === null) continue;
    pushText(text.slice(last, m.index));
    out.push(link);
    last = m.index + source.length;
    // The trimmed punctuation is scanned again as text.
    LINK_PATTERN.lastIndex = last;
  }
  pushText(text.slice(last));
  return out;
}

/** Drops sentence punctuation and unbalanced closing brackets from the end of a bare address. */
function trimAddress(raw: string): string {
  let s = raw;
  for (;;) {
    const end = s.slice(-1);
    const opener = CLOSERS[end];
    if (TRAILING_PUNCTUATION.test(end)) s = s.slice(0, -1);
    else if (opener !== undefined && count(s, end) > count(s, opener)) s = s.slice(0, -1);
    else return s;
  }
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

/** Builds a link from a target; `href` stays null unless the target is an http(s) URL. */
function makeLink(source: string, label: string | null, target: string): Link {
  const scheme = /^([a-z][a-z0-9+.\-]*:)/iu.exec(target)?.[1]?.toLowerCase() ?? "";
  const link: Link = { kind: "link", source, label, target, href: null, host: "", displayHost: "", scheme };
  const written = scheme === "" && /^www\./iu.test(target) ? `https://${target}` : target;
  let url: URL;
  try {
    url = new URL(written);
  } catch {
    return link;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") return link;
  link.href = url.href;
  link.host = url.hostname;
  link.displayHost = decodeHost(url.hostname);
  return link;
}

/** The reasons to be careful with `link`; `practiceHost` is the practice's own host name
 * (`location.hostname`; a port is ignored), which look-alikes imitate. Words naming an address
 * on the target's own host (with or without `www.`) are no mismatch, whatever the path. */
export function assess(link: Link, practiceHost: string): LinkWarning[] {
  const warnings: LinkWarning[] = [];
  const add = (kind: WarningKind, message: string): void => {
    warnings.push({ kind, message });
  };
  if (HIDDEN_CHARACTERS.test(link.source)) {
    add(
      "hidden-characters",
      "This link contains invisible or direction-changing characters, which can disguise where it goes.",
    );
  }
  if (link.href === null) {
    add(
      "not-web",
      link.scheme !== "" && link.scheme !== "http:" && link.scheme !== "https:"
        ? `This link uses “${link.scheme}”, which is not a web page. Alcove never opens links like this.`
        : "This is not a complete web address, so Alcove will not open it.",
    );
    return warnings;
  }
  const url = new URL(link.href);
  const host = normalHost(link.host);
  const shownHost = normalHost(link.displayHost);
  const site = registrableDomain(host);

  if (url.username !== "" || url.password !== "") {
    const before = decodeUserinfo(url.password === "" ? url.username : `${url.username}:${url.password}`);
    add(
      "userinfo",
      `The address has “${before}@” in front of the real site. Browsers ignore everything before the @, so this link goes to ${host}.`,
    );
  }

  if (link.label !== null) {
    const named = addressesIn(link.label);
    const other = named.find((h) => stripWww(h) !== stripWww(host));
    if (other !== undefined) {
      add("text-mismatch", `The link's text shows ${other}, but it goes to ${host}.`);
    } else if (named.length === 0 && link.label.trim() !== link.target.trim()) {
      add("labelled", `The sender chose the words “${link.label.trim()}” for this link. It goes to ${host}.`);
    }
  }

  if (host.split(".").some((label) => label.startsWith("xn--"))) {
    add(
      "punycode",
      shownHost !== host
        ? `The address is written with special characters: it looks like “${shownHost}” but its real form is “${host}”. Look-alike letters are a common trick.`
        : `The address uses an encoded name (“${host}”) that cannot be read back into letters.`,
    );
  }

  // A name longer than DNS allows reaches no site; it is flagged as long below, and skipping the
  // label-by-label checks keeps a hostile 100 kB "address" cheap.
  const checkable = host.length <= MAX_DNS_NAME;
  for (const label of checkable ? shownHost.split(".") : []) {
    const scripts = mixedScripts(label);
    if (scripts !== null) {
      add(
        "mixed-script",
        `The name “${label}” mixes letters from different alphabets (${scripts.join(" and ")}). This is a common way to imitate a familiar address.`,
      );
      break;
    }
  }

  const imitation = checkable ? imitatesPractice(host, shownHost, site, practiceHost) : null;
  if (imitation !== null) add("imitates-practice", imitation);

  if (isIpAddress(host)) {
    add("ip-address", `This link goes to a numeric address (${host}) instead of a named site. Genuine services rarely do this.`);
  }

  if (link.href.length > LONG_ADDRESS || host.length > LONG_HOST) {
    add("long", "This address is unusually long, which can hide where it really goes.");
  }
  return warnings;
}

function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/u, "");
}

function stripWww(host: string): string {
  return host.startsWith("www.") ? host.slice(4) : host;
}

function decodeUserinfo(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Addresses named in a link's words.

const ADDRESS_IN_TEXT = /(?:[a-z][a-z0-9+.\-]*:\/\/)?(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?\.)+\p{L}[\p{L}\-]*[\p{L}]/giu;

/** The hosts (ASCII, lower case) of the addresses or domain names that `text` shows. */
function addressesIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(ADDRESS_IN_TEXT)) {
    const written = /^[a-z][a-z0-9+.\-]*:\/\//iu.test(m[0]) ? m[0] : `https://${m[0]}`;
    try {
      const h = normalHost(new URL(written).hostname);
      if (h !== "") out.push(h);
    } catch {
      // Not an address after all ("e.g" or a stray word); nothing to compare.
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Imitations of the practice's own address.

// Without the Public Suffix List (a dependency), the registrable domain is the last two labels,
// or three after a common second-level label under a country code ("clinic.co.uk").
const SECOND_LEVEL = new Set(["co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "nhs", "ltd", "plc", "sch", "nom", "gen"]);

function suffixLength(labels: string[]): number {
  const tld = labels[labels.length - 1] ?? "";
  const sld = labels[labels.length - 2] ?? "";
  return labels.length >= 3 && tld.length === 2 && SECOND_LEVEL.has(sld) ? 2 : 1;
}

/** "alcove.example.co.uk" → "example.co.uk"; a host of one label is its own. */
export function registrableDomain(host: string): string {
  const labels = host.split(".");
  return labels.slice(-(suffixLength(labels) + 1)).join(".");
}

/** Why `host` (ASCII) / `shownHost` (decoded) imitates the practice's host, or null. */
function imitatesPractice(host: string, shownHost: string, site: string, practiceHost: string): string | null {
  let practice: string;
  try {
    practice = normalHost(new URL(`https://${practiceHost}`).hostname);
  } catch {
    return null;
  }
  // A practice reached by IP address or a one-label name (a test machine) has no name to imitate.
  if (practice === "" || isIpAddress(practice) || !practice.includes(".")) return null;
  const practiceSite = registrableDomain(practice);
  // The practice's own site and its subdomains are the practice's.
  if (site === practiceSite || isIpAddress(host)) return null;

  const dotted = `.${host}.`;
  for (const own of [practice, practiceSite]) {
    if (own.includes(".") && dotted.includes(`.${own}.`)) {
      return `The address starts with your practice's address (${own}), but the site it really goes to is ${site}.`;
    }
  }

  const practiceLabels = practice.split(".");
  const name = practiceLabels[practiceLabels.length - suffixLength(practiceLabels) - 1] ?? "";
  const wanted = skeleton(decodeLabel(name));
  if (wanted === "") return null;
  const shownLabels = shownHost.split(".");
  const candidates = shownLabels.slice(0, shownLabels.length - suffixLength(shownLabels));
  // The labels one by one, and run together ("alcove.practice.evil.net").
  const folded = candidates.map(skeleton);
  const joined = folded.join("");
  const allowed = name.length >= 8 ? 2 : name.length >= 5 ? 1 : 0;
  const similar =
    folded.some((label) => label === wanted || editDistance(label, wanted) <= allowed) ||
    (name.length >= 5 && joined.includes(wanted));
  if (!similar) return null;
  return `This address looks like your practice's address (${practice}), but it is a different site: ${site}.`;
}

// Letters and digits that look alike in a browser's address bar, folded to one letter. Both
// sides are folded, so "a1cove" and "аlcove" (Cyrillic а) meet "alcove".
const CONFUSABLES: Record<string, string> = {
  "0": "o",
  "1": "l",
  "3": "e",
  "5": "s",
  "|": "l",
  ı: "i",
  ɩ: "i",
  ɑ: "a",
  ɡ: "g",
  // Cyrillic
  а: "a",
  в: "b",
  г: "r",
  е: "e",
  і: "i",
  ј: "j",
  к: "k",
  о: "o",
  п: "n",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  ѕ: "s",
  ԁ: "d",
  һ: "h",
  ӏ: "l",
  ԛ: "q",
  ԝ: "w",
  // Greek
  α: "a",
  β: "b",
  ε: "e",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  ϲ: "c",
  ϳ: "j",
  // Armenian
  օ: "o",
  ս: "u",
  ց: "g",
  հ: "h",
};
const CONFUSABLE_PAIRS: [RegExp, string][] = [
  [/rn/gu, "m"],
  [/vv/gu, "w"],
  [/cl/gu, "d"],
];

/** A label reduced to how it looks: accents dropped, look-alike letters folded, hyphens gone. */
export function skeleton(label: string): string {
  let s = "";
  for (const ch of label.normalize("NFKD").toLowerCase().replace(/\p{M}/gu, "")) {
    if (ch === "-" || ch === ".") continue;
    s += CONFUSABLES[ch] ?? ch;
  }
  for (const [pattern, letter] of CONFUSABLE_PAIRS) s = s.replace(pattern, letter);
  return s;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, swaps. */
export function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  let prev2: number[] = [];
  let prev: number[] = y.map((_, j) => j + 1);
  prev.unshift(0);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, (prev2[j - 2] ?? 0) + 1);
      row.push(d);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[y.length] ?? 0;
}

function isIpAddress(host: string): boolean {
  // The URL parser normalises every IPv4 spelling ("0x7f.1") to dotted decimal.
  return host.startsWith("[") || /^\d{1,3}(?:\.\d{1,3}){3}$/u.test(host);
}

// ---------------------------------------------------------------------------------------------
// Alphabets within one label.

const SCRIPTS = [
  "Latin",
  "Cyrillic",
  "Greek",
  "Armenian",
  "Georgian",
  "Cherokee",
  "Arabic",
  "Hebrew",
  "Syriac",
  "Thaana",
  "Devanagari",
  "Bengali",
  "Gurmukhi",
  "Gujarati",
  "Tamil",
  "Telugu",
  "Kannada",
  "Malayalam",
  "Sinhala",
  "Thai",
  "Lao",
  "Tibetan",
  "Myanmar",
  "Khmer",
  "Mongolian",
  "Ethiopic",
  "Han",
  "Hiragana",
  "Katakana",
  "Hangul",
  "Bopomofo",
  "Coptic",
  "Runic",
  "Tifinagh",
  "Canadian_Aboriginal",
] as const;
const SCRIPT_PATTERNS = SCRIPTS.map((name) => ({ name, pattern: new RegExp(`^\\p{Script=${name}}$`, "u") }));

// Writing systems that mix scripts by nature (Japanese, Chinese with Bopomofo, Korean), each
// also with Latin, as Unicode's "highly restrictive" profile allows (UTS #39).
const ALLOWED_MIXES: ReadonlySet<string>[] = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

/** The scripts a label mixes, or null when its letters are of one writing system. */
export function mixedScripts(label: string): string[] | null {
  const found = new Set<string>();
  for (const ch of label) {
    if (!/\p{L}/u.test(ch)) continue;
    found.add(SCRIPT_PATTERNS.find((s) => s.pattern.test(ch))?.name ?? "another alphabet");
  }
  if (found.size <= 1) return null;
  if (ALLOWED_MIXES.some((mix) => [...found].every((s) => mix.has(s)))) return null;
  return [...found].map((s) => s.replace(/_/gu, " "));
}

// ---------------------------------------------------------------------------------------------
// Punycode (RFC 3492), decoding only: browsers parse Unicode hosts into it but offer no way back.

/** A host with each `xn--` label decoded; a label that does not decode stays as it is. */
export function decodeHost(host: string): string {
  return host.split(".").map(decodeLabel).join(".");
}

function decodeLabel(label: string): string {
  if (!label.toLowerCase().startsWith("xn--")) return label;
  return decodePunycode(label.slice(4)) ?? label;
}

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const MAX_INT = 0x7fffffff;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - T_MIN) * T_MAX) >> 1) {
    d = Math.floor(d / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

function digitOf(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 26;
  if (code >= 0x41 && code <= 0x5a) return code - 0x41;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61;
  return BASE;
}

/** Decodes the part of a label after `xn--`; null when it is not valid punycode. */
export function decodePunycode(input: string): string | null {
  const output: number[] = [];
  const basicEnd = Math.max(0, input.lastIndexOf("-"));
  for (let j = 0; j < basicEnd; j++) {
    const code = input.charCodeAt(j);
    if (code >= 0x80) return null;
    output.push(code);
  }
  let n = 0x80;
  let bias = 72;
  let i = 0;
  for (let index = basicEnd > 0 ? basicEnd + 1 : 0; index < input.length; ) {
    const oldI = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (index >= input.length) return null;
      const digit = digitOf(input.charCodeAt(index++));
      if (digit >= BASE || digit > Math.floor((MAX_INT - i) / w)) return null;
      i += digit * w;
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < t) break;
      if (w > Math.floor(MAX_INT / (BASE - t))) return null;
      w *= BASE - t;
    }
    const length = output.length + 1;
    bias = adapt(i - oldI, length, oldI === 0);
    if (Math.floor(i / length) > MAX_INT - n) return null;
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    output.splice(i, 0, n);
    i++;
  }
  return String.fromCodePoint(...output);
}
