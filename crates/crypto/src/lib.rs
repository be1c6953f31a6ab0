//! The end-to-end encryption core of Alcove: MLS (RFC 9420) conversations
//! through OpenMLS, device identity, the application payload, attachment
//! encryption, encrypted state at rest and safety numbers.
//!
//! The main types:
//!
//! - [`Device`]: one device of one user. It owns an Ed25519 signature key and
//!   an MLS credential naming the user and the device ([`DeviceIdentity`],
//!   encoded as `alcove:v1:<user_id>:<device_id>`), makes key packages
//!   ([`Device::key_packages`], [`Device::last_resort_key_package`],
//!   [`Device::rotate_key_packages`]) and holds its conversations: it creates
//!   them ([`Device::create_conversation`]), joins them from a welcome
//!   ([`Device::join`]), adds and removes devices and updates its own keys
//!   (each returning an [`OutgoingCommit`] to post to the delivery service),
//!   encrypts [`Payload`]s ([`Device::encrypt`]) and processes what the
//!   delivery service delivers ([`Device::process`] → [`Incoming`]).
//! - [`Payload`]: the versioned content of an application message (text,
//!   attachment reference, read receipt, typing, live-session start/end);
//!   kinds this build does not know decode as [`PayloadKind::Unknown`].
//! - [`encrypt_attachment`] / [`decrypt_attachment`] and the streaming
//!   [`AttachmentEncryptor`] / [`AttachmentDecryptor`]: 64 KiB chunks of
//!   ChaCha20-Poly1305 in the STREAM construction.
//! - [`StateKey`], [`StateStore`]: a device's state serialised and encrypted
//!   at rest ([`Device::export_state`], [`Device::restore_state`]).
//! - [`safety_number`]: 60 digits and a QR payload over two people's device
//!   key sets.
//! - [`Error`] with [`ErrorKind`]: stale or future epoch (rebase or fetch),
//!   tampered, replayed, malformed, not a member, and so on.
//!
//! The crate does no network or database I/O and builds for wasm32; the only
//! I/O is the optional [`FileStateStore`], which exists on native targets only.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod attachment;
mod codec;
mod conversation;
mod device;
mod error;
mod identity;
mod inspect;
mod payload;
mod safety;
mod state;

pub use attachment::{
    decrypt_attachment, encrypt_attachment, encrypted_size, verify_and_decrypt_attachment,
    AttachmentDecryptor, AttachmentEncryptor, AttachmentKey, CHUNK_SIZE, HEADER_SIZE,
};
pub use conversation::{ConversationId, ConversationKind, Incoming, OutgoingCommit};
pub use device::{Device, KeyPackageBatch, CIPHERSUITE};
pub use error::{Error, ErrorKind, Result};
pub use identity::{DeviceId, DeviceIdentity, MemberDevice, UserId};
pub use inspect::{inspect_key_package, inspect_message, KeyPackageInfo, MessageInfo, MessageType};
pub use payload::{AttachmentRef, Payload, PayloadKind, PAYLOAD_VERSION};
pub use safety::{safety_number, DeviceKey, PersonKeys, SafetyNumber};
#[cfg(not(target_arch = "wasm32"))]
pub use state::FileStateStore;
pub use state::{MemoryStateStore, StateKey, StateStore};
