//! Request and response bodies of the HTTP API under `/api/v1`.
//!
//! Every request type rejects unknown fields, so a typo in a client is a clear `bad_request`
//! rather than a silently ignored setting. Times are milliseconds since the Unix epoch.

use crate::{InvitationId, InvitationKind, PasskeyId, Role, UserId};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The body of every error answer: `{"error": {"code": …, "message": …}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// A stable code for programs and a plain-language message for people.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorDetail {
    /// Stable snake_case code (see [`crate::ErrorCode`]).
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
}

/// Whether the instance still waits for its first admin.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SetupStatus {
    /// True until the setup link has been redeemed.
    pub setup_required: bool,
    /// The practice's name as configured.
    pub practice_name: String,
}

/// A link's secret token, sent in a body so it never appears in a URL or log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The token from the link's `#fragment`.
    pub token: String,
}

/// What a setup, invitation or recovery link is for, before it is redeemed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationPreview {
    /// Setup, invitation or recovery.
    pub kind: InvitationKind,
    /// The role the new account will have (or has, for recovery).
    pub role: Role,
    /// The display name of the person who issued it (none for the setup link).
    pub inviter_name: Option<String>,
    /// When the link stops working.
    pub expires_at: i64,
    /// The practice's name.
    pub practice_name: String,
}

/// Starts redeeming a link: the person's chosen name and phrase (ignored for recovery).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedeemStartRequest {
    /// The token from the link's `#fragment`.
    pub token: String,
    /// How the person wants to be called (1–80 characters).
    #[serde(default)]
    pub display_name: String,
    /// Shown back on every genuine page and e-mail (3–64 characters).
    #[serde(default)]
    pub anti_phishing_phrase: String,
}

/// A WebAuthn ceremony to run in the browser.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CeremonyChallenge {
    /// Identifies the ceremony when finishing it.
    pub ceremony_id: String,
    /// The options for `navigator.credentials.create` or `.get` (binary fields base64url).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub public_key: serde_json::Value,
}

/// Finishes redeeming a link with the new passkey.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedeemFinishRequest {
    /// From [`CeremonyChallenge`].
    pub ceremony_id: String,
    /// The browser's registration response (binary fields base64url).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
    /// A name to recognise this passkey by ("Laptop", "Phone").
    #[serde(default)]
    pub passkey_name: String,
}

/// An empty JSON object, for requests without parameters.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Finishes a sign-in or re-authentication ceremony.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssertionFinishRequest {
    /// From [`CeremonyChallenge`].
    pub ceremony_id: String,
    /// The browser's assertion (binary fields base64url).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// Finishes adding another passkey to one's account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeyFinishRequest {
    /// From [`CeremonyChallenge`].
    pub ceremony_id: String,
    /// The browser's registration response.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
    /// A name to recognise this passkey by.
    #[serde(default)]
    pub name: String,
}

/// The signed-in person, as they see themselves.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    /// Their account id.
    pub id: UserId,
    /// Their role.
    pub role: Role,
    /// Their display name.
    pub display_name: String,
    /// The phrase every genuine page shows them.
    pub anti_phishing_phrase: String,
    /// How many passkeys they have (the UI nudges towards a second one).
    pub passkey_count: i64,
    /// The practice's name.
    pub practice_name: String,
    /// Their current session.
    pub session: SessionInfo,
}

/// Timing facts about the current session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionInfo {
    /// The session ends after this many seconds without a request.
    pub idle_timeout_secs: i64,
    /// When the session ends regardless of activity.
    pub expires_at: i64,
    /// Until when sensitive actions are allowed without another passkey confirmation.
    pub reauth_until: Option<i64>,
}

/// Changes the anti-phishing phrase.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhraseRequest {
    /// The new phrase (3–64 characters).
    pub phrase: String,
}

/// One registered passkey.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Passkey {
    /// Its id.
    pub id: PasskeyId,
    /// The name its owner gave it.
    pub name: String,
    /// When it was registered.
    pub created_at: i64,
    /// When it last signed in.
    pub last_used_at: Option<i64>,
}

/// A person's passkeys.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasskeyList {
    /// Oldest first.
    pub passkeys: Vec<Passkey>,
}

/// Renames a passkey.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RenameRequest {
    /// The new name (1–60 characters).
    pub name: String,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Not used yet and still valid.
    Pending,
    /// Used.
    Redeemed,
    /// Its time ran out unused.
    Expired,
    /// Withdrawn by staff.
    Revoked,
}

/// An invitation as its issuer sees it (never with its token).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Invitation {
    /// Its id.
    pub id: InvitationId,
    /// Invitation or recovery.
    pub kind: InvitationKind,
    /// The role it grants.
    pub role: Role,
    /// The issuer's private note about whom it is for.
    pub label: Option<String>,
    /// When it was issued.
    pub created_at: i64,
    /// When it stops working.
    pub expires_at: i64,
    /// Where it stands now.
    pub status: InvitationStatus,
    /// Who issued it.
    pub inviter_id: Option<UserId>,
}

/// Invitations visible to the caller.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationList {
    /// Newest first.
    pub invitations: Vec<Invitation>,
}

/// Issues an invitation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationRequest {
    /// The role the new account will have.
    pub role: Role,
    /// A private note about whom it is for (at most 80 characters).
    #[serde(default)]
    pub label: Option<String>,
}

/// A freshly issued link: shown once, never retrievable again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IssuedInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// The link to hand over; its token is in the `#fragment`.
    pub link: String,
}

/// A person as staff see them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Person {
    /// Their account id.
    pub id: UserId,
    /// Their role.
    pub role: Role,
    /// Their display name.
    pub display_name: String,
    /// When the account was created.
    pub created_at: i64,
    /// How many passkeys they have.
    pub passkey_count: i64,
    /// When they last signed in.
    pub last_sign_in_at: Option<i64>,
}

/// People visible to the caller.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonList {
    /// Oldest first.
    pub people: Vec<Person>,
}

/// Liveness and readiness answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// "ok" when healthy.
    pub status: String,
}
