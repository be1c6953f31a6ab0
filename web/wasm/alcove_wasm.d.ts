/* tslint:disable */
/* eslint-disable */

export interface DeviceRef { userId: string; deviceId: string }
export interface Member extends DeviceRef { signatureKey: Uint8Array }
export interface OutgoingCommit { commit: Uint8Array; welcome: Uint8Array | null; epoch: number }
export interface KeyPackageBatch { regular: Uint8Array[]; lastResort: Uint8Array }
export type Payload =
| { kind: "text"; text: string }
| { kind: "attachment"; blobId: string; key: Uint8Array; sha256: Uint8Array; size: number; name: string; mime: string }
| { kind: "readReceipt"; upTo: number }
| { kind: "typing"; active: boolean }
| { kind: "liveSessionStart"; sessionId: string }
| { kind: "liveSessionEnd"; sessionId: string }
| { kind: "unknown"; code?: number; body?: Uint8Array };
export type Incoming =
| { type: "application"; epoch: number; sender: DeviceRef; payload: Payload }
| { type: "commit"; epoch: number; sender: DeviceRef; added: DeviceRef[]; removed: DeviceRef[]; removedSelf: boolean; discardedOwnCommit: boolean }
| { type: "ownCommitMerged"; epoch: number }
| { type: "ownMessage" }
| { type: "ignored" };
export interface SafetyNumber { digits: string; display: string; qr: Uint8Array }
export interface QrMatrix { size: number; modules: Uint8Array }
export interface KeyPackageInfo extends DeviceRef { signatureKey: Uint8Array; lastResort: boolean }
export interface PersonKeys { userId: string; devices: { deviceId: string; signatureKey: Uint8Array }[] }
export interface EncryptedAttachment { key: Uint8Array; blob: Uint8Array; hash: Uint8Array; size: number }
export interface DeidSpan { start: number; end: number; startByte: number; endByte: number; type: string; score: number }



/**
 * Streaming decryption: `update(piece)` returns plaintext chunk by chunk,
 * `finish()` the last chunk. Plaintext is trustworthy only once `finish`
 * returned without throwing: do not show, open or save it under its final
 * name before. With `hash`, `finish` also checks the blob's SHA-256.
 */
export class AttachmentDecryptor {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Authenticates the end of the stream (and the hash, if given) and
     * returns the last plaintext.
     */
    finish(): Uint8Array;
    /**
     * Starts decrypting a blob under `key`; `hash` (32 bytes, optional) is
     * the blob's SHA-256 from the attachment payload.
     */
    constructor(key: Uint8Array | number[], hash?: Uint8Array | number[] | null);
    /**
     * Decrypts what can be decrypted of a piece of the blob.
     */
    update(blob_piece: Uint8Array | number[]): Uint8Array;
    /**
     * Blob bytes consumed so far.
     */
    readonly bytesIn: number;
    /**
     * Plaintext bytes returned so far.
     */
    readonly bytesOut: number;
}

/**
 * Streaming encryption: `update(chunk)` returns the ciphertext ready so far
 * (upload it as it comes), `finish()` the rest; then `hash` is the blob's
 * SHA-256. Pieces may have any size.
 */
export class AttachmentEncryptor {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Encrypts the final chunk and returns the remaining ciphertext.
     */
    finish(): Uint8Array;
    /**
     * Starts a blob under `key` (32 bytes), or under a fresh key when it is
     * omitted (read it back from `key`).
     */
    constructor(key?: Uint8Array | number[] | null);
    /**
     * Encrypts a piece of plaintext; returns the ciphertext ready so far
     * (the last up to 64 KiB are held back until more input or `finish`).
     */
    update(plaintext: Uint8Array | number[]): Uint8Array;
    /**
     * Plaintext bytes consumed so far.
     */
    readonly bytesIn: number;
    /**
     * Ciphertext bytes returned so far.
     */
    readonly bytesOut: number;
    /**
     * SHA-256 of the whole blob, once `finish` returned.
     */
    readonly hash: Uint8Array | undefined;
    /**
     * The attachment key (32 bytes).
     */
    readonly key: Uint8Array;
}

/**
 * One device of one user: its signature key, key packages and
 * conversations. Every method that changes state (key packages, commits,
 * merges, joins, processing) must be followed by `exportState` and storing
 * the result, or the device's ratchets go out of step with its storage.
 */
export class Device {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Adds devices from their key packages. Returns `{ commit, welcome,
     * epoch }`: post the commit; when the delivery service accepts it call
     * `mergePendingCommit` and deliver the welcome, else `discardPendingCommit`.
     */
    addDevices(conv: string, key_packages: Uint8Array[]): OutgoingCommit;
    /**
     * `"care"` or `"consultation"`.
     */
    static conversationKind(conv: string): string;
    /**
     * The ids of every conversation this device knows.
     */
    conversations(): string[];
    /**
     * Creates a conversation (`"care"` or `"consultation"`) with this device
     * as its only member; returns its id (34 hex digits).
     */
    createConversation(kind: string): string;
    /**
     * A new device with a fresh signature key. Identifiers are 1 to 64
     * characters from `[A-Za-z0-9._-]`.
     */
    static create(user_id: string, device_id: string): Device;
    /**
     * Drops the pending own commit (the delivery service refused it).
     */
    discardPendingCommit(conv: string): void;
    /**
     * Encrypts a text message; returns the MLS message to post.
     */
    encryptText(conv: string, text: string): Uint8Array;
    /**
     * Encrypts a payload object (`{ kind: "text", text }`, `{ kind:
     * "attachment", ... }`, ...; see `Payload`); returns the MLS message.
     */
    encrypt(conv: string, payload: Payload): Uint8Array;
    /**
     * The epoch authenticator: equal on every member in the same epoch.
     */
    epochAuthenticator(conv: string): Uint8Array;
    /**
     * The conversation's current epoch.
     */
    epoch(conv: string): number;
    /**
     * The whole device state, encrypted under a 32-byte key (XChaCha20-Poly1305).
     */
    exportState(key: Uint8Array | number[]): Uint8Array;
    /**
     * Forgets a conversation and deletes its keys.
     */
    forgetConversation(conv: string): void;
    /**
     * Whether an own commit awaits the delivery service's answer.
     */
    hasPendingCommit(conv: string): boolean;
    /**
     * Whether this device is (still) a member.
     */
    isMember(conv: string): boolean;
    /**
     * Joins a conversation from a welcome; returns its id.
     */
    join(welcome: Uint8Array | number[]): string;
    /**
     * `count` fresh key packages to upload.
     */
    keyPackages(count: number): Uint8Array[];
    /**
     * A fresh last-resort key package (replaces the previous one).
     */
    lastResortKeyPackage(): Uint8Array;
    /**
     * Every member device: `[{ userId, deviceId, signatureKey }]`.
     */
    members(conv: string): Member[];
    /**
     * Merges the pending own commit (the delivery service accepted it);
     * returns the new epoch.
     */
    mergePendingCommit(conv: string): number;
    /**
     * Processes one message the delivery service delivered; returns what it
     * was (see `Incoming`). Rejections throw with a `code` (`tampered`,
     * `replayed`, `stale_epoch`, `future_epoch`, `malformed`, ...) and leave
     * the conversation unchanged.
     */
    process(conv: string, message: Uint8Array | number[]): Incoming;
    /**
     * Removes devices (`[{ userId, deviceId }]`). Returns a commit as `addDevices`.
     */
    removeDevices(conv: string, devices: DeviceRef[]): OutgoingCommit;
    /**
     * Removes every device of a user. Returns a commit as `addDevices`.
     */
    removeUser(conv: string, user_id: string): OutgoingCommit;
    /**
     * Restores a device from `exportState`'s bytes and the same 32-byte key.
     * A wrong key or altered bytes throw `wrong_key`.
     */
    static restore(state: Uint8Array | number[], key: Uint8Array | number[]): Device;
    /**
     * Forgets every earlier key package and returns `count` new ones plus a
     * new last-resort one: `{ regular: Uint8Array[], lastResort: Uint8Array }`.
     */
    rotateKeyPackages(count: number): KeyPackageBatch;
    /**
     * The safety number between this device's user and `peerUserId` over
     * both people's devices in the conversation: `{ digits, display, qr }`.
     */
    safetyNumber(conv: string, peer_user_id: string): SafetyNumber;
    /**
     * Replaces this device's leaf keys (post-compromise security). Returns a
     * commit as `addDevices` (without a welcome).
     */
    selfUpdate(conv: string): OutgoingCommit;
    /**
     * This device's identifier.
     */
    readonly deviceId: string;
    /**
     * The Ed25519 signature public key (32 bytes) the server lists.
     */
    readonly signatureKey: Uint8Array;
    /**
     * The user this device belongs to.
     */
    readonly userId: string;
}

/**
 * What this browser has seen of the audit log.
 */
export class KeyLog {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * `new KeyLog(logKey, rememberedNote?)`.
     */
    constructor(log_key: string, remembered_note?: string | null);
    /**
     * Offers a checkpoint note with its consistency proof (`string[]`, base64); returns the
     * size held afterwards.
     */
    update(note: string, proof: string[]): number;
    /**
     * Checks a device registration against the held checkpoint (see `checkRegistration`).
     */
    verifyRegistration(leaf: Uint8Array | number[], index: number, proof: string[], user_id: string, device_id: string, signature_key: Uint8Array | number[]): void;
    /**
     * The signed note held, to persist (undefined before the first).
     */
    readonly note: string | undefined;
    /**
     * The size of the checkpoint held.
     */
    readonly size: number;
}

/**
 * Checks the blob's SHA-256 against `hash` and decrypts it. Any mismatch,
 * tampering or truncation throws (`tampered`, `truncated`) and returns no
 * plaintext.
 */
export function decryptAttachment(key: Uint8Array | number[], blob: Uint8Array | number[], hash: Uint8Array | number[]): Uint8Array;

/**
 * Sets the practice's allow and deny lists for every later `deidFind`,
 * `deidRedact` and `deidPseudonymize` (see `alcove deid --allow/--deny`).
 */
export function deidConfigure(allow: string, deny: string): void;

/**
 * Every identifier in `text`: `[{ start, end, startByte, endByte, type,
 * score }]`, sorted and not overlapping; `start`/`end` are UTF-16 offsets
 * (`text.slice(start, end)`), `startByte`/`endByte` UTF-8 byte offsets.
 */
export function deidFind(text: string): DeidSpan[];

/**
 * `text` with consistent surrogates ("Person A") and dates shifted by the
 * offset that `caseKey` (any bytes, a per-case secret) fixes.
 */
export function deidPseudonymize(text: string, case_key: Uint8Array | number[]): string;

/**
 * `text` with every identifier replaced by its type (`[NAME]`, `[DATE]`, ...).
 */
export function deidRedact(text: string): string;

/**
 * Builds the engine now (parsing its dictionaries takes a moment), so that
 * the first `deidFind` is not slow.
 */
export function deidWarmUp(): void;

/**
 * Encrypts a whole file under a fresh key: `{ key, blob, hash, size }`
 * (`key` and `hash` are 32 bytes; put them, the uploaded blob's id and
 * `size` into an `attachment` payload).
 */
export function encryptAttachment(plaintext: Uint8Array | number[]): EncryptedAttachment;

/**
 * The size of the blob that encrypting `plaintextLength` bytes produces.
 */
export function encryptedSize(plaintext_length: number): number;

/**
 * 32 random bytes from the platform's generator: a key for `exportState`.
 */
export function generateStateKey(): Uint8Array;

/**
 * What a key package says about itself, without any key: `{ userId, deviceId, signatureKey,
 * lastResort }`. Check it against the device's logged registration before adding it.
 */
export function inspectKeyPackage(bytes: Uint8Array | number[]): KeyPackageInfo;

/**
 * `pinKey(pin, salt, memoryKib?, iterations?)`: 32 key bytes (Argon2id; defaults 64 MiB, 3
 * passes).
 */
export function pinKey(pin: string, salt: Uint8Array | number[], memory_kib?: number | null, iterations?: number | null): Uint8Array;

/**
 * `qrMatrix(payload)`: `{ size, modules }` (see [`qr_matrix`]).
 */
export function qrMatrix(payload: Uint8Array | number[]): QrMatrix;

/**
 * The safety number of two people given as `{ userId, devices: [{
 * deviceId, signatureKey }] }`: `{ digits, display, qr }`, the same in
 * either argument order.
 */
export function safetyNumber(a: PersonKeys, b: PersonKeys): SafetyNumber;

/**
 * Runs when the module is instantiated: installs a panic hook that reports
 * only where the panic happened (its message could quote content).
 */
export function start(): void;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_attachmentdecryptor_free: (a: number, b: number) => void;
    readonly __wbg_attachmentencryptor_free: (a: number, b: number) => void;
    readonly __wbg_device_free: (a: number, b: number) => void;
    readonly __wbg_keylog_free: (a: number, b: number) => void;
    readonly attachmentdecryptor_bytesIn: (a: number) => number;
    readonly attachmentdecryptor_bytesOut: (a: number) => number;
    readonly attachmentdecryptor_finish: (a: number) => [number, number, number, number];
    readonly attachmentdecryptor_new: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly attachmentdecryptor_update: (a: number, b: number, c: number) => [number, number, number, number];
    readonly attachmentencryptor_bytesIn: (a: number) => number;
    readonly attachmentencryptor_bytesOut: (a: number) => number;
    readonly attachmentencryptor_finish: (a: number) => [number, number, number, number];
    readonly attachmentencryptor_hash: (a: number) => [number, number];
    readonly attachmentencryptor_key: (a: number) => [number, number];
    readonly attachmentencryptor_new: (a: number, b: number) => [number, number, number];
    readonly attachmentencryptor_update: (a: number, b: number, c: number) => [number, number, number, number];
    readonly decryptAttachment: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly deidConfigure: (a: number, b: number, c: number, d: number) => [number, number];
    readonly deidFind: (a: number, b: number) => [number, number, number];
    readonly deidPseudonymize: (a: number, b: number, c: number, d: number) => [number, number];
    readonly deidRedact: (a: number, b: number) => [number, number];
    readonly deidWarmUp: () => void;
    readonly device_addDevices: (a: number, b: number, c: number, d: any) => [number, number, number];
    readonly device_conversationKind: (a: number, b: number) => [number, number, number, number];
    readonly device_conversations: (a: number) => any;
    readonly device_create: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly device_createConversation: (a: number, b: number, c: number) => [number, number, number, number];
    readonly device_deviceId: (a: number) => [number, number];
    readonly device_discardPendingCommit: (a: number, b: number, c: number) => [number, number];
    readonly device_encrypt: (a: number, b: number, c: number, d: any) => [number, number, number, number];
    readonly device_encryptText: (a: number, b: number, c: number, d: number, e: number) => [number, number, number, number];
    readonly device_epoch: (a: number, b: number, c: number) => [number, number, number];
    readonly device_epochAuthenticator: (a: number, b: number, c: number) => [number, number, number, number];
    readonly device_exportState: (a: number, b: number, c: number) => [number, number, number, number];
    readonly device_forgetConversation: (a: number, b: number, c: number) => [number, number];
    readonly device_hasPendingCommit: (a: number, b: number, c: number) => [number, number, number];
    readonly device_isMember: (a: number, b: number, c: number) => [number, number, number];
    readonly device_join: (a: number, b: number, c: number) => [number, number, number, number];
    readonly device_keyPackages: (a: number, b: number) => [number, number, number];
    readonly device_lastResortKeyPackage: (a: number) => [number, number, number, number];
    readonly device_members: (a: number, b: number, c: number) => [number, number, number];
    readonly device_mergePendingCommit: (a: number, b: number, c: number) => [number, number, number];
    readonly device_process: (a: number, b: number, c: number, d: number, e: number) => [number, number, number];
    readonly device_removeDevices: (a: number, b: number, c: number, d: any) => [number, number, number];
    readonly device_removeUser: (a: number, b: number, c: number, d: number, e: number) => [number, number, number];
    readonly device_restore: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly device_rotateKeyPackages: (a: number, b: number) => [number, number, number];
    readonly device_safetyNumber: (a: number, b: number, c: number, d: number, e: number) => [number, number, number];
    readonly device_selfUpdate: (a: number, b: number, c: number) => [number, number, number];
    readonly device_signatureKey: (a: number) => [number, number];
    readonly device_userId: (a: number) => [number, number];
    readonly encryptAttachment: (a: number, b: number) => [number, number, number];
    readonly encryptedSize: (a: number) => [number, number, number];
    readonly generateStateKey: () => [number, number];
    readonly inspectKeyPackage: (a: number, b: number) => [number, number, number];
    readonly keylog_new: (a: number, b: number, c: number, d: number) => [number, number, number];
    readonly keylog_note: (a: number) => [number, number];
    readonly keylog_size: (a: number) => number;
    readonly keylog_update: (a: number, b: number, c: number, d: any) => [number, number, number];
    readonly keylog_verifyRegistration: (a: number, b: number, c: number, d: number, e: any, f: number, g: number, h: number, i: number, j: number, k: number) => [number, number];
    readonly pinKey: (a: number, b: number, c: number, d: number, e: number, f: number) => [number, number, number, number];
    readonly qrMatrix: (a: number, b: number) => [number, number, number];
    readonly safetyNumber: (a: any, b: any) => [number, number, number];
    readonly start: () => void;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
