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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_their_own_shape() {
        let id = UserId::from_random([0xab; 16]);
        assert_eq!(id.as_str(), format!("usr_{}", "ab".repeat(16)));
        assert_eq!(UserId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(PasskeyId::parse(id.as_str()), None);
        assert_eq!(UserId::parse("usr_"), None);
        assert_eq!(UserId::parse(&format!("usr_{}", "AB".repeat(16))), None);
        assert_eq!(UserId::parse(&format!("usr_{}", "ab".repeat(17))), None);
        assert_eq!(UserId::parse("usr_../../etc/passwd"), None);
    }
}
