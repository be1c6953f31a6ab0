// This browser's device, kept in IndexedDB so that whoever opens the browser next cannot use it.
//
// The device's MLS state is encrypted by the Rust core under a random 32-byte state key; the
// small amount of app data (cursors, verified safety numbers, the audit-log checkpoint) is
// sealed with AES-GCM under a key derived from the same state key. The state key itself is
// stored only wrapped (AES-GCM) under key-encryption keys that need the person:
//
// - "prf": HKDF over the secret the passkey's WebAuthn PRF extension returns at sign-in or
//   unlock (one wrap per passkey that has been used here);
// - "pin": Argon2id (64 MiB, 3 passes, in wasm) over a PIN, for passkeys without PRF.
//
// Unlocked, the state key lives in this module's memory only; locking wipes it. Decrypted
// messages are never written here: only keys, cursors and checkmarks.

import { b64url, buffer, fromB64url, randomBytes, wipe } from "./bytes";
import type { AlcoveCore } from "./wasm";

const DB_NAME = "alcove";
const STORE = "devices";
const HKDF_INFO = "alcove browser device key wrap v1";
const SEAL_INFO = "alcove browser device app data v1";

export interface PrfWrap {
  kind: "prf";
  credentialId: string;
  salt: Uint8Array;
  iv: Uint8Array;
  wrapped: Uint8Array;
}

export interface PinWrap {
  kind: "pin";
  salt: Uint8Array;
  memoryKib: number;
  iterations: number;
  iv: Uint8Array;
  wrapped: Uint8Array;
}

export type Wrap = PrfWrap | PinWrap;

/** What IndexedDB holds per person on this browser. Nothing in it is readable without a wrap's secret. */
export interface StoredDevice {
  userId: string;
  deviceId: string;
  wraps: Wrap[];
  /** `device.exportState(stateKey)`: encrypted by the core. */
  state: Uint8Array;
  /** AES-GCM sealed JSON of `AppData`. */
  sealed: { iv: Uint8Array; data: Uint8Array };
}

/** App data kept with the device (sealed). */
export interface AppData {
  /** Per conversation, the last sequence number processed. */
  cursors: Record<string, number>;
  /** Per conversation, the safety number digits the person confirmed. */
  verified: Record<string, string>;
  /** Per conversation, the other person's devices last seen ("deviceId:keyFingerprint"). */
  seenPeerDevices: Record<string, string[]>;
  /** The audit log checkpoint note last verified (key transparency). */
  logNote: string | null;
  /** Devices whose registration was verified in the log: deviceId → base64url signature key. */
  loggedDevices: Record<string, string>;
}

export function emptyAppData(): AppData {
  return { cursors: {}, verified: {}, seenPeerDevices: {}, logNote: null, loggedDevices: {} };
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

function openDb(): Promise<IDBDatabase> {
  const request = indexedDB.open(DB_NAME, 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: "userId" });
  };
  return requestResult(request);
}

async function withStore<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    const tx = db.transaction(STORE, mode);
    const result = await requestResult(run(tx.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
    return result;
  } finally {
    db.close();
  }
}

export async function loadStored(userId: string): Promise<StoredDevice | null> {
  const found = await withStore<StoredDevice | undefined>("readonly", (s) => s.get(userId) as IDBRequest<StoredDevice | undefined>);
  return found ?? null;
}

export async function saveStored(device: StoredDevice): Promise<void> {
  await withStore("readwrite", (s) => s.put(device));
}

export async function deleteStored(userId: string): Promise<void> {
  await withStore("readwrite", (s) => s.delete(userId));
}

async function hkdfKey(secret: Uint8Array, salt: Uint8Array, info: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", buffer(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: buffer(salt), info: new TextEncoder().encode(info) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

async function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", buffer(raw), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

async function seal(key: CryptoKey, plain: Uint8Array, aad: string): Promise<{ iv: Uint8Array; data: Uint8Array }> {
  const iv = randomBytes(12);
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: buffer(iv), additionalData: new TextEncoder().encode(aad) },
    key,
    buffer(plain),
  );
  return { iv, data: new Uint8Array(data) };
}

async function open(key: CryptoKey, iv: Uint8Array, data: Uint8Array, aad: string): Promise<Uint8Array> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: buffer(iv), additionalData: new TextEncoder().encode(aad) },
    key,
    buffer(data),
  );
  return new Uint8Array(plain);
}

/** Thrown when a secret does not open the stored device (another passkey, a wrong PIN). */
export class WrongSecret extends Error {
  constructor() {
    super("That did not unlock this browser's messages.");
    this.name = "WrongSecret";
  }
}

/** A wrap of `stateKey` under a passkey's PRF secret. */
export async function prfWrap(stateKey: Uint8Array, userId: string, credentialId: string, secret: Uint8Array): Promise<PrfWrap> {
  const salt = randomBytes(32);
  const kek = await hkdfKey(secret, salt, HKDF_INFO);
  const { iv, data } = await seal(kek, stateKey, `${userId}|prf|${credentialId}`);
  return { kind: "prf", credentialId, salt, iv, wrapped: data };
}

/** A wrap of `stateKey` under a PIN (Argon2id in wasm). */
export async function pinWrap(core: AlcoveCore, stateKey: Uint8Array, userId: string, pin: string): Promise<PinWrap> {
  const salt = randomBytes(16);
  const memoryKib = 64 * 1024;
  const iterations = 3;
  const derived = core.pinKey(pin, salt, memoryKib, iterations);
  try {
    const kek = await aesKey(derived);
    const { iv, data } = await seal(kek, stateKey, `${userId}|pin`);
    return { kind: "pin", salt, memoryKib, iterations, iv, wrapped: data };
  } finally {
    wipe(derived);
  }
}

/** Unwraps the state key with a passkey's PRF secret. */
export async function unwrapWithPrf(stored: StoredDevice, credentialId: string, secret: Uint8Array): Promise<Uint8Array> {
  const wrap = stored.wraps.find((w): w is PrfWrap => w.kind === "prf" && w.credentialId === credentialId);
  if (wrap === undefined) throw new WrongSecret();
  try {
    const kek = await hkdfKey(secret, wrap.salt, HKDF_INFO);
    return await open(kek, wrap.iv, wrap.wrapped, `${stored.userId}|prf|${credentialId}`);
  } catch {
    throw new WrongSecret();
  }
}

/** Unwraps the state key with a PIN. */
export async function unwrapWithPin(core: AlcoveCore, stored: StoredDevice, pin: string): Promise<Uint8Array> {
  const wrap = stored.wraps.find((w): w is PinWrap => w.kind === "pin");
  if (wrap === undefined) throw new WrongSecret();
  let derived: Uint8Array | null = null;
  try {
    const key = core.pinKey(pin, wrap.salt, wrap.memoryKib, wrap.iterations);
    derived = key;
    const kek = await aesKey(key);
    return await open(kek, wrap.iv, wrap.wrapped, `${stored.userId}|pin`);
  } catch {
    throw new WrongSecret();
  } finally {
    wipe(derived);
  }
}

/** The AES-GCM key for the app data, derived from the state key. */
export async function appDataKey(stateKey: Uint8Array, userId: string): Promise<CryptoKey> {
  return hkdfKey(stateKey, new TextEncoder().encode(userId), SEAL_INFO);
}

export async function sealAppData(key: CryptoKey, userId: string, data: AppData): Promise<{ iv: Uint8Array; data: Uint8Array }> {
  return seal(key, new TextEncoder().encode(JSON.stringify(data)), `${userId}|app`);
}

export async function openAppData(key: CryptoKey, stored: StoredDevice): Promise<AppData> {
  const plain = await open(key, stored.sealed.iv, stored.sealed.data, `${stored.userId}|app`);
  const parsed = JSON.parse(new TextDecoder().decode(plain)) as Partial<AppData>;
  return { ...emptyAppData(), ...parsed };
}

/** A new device id: `dev_` and 32 hex digits. */
export function newDeviceId(): string {
  return `dev_${Array.from(randomBytes(16), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export { b64url, fromB64url };
