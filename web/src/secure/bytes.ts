// Byte helpers for the encrypted-messaging code: base64 in both alphabets, random bytes,
// and wiping buffers that held secrets.

import { fromBase64Url, toBase64Url } from "../webauthn";

/** base64url without padding (what the delivery service uses for binary fields). */
export function b64url(bytes: Uint8Array): string {
  return toBase64Url(bytes);
}

export function fromB64url(text: string): Uint8Array {
  return new Uint8Array(fromBase64Url(text));
}

/** Standard base64 (audit log leaves and proofs). */
export function fromB64(text: string): Uint8Array {
  return fromB64url(text.replace(/\+/g, "-").replace(/\//g, "_"));
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  crypto.getRandomValues(out);
  return out;
}

export function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Overwrites a buffer that held a secret. */
export function wipe(bytes: Uint8Array | null | undefined): void {
  bytes?.fill(0);
}

/** A fresh ArrayBuffer copy, the form WebCrypto and Blob accept under strict typing. */
export function buffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}
