//! Device identity: user and device identifiers and their encoding in an MLS
//! `BasicCredential`.
//!
//! # Credential encoding
//!
//! The identity bytes of a device's `BasicCredential` are the ASCII string
//!
//! ```text
//! alcove:v1:<user_id>:<device_id>
//! ```
//!
//! where both identifiers are 1 to 64 characters from `[A-Za-z0-9._-]` (a
//! UUID fits). Because `:` cannot occur inside an identifier the encoding is
//! unambiguous, and [`DeviceIdentity::from_credential_bytes`] accepts exactly
//! the strings [`DeviceIdentity::to_credential_bytes`] produces. Peers read it
//! from every member of a conversation to show whose device is whose.

use std::fmt;

use crate::error::{err, ErrorKind, Result};

const PREFIX: &str = "alcove:v1:";
const MAX_ID_LEN: usize = 64;

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Checks the identifier: 1 to 64 characters from `[A-Za-z0-9._-]`.
            pub fn new(id: impl Into<String>) -> Result<Self> {
                let id = id.into();
                if valid_id(&id) {
                    Ok($name(id))
                } else {
                    Err(err(ErrorKind::InvalidInput, concat!("invalid ", stringify!($name))))
                }
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            // Identifiers stay out of debug output so they cannot reach logs.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }
    };
}

id_type!(
    /// A user's identifier as the server assigns it (a person: client,
    /// clinician, supervisor).
    UserId
);
id_type!(
    /// A device's identifier as the server assigns it (a browser profile or an
    /// installation of a native client).
    DeviceId
);

/// Which user a device belongs to and which device it is.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct DeviceIdentity {
    /// The device's owner.
    pub user: UserId,
    /// The device.
    pub device: DeviceId,
}

impl DeviceIdentity {
    /// Pairs a user and one of their devices.
    pub fn new(user: UserId, device: DeviceId) -> Self {
        DeviceIdentity { user, device }
    }

    /// The credential identity bytes: `alcove:v1:<user_id>:<device_id>`.
    pub fn to_credential_bytes(&self) -> Vec<u8> {
        format!("{PREFIX}{}:{}", self.user.as_str(), self.device.as_str()).into_bytes()
    }

    /// Parses credential identity bytes written by
    /// [`DeviceIdentity::to_credential_bytes`].
    pub fn from_credential_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = || {
            err(
                ErrorKind::InvalidInput,
                "credential is not an Alcove device identity",
            )
        };
        let text = std::str::from_utf8(bytes).map_err(|_| bad())?;
        let rest = text.strip_prefix(PREFIX).ok_or_else(bad)?;
        let (user, device) = rest.split_once(':').ok_or_else(bad)?;
        Ok(DeviceIdentity {
            user: UserId::new(user).map_err(|_| bad())?,
            device: DeviceId::new(device).map_err(|_| bad())?,
        })
    }

    /// Reads the identity from an MLS credential (it must be a
    /// `BasicCredential`).
    pub(crate) fn from_credential(credential: &openmls::prelude::Credential) -> Result<Self> {
        use openmls::prelude::{BasicCredential, CredentialType};
        if credential.credential_type() != CredentialType::Basic {
            return Err(err(
                ErrorKind::InvalidInput,
                "credential is not a basic credential",
            ));
        }
        let basic = BasicCredential::try_from(credential.clone()).map_err(|_| {
            err(
                ErrorKind::InvalidInput,
                "credential is not a basic credential",
            )
        })?;
        Self::from_credential_bytes(basic.identity())
    }
}

/// A device of a conversation's member as MLS shows it: who it is and its
/// Ed25519 signature public key (the key safety numbers are computed over).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MemberDevice {
    /// Whose device, and which.
    pub identity: DeviceIdentity,
    /// The device's Ed25519 signature public key (32 bytes).
    pub signature_key: Vec<u8>,
}
