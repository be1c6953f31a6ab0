// Checking the audit log's signed checkpoints in the browser: the log's public key (a C2SP
// signed-note verifier key from /api/v1/audit/key), the checkpoint note's Ed25519 signature
// (WebCrypto), RFC 9162 consistency proofs, and the last checkpoint this browser saw.
//
// The remembered checkpoint is its tree size and root hash only (never events, names or ids),
// kept in localStorage. Every later checkpoint must come with a consistency proof from it, so a
// log rewritten or cut short since the last visit is caught, even when the server signs the new
// history with its own key. The rules follow the Rust side (`crates/audit`: `NoteVerifier`,
// `verify_consistency`, `CheckpointMemory`).

import { ApiError, request } from "./api";

/** Bytes backed by a plain ArrayBuffer, as WebCrypto takes them. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** A checkpoint whose signature was checked: its tree size and root hash. */
export interface TreeHead {
  size: number;
  root: Bytes;
}

/** The log's public key, parsed and checked against its key id. */
export interface LogKey {
  name: string;
  keyId: Bytes;
  publicKey: CryptoKey;
}

/** Why a checkpoint note was refused. */
export type NoteProblem = "malformed" | "unsigned" | "bad-signature" | "other-log";

export type NoteCheck = { ok: true; head: TreeHead } | { ok: false; problem: NoteProblem };

/** Where the last checkpoint seen is kept (one per origin: the log is the practice's). */
export const REMEMBERED_KEY = "alcove.audit.last-checkpoint";

/** The same bounds as the Rust parser (`MAX_NOTE_LEN`, `MAX_SIGNATURES`). */
const MAX_NOTE_LEN = 256 * 1024;
const MAX_SIGNATURES = 100;
/** A consistency proof between trees of fewer than 2^53 leaves has fewer entries than this. */
const MAX_PROOF_LEN = 128;
const ED25519_TYPE = 0x01;

/** Decodes standard base64; throws on anything else. */
export function fromBase64(text: string): Bytes {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

export async function sha256(...parts: Uint8Array[]): Promise<Bytes> {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const data = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function utf8(text: string): Bytes {
  return new TextEncoder().encode(text);
}

/** A key name or checkpoint origin: non-empty, no whitespace, '+' or control characters. */
function validName(name: string): boolean {
  return name.length > 0 && !/[\s+\p{Cc}]/u.test(name);
}

function decodeHash(text: string): Bytes | null {
  try {
    const bytes = fromBase64(text);
    return bytes.length === 32 ? bytes : null;
  } catch {
    return null;
  }
}

/** Parses `<name>+<8 hex digits of key id>+<base64(0x01 ‖ Ed25519 public key)>`; null when the
 * text is malformed, the key is not Ed25519, or the key id does not belong to the key. */
export async function parseLogKey(vkey: string): Promise<LogKey | null> {
  const first = vkey.indexOf("+");
  const second = vkey.indexOf("+", first + 1);
  if (first < 0 || second < 0) return null;
  const name = vkey.slice(0, first);
  const hex = vkey.slice(first + 1, second);
  if (!validName(name) || !/^[0-9a-f]{8}$/.test(hex)) return null;
  let typed: Bytes;
  try {
    typed = fromBase64(vkey.slice(second + 1));
  } catch {
    return null;
  }
  if (typed.length !== 33 || typed[0] !== ED25519_TYPE) return null;
  const raw = typed.slice(1);
  const keyId = (await sha256(utf8(name), new Uint8Array([0x0a, ED25519_TYPE]), raw)).slice(0, 4);
  const claimed = new Uint8Array(hex.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
  if (!equalBytes(keyId, claimed)) return null;
  try {
    const publicKey = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
    return { name, keyId, publicKey };
  } catch {
    return null;
  }
}

/** Checks a C2SP `tlog-checkpoint` signed note: text, blank line, signature lines
 * `— <name> <base64(key id ‖ signature)>`. Signatures by other keys (witnesses) are skipped; one
 * by the log key that fails refuses the note, and so does a note without one. The text must be
 * exactly the log's origin, the tree size and the root hash. */
export async function verifyCheckpointNote(note: string, key: LogKey): Promise<NoteCheck> {
  const refuse = (problem: NoteProblem): NoteCheck => ({ ok: false, problem });
  if (note.length > MAX_NOTE_LEN || /[\u0000-\u0009\u000b-\u001f]/.test(note)) return refuse("malformed");
  const sep = note.lastIndexOf("\n\n");
  if (sep < 0) return refuse("malformed");
  const text = note.slice(0, sep + 1);
  const block = note.slice(sep + 2);
  if (block.length === 0 || !block.endsWith("\n")) return refuse("malformed");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) return refuse("malformed");
  let signed = false;
  for (const line of lines) {
    if (!line.startsWith("\u2014 ")) return refuse("malformed");
    const body = line.slice(2);
    const space = body.indexOf(" ");
    if (space <= 0) return refuse("malformed");
    let bytes: Bytes;
    try {
      bytes = fromBase64(body.slice(space + 1));
    } catch {
      return refuse("malformed");
    }
    if (bytes.length < 5) return refuse("malformed");
    if (body.slice(0, space) !== key.name || !equalBytes(bytes.slice(0, 4), key.keyId)) continue;
    if (bytes.length !== 68) return refuse("bad-signature");
    let valid = false;
    try {
      valid = await crypto.subtle.verify({ name: "Ed25519" }, key.publicKey, bytes.slice(4), utf8(text));
    } catch {
      valid = false;
    }
    if (!valid) return refuse("bad-signature");
    signed = true;
  }
  if (!signed) return refuse("unsigned");
  const fields = text.split("\n");
  if (fields.length !== 4 || fields[3] !== "") return refuse("malformed");
  const [origin = "", sizeText = "", rootText = ""] = fields;
  if (origin !== key.name) return refuse("other-log");
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) return refuse("malformed");
  const size = Number(sizeText);
  const root = decodeHash(rootText);
  if (!Number.isSafeInteger(size) || root === null) return refuse("malformed");
  return { ok: true, head: { size, root } };
}

const NODE = new Uint8Array([1]);

/** For whole numbers of at least 1 (bit operations would cut sizes to 32 bits). */
function isPowerOfTwo(n: number): boolean {
  let m = n;
  while (m % 2 === 0) m /= 2;
  return m === 1;
}

/** RFC 9162 section 2.1.4.2: is the tree of `size1` leaves with `root1` a prefix of the tree of
 * `size2` leaves with `root2`? The proof's length is implied by the sizes. */
export async function verifyConsistency(size1: number, size2: number, proof: Bytes[], root1: Bytes, root2: Bytes): Promise<boolean> {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2) return false;
  if (proof.length > MAX_PROOF_LEN || proof.some((p) => p.length !== 32)) return false;
  if (size1 === 0 && !equalBytes(root1, await sha256())) return false;
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2);
  // As in RFC 9162 (and `verify_consistency`), there is no proof from the empty tree: callers
  // treat it as a prefix of every tree without asking.
  if (size1 === 0) return false;
  // When size1 is a power of two the old root is a node of the new tree and the proof omits it.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  const [seed, ...rest] = path;
  if (seed === undefined) return false;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = seed;
  let sr = seed;
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await sha256(NODE, c, fr);
      sr = await sha256(NODE, c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await sha256(NODE, sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(fr, root1) && equalBytes(sr, root2);
}

/** The checkpoint this browser saw last, or null (none, unreadable, or storage is off). */
export function rememberedHead(): TreeHead | null {
  try {
    const text = localStorage.getItem(REMEMBERED_KEY);
    if (text === null) return null;
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const { size, root } = value as { size?: unknown; root?: unknown };
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0 || typeof root !== "string") return null;
    const hash = decodeHash(root);
    return hash === null ? null : { size, root: hash };
  } catch {
    return null;
  }
}

/** Keeps `head` (size and root hash only) as the checkpoint to demand consistency from. */
export function rememberHead(head: TreeHead): void {
  try {
    localStorage.setItem(REMEMBERED_KEY, JSON.stringify({ size: head.size, root: toBase64(head.root) }));
  } catch {
    // Storage is off or full: the next visit starts from this visit's checkpoints again.
  }
}

/** Asks the server for the proof that the tree of `from` leaves is a prefix of the tree of `to`
 * leaves and checks it; false when it does not hold or the server cannot give one (it answers
 * 400 for a size beyond its latest checkpoint: the log shrank). */
async function consistent(older: TreeHead, newer: TreeHead): Promise<boolean> {
  let proof: string[];
  try {
    const answer = await request<{ from: number; to: number; proof: string[] }>(
      "GET",
      `/api/v1/audit/proof/consistency?from=${older.size}&to=${newer.size}`,
    );
    if (answer.from !== older.size || answer.to !== newer.size || !Array.isArray(answer.proof)) return false;
    proof = answer.proof;
  } catch (error: unknown) {
    if (error instanceof ApiError && error.status === 400) return false;
    throw error;
  }
  const hashes: Bytes[] = [];
  for (const p of proof) {
    const hash = typeof p === "string" ? decodeHash(p) : null;
    if (hash === null) return false;
    hashes.push(hash);
  }
  return verifyConsistency(older.size, newer.size, hashes, older.root, newer.root);
}

export type HistoryCheck =
  | { ok: true; newest: TreeHead | null; previous: TreeHead | null }
  | { ok: false };

/** Checks that `heads` (signature-checked checkpoints, any order) and the remembered checkpoint
 * all describe one growing log, fetching a consistency proof for each step up; remembers the
 * newest when they do. A fork leaves the remembered checkpoint as it was. */
export async function checkHistory(heads: TreeHead[]): Promise<HistoryCheck> {
  const previous = rememberedHead();
  const sorted = [...heads].sort((a, b) => a.size - b.size);
  let known = previous;
  for (const head of sorted) {
    if (known === null) {
      known = head;
    } else if (head.size === known.size) {
      if (!equalBytes(head.root, known.root)) return { ok: false };
    } else if (head.size > known.size) {
      if (known.size > 0 && !(await consistent(known, head))) return { ok: false };
      known = head;
    } else if (!(await consistent(head, known))) {
      // An older checkpoint than the one remembered is fine only as a prefix of it.
      return { ok: false };
    }
  }
  if (known !== null) rememberHead(known);
  return { ok: true, newest: known, previous };
}

/** The log's key from the server, or null when it is not a well-formed Ed25519 log key. */
export async function fetchLogKey(): Promise<LogKey | null> {
  const answer = await request<{ key: string }>("GET", "/api/v1/audit/key");
  return typeof answer.key === "string" ? parseLogKey(answer.key) : null;
}
