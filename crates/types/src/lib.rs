//! Identifiers, API request/response types and error codes shared by every Alcove crate.
//!
//! The main types are the identifier newtypes ([`UserId`], [`PasskeyId`], [`InvitationId`],
//! [`CeremonyId`]), the [`Role`] a person has in a practice, the stable [`ErrorCode`]s every API
//! error carries, the request and response bodies of the HTTP API in [`api`], and those of the
//! delivery service (devices, key packages, conversations, messages, blobs, WebSocket frames) in
//! [`delivery`].
//!
//! This crate does no I/O and knows nothing about HTTP or SQL: it only names things.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod api;
pub mod delivery;
mod error;
mod ids;

pub use error::ErrorCode;
pub use ids::{
    BlobId, CeremonyId, ConsentRecordId, ConversationId, DeviceId, InvitationId, PasskeyId, UserId,
};

use serde::{Deserialize, Serialize};

/// What a person does in a practice; it decides what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sets up the instance, invites staff, sets policies; cannot read anybody's messages.
    Admin,
    /// Invites and counsels clients; consults supervisors.
    Clinician,
    /// Receives de-identified consultations; never sees client records.
    Supervisor,
    /// Talks with their clinician.
    Client,
}

impl Role {
    /// The stable name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clinician => "clinician",
            Role::Supervisor => "supervisor",
            Role::Client => "client",
        }
    }

    /// Parses the stable name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "clinician" => Some(Role::Clinician),
            "supervisor" => Some(Role::Supervisor),
            "client" => Some(Role::Client),
            _ => None,
        }
    }

    /// Whether this person belongs to the practice's staff (everyone but clients).
    pub fn is_staff(self) -> bool {
        self != Role::Client
    }

    /// The roles a person of this role may invite.
    pub fn may_invite(self, invitee: Role) -> bool {
        match self {
            Role::Admin => invitee != Role::Client,
            Role::Clinician => invitee == Role::Client,
            Role::Supervisor | Role::Client => false,
        }
    }
}

/// What an invitation link does when redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationKind {
    /// The one-time first-run link that creates the first practice admin.
    Setup,
    /// A new account with a role.
    Invitation,
    /// A new passkey for an existing account whose owner lost every passkey.
    Recovery,
}

impl InvitationKind {
    /// The stable name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationKind::Setup => "setup",
            InvitationKind::Invitation => "invitation",
            InvitationKind::Recovery => "recovery",
        }
    }

    /// Parses the stable name; `None` for anything else.
    pub fn parse(s: &str) -> Option<InvitationKind> {
        match s {
            "setup" => Some(InvitationKind::Setup),
            "invitation" => Some(InvitationKind::Invitation),
            "recovery" => Some(InvitationKind::Recovery),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in [Role::Admin, Role::Clinician, Role::Supervisor, Role::Client] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            let json = serde_json::to_string(&role).expect("serialise");
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn who_may_invite_whom() {
        let check = |inviter: Role, invitee: Role, expected: bool| {
            assert_eq!(
                inviter.may_invite(invitee),
                expected,
                "{inviter:?} inviting {invitee:?}"
            );
        };
        check(Role::Admin, Role::Clinician, true);
        check(Role::Admin, Role::Supervisor, true);
        check(Role::Admin, Role::Admin, true);
        check(Role::Admin, Role::Client, false);
        check(Role::Clinician, Role::Client, true);
        check(Role::Clinician, Role::Clinician, false);
        check(Role::Supervisor, Role::Client, false);
        check(Role::Client, Role::Client, false);
    }
}
