//! Alcove's Rust core for the browser and Node: a wasm-bindgen facade over
//! `alcove-crypto` (MLS devices and conversations, payloads, attachments,
//! encrypted state at rest, safety numbers) and `alcove-deid`
//! (de-identification).
//!
//! # The boundary
//!
//! `cargo xtask wasm` builds this crate for `wasm32-unknown-unknown` and runs
//! `wasm-bindgen` into `target/wasm-pkg/node` (CommonJS for Node) and
//! `target/wasm-pkg/web` (an ES module for the browser, initialised with its
//! default export). What JavaScript sees:
//!
//! - `Device.create(userId, deviceId)`, `Device.restore(state, key)` and
//!   `device.exportState(key)` (the whole state encrypted under a 32-byte
//!   key; `generateStateKey()` makes one). Persist after every call that
//!   changes state.
//! - Key packages: `keyPackages(n)`, `lastResortKeyPackage()`,
//!   `rotateKeyPackages(n)`; `inspectKeyPackage(bytes)` → `{userId,
//!   deviceId, signatureKey, lastResort}` (to check before adding a device).
//! - Conversations, named by 34 hex digits: `createConversation("care" |
//!   "consultation")`, `addDevices(conv, [keyPackage])`,
//!   `removeDevices(conv, [{userId, deviceId}])`, `removeUser`, `selfUpdate`
//!   — each returns `{commit, welcome, epoch}` to post — then
//!   `mergePendingCommit` (accepted) or `discardPendingCommit` (refused);
//!   `join(welcome)`; `members`, `epoch`, `isMember`, `hasPendingCommit`,
//!   `epochAuthenticator`, `forgetConversation`.
//! - Messages: `encryptText(conv, text)`, `encrypt(conv, payload)` with a
//!   payload object `{kind: "text" | "attachment" | "readReceipt" | "typing"
//!   | "liveSessionStart" | "liveSessionEnd", ...}`, and `process(conv,
//!   bytes)`, which returns an `Incoming` object: `{type: "application",
//!   epoch, sender: {userId, deviceId}, payload}`, `{type: "commit", epoch,
//!   sender, added, removed, removedSelf, discardedOwnCommit}`,
//!   `{type: "ownCommitMerged", epoch}`, `{type: "ownMessage"}` or
//!   `{type: "ignored"}`.
//! - Safety numbers: `device.safetyNumber(conv, peerUserId)` or
//!   `safetyNumber(personA, personB)` → `{digits, display, qr}`;
//!   `qrMatrix(qr)` → `{size, modules}` to draw the QR code.
//! - Attachments: `encryptAttachment(bytes)` → `{key, blob, hash, size}`,
//!   `decryptAttachment(key, blob, hash)`, `encryptedSize(n)`, and the
//!   streaming `AttachmentEncryptor` / `AttachmentDecryptor` classes
//!   (`update(piece)`, `finish()`, `bytesIn`, `bytesOut`).
//! - De-identification: `deidFind(text)` → spans with UTF-16 offsets
//!   (`start`, `end`: what `String.prototype.slice` takes) and UTF-8 byte
//!   offsets (`startByte`, `endByte`: the `alcove deid` contract),
//!   `deidRedact(text)`, `deidPseudonymize(text, caseKey)`, `deidWarmUp()`.
//! - Key transparency: `new KeyLog(logKey, rememberedNote?)`, `update(note,
//!   consistencyProof)`, `size`, `note`, and `verifyRegistration(leaf, index,
//!   proof, userId, deviceId, signatureKey)` (codes `log_fork`,
//!   `log_signature`, `log_inclusion`, `log_registration`).
//! - `pinKey(pin, salt)`: a 32-byte key from a PIN (Argon2id, 64 MiB, 3
//!   passes) for browsers whose passkey has no PRF.
//!
//! Bytes cross as `Uint8Array`, epochs and sizes as numbers. Every failure is
//! thrown as an `Error` named `AlcoveError` with a stable `code`
//! (`tampered`, `replayed`, `stale_epoch`, `future_epoch`, `pending_commit`,
//! `malformed`, `truncated`, `not_a_member`, `unknown_conversation`,
//! `invalid_input`, `unsupported_version`, `storage`, `wrong_key`,
//! `internal`; see [`error::code_of`]); messages never carry identifiers,
//! keys or content. The facade does not panic on hostile input (the crates
//! beneath return errors); should a bug panic anyway, a hook reports only
//! the source location on the console, and the module instance must be
//! reloaded.
//!
//! # Layout
//!
//! The logic is plain Rust that the host tests exercise: [`value`] abstracts
//! reading and building JavaScript values, [`views`] maps the crypto types to
//! objects and back, and the classes and functions in [`device`],
//! [`attachment`], [`safety`] and [`deid`] are thin `#[wasm_bindgen]`
//! wrappers. The Node tests in `tests-node/` run the built package; the
//! benchmark is `bench/bench.mjs`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod attachment;
pub mod deid;
pub mod device;
pub mod error;
pub mod pin;
pub mod safety;
pub mod transparency;
pub mod value;
pub mod views;

#[cfg(test)]
mod tests;

pub use device::Device;
pub use error::{Error, Result};
pub use transparency::KeyLog;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
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
"#;

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Runs when the module is instantiated: installs a panic hook that reports
/// only where the panic happened (its message could quote content).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        console_error(&format!(
            "alcove-wasm: internal error (panic){at}; reload the module"
        ));
    }));
}
