//! Plain records read from and written to the database.

use crate::{get_kind, get_role, Error, ErrorKind};
use alcove_types::{InvitationId, InvitationKind, PasskeyId, Role, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

pub(crate) fn user_id(row: &AnyRow, col: &str) -> Result<UserId, Error> {
    let s: String = row.try_get(col)?;
    UserId::parse(&s).ok_or_else(|| Error::new(ErrorKind::Corrupt))
}

pub(crate) fn opt_user_id(row: &AnyRow, col: &str) -> Result<Option<UserId>, Error> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| UserId::parse(&s).ok_or_else(|| Error::new(ErrorKind::Corrupt)))
        .transpose()
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Its id.
    pub id: UserId,
    /// Its role.
    pub role: Role,
    /// The name its owner chose.
    pub display_name: String,
    /// The phrase shown on genuine pages.
    pub anti_phishing_phrase: String,
    /// The opaque user handle its passkeys carry (a UUID, unrelated to the id).
    pub webauthn_handle: String,
    /// Creation time.
    pub created_at: i64,
    /// Last sign-in time.
    pub last_sign_in_at: Option<i64>,
}

impl UserRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, Error> {
        Ok(UserRow {
            id: user_id(row, "id")?,
            role: get_role(row, "role")?,
            display_name: row.try_get("display_name")?,
            anti_phishing_phrase: row.try_get("anti_phishing_phrase")?,
            webauthn_handle: row.try_get("webauthn_handle")?,
            created_at: row.try_get("created_at")?,
            last_sign_in_at: row.try_get("last_sign_in_at")?,
        })
    }
}

/// A new account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Its id.
    pub id: UserId,
    /// Its role.
    pub role: Role,
    /// The chosen name.
    pub display_name: String,
    /// The chosen phrase.
    pub anti_phishing_phrase: String,
    /// The opaque passkey user handle.
    pub webauthn_handle: String,
}

/// A person as listed for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// Their id.
    pub id: UserId,
    /// Their role.
    pub role: Role,
    /// Their name.
    pub display_name: String,
    /// Account creation time.
    pub created_at: i64,
    /// Last sign-in time.
    pub last_sign_in_at: Option<i64>,
    /// Active passkeys.
    pub passkey_count: i64,
}

impl PersonRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, Error> {
        Ok(PersonRow {
            id: user_id(row, "id")?,
            role: get_role(row, "role")?,
            display_name: row.try_get("display_name")?,
            created_at: row.try_get("created_at")?,
            last_sign_in_at: row.try_get("last_sign_in_at")?,
            passkey_count: row.try_get("passkey_count")?,
        })
    }
}

/// A registered passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyRow {
    /// Its id.
    pub id: PasskeyId,
    /// Its owner.
    pub user_id: UserId,
    /// The WebAuthn credential id, base64url.
    pub credential_id: String,
    /// The server's serialised credential (public key, counter); opaque to the store.
    pub passkey_json: String,
    /// The owner's name for it.
    pub name: String,
    /// The last signature counter seen.
    pub sign_count: i64,
    /// Registration time.
    pub created_at: i64,
    /// Last use.
    pub last_used_at: Option<i64>,
}

impl PasskeyRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, Error> {
        let id: String = row.try_get("id")?;
        Ok(PasskeyRow {
            id: PasskeyId::parse(&id).ok_or_else(|| Error::new(ErrorKind::Corrupt))?,
            user_id: user_id(row, "user_id")?,
            credential_id: row.try_get("credential_id")?,
            passkey_json: row.try_get("passkey_json")?,
            name: row.try_get("name")?,
            sign_count: row.try_get("sign_count")?,
            created_at: row.try_get("created_at")?,
            last_used_at: row.try_get("last_used_at")?,
        })
    }
}

/// A passkey to store.
#[derive(Debug, Clone)]
pub struct NewPasskey {
    /// Its id.
    pub id: PasskeyId,
    /// Its owner.
    pub user_id: UserId,
    /// The WebAuthn credential id, base64url.
    pub credential_id: String,
    /// The serialised credential.
    pub passkey_json: String,
    /// The owner's name for it.
    pub name: String,
    /// The counter at registration.
    pub sign_count: i64,
    /// Registration time.
    pub created_at: i64,
}

/// An invitation, setup or recovery link (its token is never stored, only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    /// Its id.
    pub id: InvitationId,
    /// What it is for.
    pub kind: InvitationKind,
    /// The role it grants.
    pub role: Role,
    /// Who issued it (none for setup links).
    pub inviter_id: Option<UserId>,
    /// For recovery links: whose account gets a new passkey.
    pub recovery_user_id: Option<UserId>,
    /// The issuer's private note.
    pub label: Option<String>,
    /// Issue time.
    pub created_at: i64,
    /// Expiry time.
    pub expires_at: i64,
    /// When it was used.
    pub redeemed_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

impl InvitationRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, Error> {
        let id: String = row.try_get("id")?;
        Ok(InvitationRow {
            id: InvitationId::parse(&id).ok_or_else(|| Error::new(ErrorKind::Corrupt))?,
            kind: get_kind(row, "kind")?,
            role: get_role(row, "role")?,
            inviter_id: opt_user_id(row, "inviter_id")?,
            recovery_user_id: opt_user_id(row, "recovery_user_id")?,
            label: row.try_get("label")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            redeemed_at: row.try_get("redeemed_at")?,
            revoked_at: row.try_get("revoked_at")?,
        })
    }
}

/// An invitation to store.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// Its id.
    pub id: InvitationId,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// What it is for.
    pub kind: InvitationKind,
    /// The role it grants.
    pub role: Role,
    /// The issuer.
    pub inviter_id: Option<UserId>,
    /// For recovery: the account.
    pub recovery_user_id: Option<UserId>,
    /// The issuer's private note.
    pub label: Option<String>,
    /// Issue time.
    pub created_at: i64,
    /// Expiry time.
    pub expires_at: i64,
}

/// A session (its token is never stored, only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Whose session.
    pub user_id: UserId,
    /// Start.
    pub created_at: i64,
    /// Last request.
    pub last_seen_at: i64,
    /// Absolute end.
    pub expires_at: i64,
    /// Last fresh passkey confirmation.
    pub reauth_at: Option<i64>,
}

impl SessionRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, Error> {
        Ok(SessionRow {
            token_hash: row.try_get("token_hash")?,
            user_id: user_id(row, "user_id")?,
            created_at: row.try_get("created_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
            expires_at: row.try_get("expires_at")?,
            reauth_at: row.try_get("reauth_at")?,
        })
    }
}

/// A session to start.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Whose session.
    pub user_id: UserId,
    /// Start.
    pub created_at: i64,
    /// Absolute end.
    pub expires_at: i64,
    /// A passkey was just used, so sensitive actions are allowed from here.
    pub reauth_at: Option<i64>,
}

/// Everything redeeming a setup or invitation link creates.
#[derive(Debug, Clone)]
pub struct RedeemNewAccount {
    /// The link being used.
    pub invitation_id: InvitationId,
    /// The account.
    pub user: NewUser,
    /// Its first passkey.
    pub passkey: NewPasskey,
    /// Its first session.
    pub session: NewSession,
    /// For clients: the clinician who invited them.
    pub care_clinician: Option<UserId>,
    /// The time of redemption.
    pub now: i64,
}

/// Everything redeeming a recovery link changes.
#[derive(Debug, Clone)]
pub struct RedeemRecovery {
    /// The link being used.
    pub invitation_id: InvitationId,
    /// The account recovering.
    pub user_id: UserId,
    /// The new passkey.
    pub passkey: NewPasskey,
    /// The new session.
    pub session: NewSession,
    /// The time of redemption.
    pub now: i64,
}

/// A verified sign-in to record.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// The passkey used.
    pub passkey_id: PasskeyId,
    /// Its counter before this sign-in.
    pub previous_count: i64,
    /// Its counter now.
    pub new_count: i64,
    /// Its updated serialised state.
    pub passkey_json: String,
    /// The session to start.
    pub session: NewSession,
    /// The time.
    pub now: i64,
}

/// A verified re-authentication to record.
#[derive(Debug, Clone)]
pub struct Reauth {
    /// The passkey used.
    pub passkey_id: PasskeyId,
    /// Its counter before.
    pub previous_count: i64,
    /// Its counter now.
    pub new_count: i64,
    /// Its updated serialised state.
    pub passkey_json: String,
    /// The session being refreshed.
    pub session_token_hash: String,
    /// The time.
    pub now: i64,
}

/// A WebAuthn ceremony's server-side state.
#[derive(Debug, Clone)]
pub struct NewCeremony {
    /// Its id.
    pub id: String,
    /// Which ceremony ("redeem", "sign_in", "reauth", "add_passkey").
    pub kind: String,
    /// The WebAuthn library's serialised state.
    pub state_json: String,
    /// The caller's context (which invitation, which user), serialised.
    pub context_json: String,
    /// Start.
    pub created_at: i64,
    /// Expiry.
    pub expires_at: i64,
}

/// A stored ceremony.
#[derive(Debug, Clone)]
pub struct CeremonyRow {
    /// Its id.
    pub id: String,
    /// Which ceremony.
    pub kind: String,
    /// The WebAuthn library's state.
    pub state_json: String,
    /// The caller's context.
    pub context_json: String,
    /// Start.
    pub created_at: i64,
    /// Expiry.
    pub expires_at: i64,
}

impl CeremonyRow {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, Error> {
        Ok(CeremonyRow {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            state_json: row.try_get("state_json")?,
            context_json: row.try_get("context_json")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
        })
    }
}
