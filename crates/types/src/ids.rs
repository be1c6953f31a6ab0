//! Identifier newtypes: an id of one kind can never be passed where another is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// Builds an id from 16 random bytes (the caller supplies the randomness).
            pub fn from_random(bytes: [u8; 16]) -> Self {
                let mut s = String::with_capacity(Self::PREFIX.len() + 32);
                s.push_str(Self::PREFIX);
                for b in bytes {
                    s.push_str(&format!("{b:02x}"));
                }
                $name(s)
            }

            /// Accepts a string only if it has this kind's shape (prefix and 32 lowercase hex digits).
            pub fn parse(s: &str) -> Option<Self> {
                let rest = s.strip_prefix(Self::PREFIX)?;
                let ok = rest.len() == 32
                    && rest.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                ok.then(|| $name(s.to_owned()))
            }

            /// The id as stored and sent.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A person's account.
    UserId,
    "usr_"
);
id_type!(
    /// One registered passkey.
    PasskeyId,
    "pk_"
);
id_type!(
    /// An invitation, setup or recovery link (not its secret token).
    InvitationId,
    "inv_"
);
id_type!(
    /// One recorded acceptance of a consent document.
    ConsentRecordId,
    "cr_"
);
id_type!(
    /// One WebAuthn ceremony in progress (registration or sign-in).
    CeremonyId,
    "cer_"
);
id_type!(
    /// One device of a person (a browser profile or a native client) with its own MLS keys.
    DeviceId,
    "dev_"
);
id_type!(
    /// An encrypted attachment blob held by the delivery service.
    BlobId,
    "blob_"
);

/// A conversation (an MLS group): the lowercase hex of its group id, which its creator's device
/// chose at random. The server never learns more about it than this id and its members.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct ConversationId(String);

impl ConversationId {
    /// Longest accepted id, in hex digits.
    pub const MAX_HEX: usize = 64;

    /// Accepts 2 to [`Self::MAX_HEX`] lowercase hex digits (an even number).
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_HEX
            && s.len().is_multiple_of(2)
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| ConversationId(s.to_owned()))
    }

    /// The id as stored and sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_their_own_shape() {
        let id = UserId::from_random([0xab; 16]);
        assert_eq!(id.as_str(), format!("usr_{}", "ab".repeat(16)));
        assert_eq!(UserId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(PasskeyId::parse(id.as_str()), None);
        assert_eq!(DeviceId::parse(id.as_str()), None);
        assert_eq!(UserId::parse("usr_"), None);
        assert_eq!(UserId::parse(&format!("usr_{}", "AB".repeat(16))), None);
        assert_eq!(UserId::parse(&format!("usr_{}", "ab".repeat(17))), None);
        assert_eq!(UserId::parse("usr_../../etc/passwd"), None);
    }
}

#[cfg(test)]
mod conversation_tests {
    use super::ConversationId;

    #[test]
    fn conversation_ids_are_short_lowercase_hex() {
        for ok in ["00", "01abcdef", &"a".repeat(64)] {
            assert!(ConversationId::parse(ok).is_some(), "{ok}");
        }
        for bad in ["", "0", "0A", "0g", &"a".repeat(66), "01 2"] {
            assert!(ConversationId::parse(bad).is_none(), "{bad}");
        }
    }
}
