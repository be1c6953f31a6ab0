//! Conversation identifiers and kinds, and what processing a message yields.

use std::fmt;

use rand_core::{OsRng, RngCore};

use crate::error::{err, ErrorKind, Result};
use crate::identity::DeviceIdentity;
use crate::payload::Payload;

/// What a conversation is for. It is part of the MLS group id, so every
/// member (and the server) agrees on it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum ConversationKind {
    /// A clinician and a client, with all their devices.
    CareRelationship,
    /// A clinician and a supervisor or peer consultant.
    Consultation,
}

impl ConversationKind {
    fn tag(self) -> u8 {
        match self {
            ConversationKind::CareRelationship => 1,
            ConversationKind::Consultation => 2,
        }
    }

    fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            1 => Some(ConversationKind::CareRelationship),
            2 => Some(ConversationKind::Consultation),
            _ => None,
        }
    }
}

const RANDOM_LEN: usize = 16;

/// A conversation's identifier: the MLS group id, 17 bytes
/// (`kind tag ‖ 16 random bytes`), written as 34 lowercase hex digits in APIs.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConversationId([u8; 1 + RANDOM_LEN]);

impl ConversationId {
    pub(crate) fn generate(kind: ConversationKind) -> Self {
        let mut b = [0u8; 1 + RANDOM_LEN];
        b[0] = kind.tag();
        OsRng.fill_bytes(&mut b[1..]);
        ConversationId(b)
    }

    /// Parses the raw group id bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; 1 + RANDOM_LEN] = bytes
            .try_into()
            .map_err(|_| err(ErrorKind::InvalidInput, "conversation id length"))?;
        if ConversationKind::from_tag(arr[0]).is_none() {
            return Err(err(ErrorKind::UnsupportedVersion, "conversation kind"));
        }
        Ok(ConversationId(arr))
    }

    /// The raw group id bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The id as 34 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 34 hex digits.
    pub fn from_hex(hex: &str) -> Result<Self> {
        let bad = || err(ErrorKind::InvalidInput, "conversation id hex");
        if hex.len() != 2 * (1 + RANDOM_LEN) || !hex.is_ascii() {
            return Err(bad());
        }
        let bytes: Vec<u8> = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad()))
            .collect::<Result<_>>()?;
        Self::from_bytes(&bytes)
    }

    /// What the conversation is for.
    pub fn kind(&self) -> ConversationKind {
        // The constructors only admit known tags.
        ConversationKind::from_tag(self.0[0]).unwrap_or(ConversationKind::CareRelationship)
    }
}

impl fmt::Debug for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConversationId({:?}, ..)", self.kind())
    }
}

/// A commit created by this device, to post to the delivery service.
///
/// After posting `message`: if the delivery service accepted it, call
/// [`crate::Device::merge_pending_commit`] and then deliver `welcome` (if any)
/// to the added devices; if it refused it because another commit of the same
/// epoch won, call [`crate::Device::discard_pending_commit`], process the
/// winner and redo the operation. Processing the accepted commit's own bytes
/// when they come back from the delivery service also merges it.
#[derive(Clone, Debug)]
pub struct OutgoingCommit {
    /// The MLS commit message.
    pub message: Vec<u8>,
    /// The MLS welcome for devices this commit adds.
    pub welcome: Option<Vec<u8>>,
    /// The epoch the commit was created in (the delivery service's "first
    /// commit of an epoch wins" rule applies to it).
    pub epoch: u64,
}

/// What processing one incoming MLS message produced.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Incoming {
    /// An application message.
    Application {
        /// The decoded payload.
        payload: Payload,
        /// The sending device (authenticated by MLS).
        sender: DeviceIdentity,
        /// The epoch it was sent in.
        epoch: u64,
    },
    /// A commit by another member, now merged.
    Commit {
        /// The epoch the conversation is in now.
        epoch: u64,
        /// The committing device.
        sender: DeviceIdentity,
        /// Devices added by the commit.
        added: Vec<DeviceIdentity>,
        /// Devices removed by the commit.
        removed: Vec<DeviceIdentity>,
        /// Whether this device was removed (it can no longer read or send).
        removed_self: bool,
        /// Whether an own pending commit of the same epoch lost and was
        /// discarded: redo that operation in the new epoch.
        discarded_own_commit: bool,
    },
    /// The delivery service echoed this device's own pending commit: it was
    /// accepted and is now merged.
    OwnCommitMerged {
        /// The epoch the conversation is in now.
        epoch: u64,
    },
    /// The delivery service echoed one of this device's own application
    /// messages; there is nothing to show.
    OwnMessage,
    /// A standalone proposal. Alcove clients do not send them; it is ignored.
    IgnoredProposal,
}
