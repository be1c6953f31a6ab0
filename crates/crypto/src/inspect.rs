//! What the delivery service may learn from MLS bytes without any key: the
//! conversation, epoch and type of a message, the addressees of a welcome,
//! and who a key package belongs to. Used by the server to order messages
//! ("first commit of an epoch wins"), route welcomes and check uploads.

use openmls::prelude::tls_codec::Deserialize as _;
use openmls::prelude::{
    ContentType, KeyPackageIn, MlsMessageBodyIn, MlsMessageIn, ProtocolVersion,
};
use openmls_rust_crypto::RustCrypto;

use crate::conversation::ConversationId;
use crate::device::CIPHERSUITE;
use crate::error::{err, ErrorKind, Result};
use crate::identity::DeviceIdentity;

/// The public framing of an MLS message.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum MessageType {
    /// An application message of a conversation.
    Application,
    /// A standalone proposal.
    Proposal,
    /// A commit: the delivery service accepts the first one per epoch.
    Commit,
    /// A welcome, addressed to the key packages whose hash references
    /// (RFC 9420 `KeyPackageRef`) are listed.
    Welcome {
        /// `KeyPackageRef`s of the devices the welcome is for.
        key_package_refs: Vec<Vec<u8>>,
    },
    /// Anything else (group info, a key package sent as a message).
    Other,
}

/// What [`inspect_message`] learned.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MessageInfo {
    /// The conversation (`None` for a welcome, whose group id is encrypted).
    pub conversation: Option<ConversationId>,
    /// The epoch the message belongs to (`None` for a welcome).
    pub epoch: Option<u64>,
    /// The message's type.
    pub message_type: MessageType,
}

/// Reads the public framing of MLS message bytes. It authenticates nothing.
pub fn inspect_message(bytes: &[u8]) -> Result<MessageInfo> {
    let msg = MlsMessageIn::tls_deserialize_exact(bytes)
        .map_err(|_| err(ErrorKind::Malformed, "inspect message"))?;
    match msg.extract() {
        MlsMessageBodyIn::Welcome(w) => Ok(MessageInfo {
            conversation: None,
            epoch: None,
            message_type: MessageType::Welcome {
                key_package_refs: w
                    .secrets()
                    .iter()
                    .map(|s| s.new_member().as_slice().to_vec())
                    .collect(),
            },
        }),
        body @ (MlsMessageBodyIn::PublicMessage(_) | MlsMessageBodyIn::PrivateMessage(_)) => {
            let proto = match body {
                MlsMessageBodyIn::PublicMessage(m) => openmls::prelude::ProtocolMessage::from(m),
                MlsMessageBodyIn::PrivateMessage(m) => openmls::prelude::ProtocolMessage::from(m),
                _ => return Err(err(ErrorKind::Internal, "inspect message")),
            };
            let message_type = match proto.content_type() {
                ContentType::Application => MessageType::Application,
                ContentType::Proposal => MessageType::Proposal,
                ContentType::Commit => MessageType::Commit,
            };
            Ok(MessageInfo {
                conversation: Some(ConversationId::from_bytes(proto.group_id().as_slice())?),
                epoch: Some(proto.epoch().as_u64()),
                message_type,
            })
        }
        _ => Ok(MessageInfo {
            conversation: None,
            epoch: None,
            message_type: MessageType::Other,
        }),
    }
}

/// What [`inspect_key_package`] learned from a valid key package.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct KeyPackageInfo {
    /// Whose device the key package is for.
    pub identity: DeviceIdentity,
    /// The device's Ed25519 signature public key.
    pub signature_key: Vec<u8>,
    /// The `KeyPackageRef` (matches [`MessageType::Welcome`] addressees).
    pub key_package_ref: Vec<u8>,
    /// Whether it is a last-resort key package (may be served repeatedly).
    pub last_resort: bool,
}

/// Parses and verifies a key package (signature, ciphersuite, lifetime,
/// credential format). The server checks uploads with it: the identity must
/// be the uploading device and the signature key the one it registered.
pub fn inspect_key_package(bytes: &[u8]) -> Result<KeyPackageInfo> {
    let crypto = RustCrypto::default();
    let kp = KeyPackageIn::tls_deserialize_exact(bytes)
        .map_err(|_| err(ErrorKind::Malformed, "key package"))?
        .validate(&crypto, ProtocolVersion::Mls10)
        .map_err(|_| err(ErrorKind::Tampered, "key package validation"))?;
    if kp.ciphersuite() != CIPHERSUITE {
        return Err(err(ErrorKind::InvalidInput, "key package ciphersuite"));
    }
    let leaf = kp.leaf_node();
    let identity = DeviceIdentity::from_credential(leaf.credential())?;
    let key_package_ref = kp
        .hash_ref(&crypto)
        .map_err(|_| err(ErrorKind::Internal, "key package hash"))?
        .as_slice()
        .to_vec();
    Ok(KeyPackageInfo {
        identity,
        signature_key: leaf.signature_key().as_slice().to_vec(),
        key_package_ref,
        last_resort: kp.last_resort(),
    })
}
