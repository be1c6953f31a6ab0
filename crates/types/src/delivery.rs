//! Request, response and WebSocket frame types of the delivery service: devices, key packages,
//! conversations, messages, welcomes and attachment blobs.
//!
//! Everything the delivery service stores or forwards is ciphertext produced on a device; binary
//! values travel as base64url without padding. Sequence numbers (`seq`) order the messages of
//! one conversation and start at 1; epochs are MLS epochs.

use crate::{BlobId, ConversationId, DeviceId, UserId};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Registers this browser or native client as a device of the signed-in person.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterDeviceRequest {
    /// The id the device chose for itself (`dev_` and 32 random hex digits): it is part of the
    /// MLS credential, which exists before the device is registered.
    pub id: DeviceId,
    /// The device's Ed25519 MLS signature public key (base64url, 32 bytes).
    pub signature_key: String,
    /// A label the person chooses ("Laptop"); 1 to 64 characters.
    pub label: String,
}

/// One device, as its owner and the people they share a conversation with see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Device {
    /// The device id (also in its MLS credential).
    pub id: DeviceId,
    /// Whose device it is.
    pub user_id: UserId,
    /// Its Ed25519 MLS signature public key (base64url).
    pub signature_key: String,
    /// Its owner's label for it.
    pub label: String,
    /// When it was registered.
    pub created_at: i64,
    /// When it was removed, if it was.
    pub removed_at: Option<i64>,
    /// The audit-log leaf that registered its key (key transparency): verify its inclusion
    /// before encrypting to the device.
    pub log_index: u64,
}

/// A list of devices.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeviceList {
    /// Oldest first.
    pub devices: Vec<Device>,
}

/// Key packages a device publishes for others to add it to conversations.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishKeyPackagesRequest {
    /// TLS-encoded MLS key packages (base64url); at most 100 per request.
    pub key_packages: Vec<String>,
}

/// How many key packages the directory holds for a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KeyPackageCount {
    /// Unclaimed one-time key packages.
    pub available: u32,
    /// Whether a last-resort key package is on file.
    pub last_resort: bool,
}

/// Asks for one key package of every current device of some people.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimKeyPackagesRequest {
    /// People the caller shares a care relationship or conversation with.
    pub user_ids: Vec<UserId>,
}

/// A key package handed out by the directory (one-time ones are served once).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClaimedKeyPackage {
    /// Whose device.
    pub user_id: UserId,
    /// Which device.
    pub device_id: DeviceId,
    /// The TLS-encoded key package (base64url).
    pub key_package: String,
}

/// The answer to a claim.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ClaimedKeyPackages {
    /// One per device that has a key package.
    pub key_packages: Vec<ClaimedKeyPackage>,
}

/// Opens a conversation (an MLS group the caller's device has just created) with a peer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateConversationRequest {
    /// The MLS group id the device chose.
    pub conversation_id: ConversationId,
    /// The other person: the caller's client (for a clinician) or clinician (for a client).
    pub peer: UserId,
}

/// A conversation as its members see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Conversation {
    /// Its id.
    pub id: ConversationId,
    /// The people in it.
    pub members: Vec<UserId>,
    /// The current epoch (the number of accepted commits).
    pub epoch: u64,
    /// The sequence number of its latest message (0 when empty).
    pub last_seq: u64,
    /// When it was created.
    pub created_at: i64,
}

/// The caller's device's conversations.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConversationList {
    /// Oldest first.
    pub conversations: Vec<Conversation>,
    /// Conversations of the caller that this device is not part of yet (oldest first): a member
    /// must add it. A new device shows these as waiting instead of starting another one.
    #[serde(default)]
    pub pending: Vec<Conversation>,
}

/// An MLS message to post to a conversation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostMessageRequest {
    /// The TLS-encoded MLS message (base64url): an application message or a commit.
    pub message: String,
    /// With a commit that adds devices: the MLS welcome for them (base64url).
    #[serde(default)]
    pub welcome: Option<String>,
    /// With a commit that removes devices: which ones, so the server stops delivering to them.
    #[serde(default)]
    pub removed_devices: Vec<DeviceId>,
}

/// Where a posted message landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PostedMessage {
    /// Its sequence number in the conversation.
    pub seq: u64,
    /// The conversation's epoch after it (one more than before for an accepted commit).
    pub epoch: u64,
}

/// What kind of MLS message a delivered message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// An application message (text, attachment reference, receipt…).
    Application,
    /// A commit (membership change or self-update).
    Commit,
}

impl MessageKind {
    /// The stable name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Application => "application",
            MessageKind::Commit => "commit",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<MessageKind> {
        match s {
            "application" => Some(MessageKind::Application),
            "commit" => Some(MessageKind::Commit),
            _ => None,
        }
    }
}

/// One message of a conversation's ordered log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeliveredMessage {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// Its position in the conversation (from 1).
    pub seq: u64,
    /// The device that posted it (MLS authenticates the real sender; this is for routing).
    pub sender_device: DeviceId,
    /// Application message or commit.
    pub kind: MessageKind,
    /// The MLS epoch it was sent in.
    pub epoch: u64,
    /// The TLS-encoded MLS message (base64url).
    pub data: String,
    /// When the server accepted it.
    pub created_at: i64,
}

/// A page of a conversation's log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MessagePage {
    /// In order; empty when the device is up to date.
    pub messages: Vec<DeliveredMessage>,
}

/// An MLS welcome waiting for one of the caller's devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Welcome {
    /// Its id, to acknowledge it.
    pub id: u64,
    /// The conversation it joins.
    pub conversation_id: ConversationId,
    /// The sequence number of the commit that added the device: fetch from here on.
    pub seq: u64,
    /// The TLS-encoded MLS welcome (base64url).
    pub data: String,
}

/// Welcomes waiting for the device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WelcomeList {
    /// Oldest first.
    pub welcomes: Vec<Welcome>,
}

/// Acknowledges every message of a conversation up to `seq` (for retention).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    /// The highest sequence number the device has processed.
    pub seq: u64,
}

/// A stored encrypted attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BlobInfo {
    /// Its id, to put in the attachment reference inside an MLS message.
    pub id: BlobId,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of the ciphertext (hex), as the server computed it.
    pub sha256: String,
}

/// What the server pushes over `/api/v1/ws`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// A new message in one of the device's conversations.
    Message(DeliveredMessage),
    /// The device was added to a conversation.
    Welcome(Welcome),
    /// A person the device shares a conversation with (or its own owner) added or removed a
    /// device: fetch their device list, verify the key, show the change.
    DeviceChanged {
        /// Whose device.
        user_id: UserId,
        /// Which device.
        device_id: DeviceId,
        /// Whether it was removed (otherwise added).
        removed: bool,
    },
    /// A `send` frame was accepted.
    Sent {
        /// The client's reference from the `send` frame.
        ref_id: u64,
        /// Where the message landed.
        seq: u64,
        /// The conversation's epoch after it.
        epoch: u64,
    },
    /// A frame was refused.
    Error {
        /// The client's reference, when the refused frame had one.
        ref_id: Option<u64>,
        /// A stable error code.
        code: String,
        /// A sentence for people.
        message: String,
    },
}

/// What a device sends over `/api/v1/ws`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Posts a message, like `POST /api/v1/conversations/{id}/messages`.
    Send {
        /// A number the device chooses to match the answer.
        ref_id: u64,
        /// The conversation.
        conversation_id: ConversationId,
        /// The TLS-encoded MLS message (base64url).
        message: String,
        /// With a commit that adds devices: their welcome (base64url).
        #[serde(default)]
        welcome: Option<String>,
        /// With a commit that removes devices: which ones.
        #[serde(default)]
        removed_devices: Vec<DeviceId>,
    },
    /// Acknowledges a conversation's messages up to `seq`.
    Ack {
        /// The conversation.
        conversation_id: ConversationId,
        /// The highest processed sequence number.
        seq: u64,
    },
}

/// A person confirms they compared a conversation's safety number with the other person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SafetyNumberReport {
    /// The 60 digits compared (spaces allowed).
    pub safety_number: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tagged_json() {
        let frame = ClientFrame::Ack {
            conversation_id: ConversationId::parse("00ff").expect("id"),
            seq: 7,
        };
        let json = serde_json::to_string(&frame).expect("json");
        assert_eq!(json, r#"{"type":"ack","conversation_id":"00ff","seq":7}"#);
        let back: ClientFrame = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, frame);
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"ack","seq":1}"#).is_err());
        let sent = ServerFrame::Sent {
            ref_id: 1,
            seq: 2,
            epoch: 3,
        };
        assert_eq!(
            serde_json::to_string(&sent).expect("json"),
            r#"{"type":"sent","ref_id":1,"seq":2,"epoch":3}"#
        );
    }
}
