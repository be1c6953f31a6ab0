//! Stable error codes: the part of an API error that programs may match on.

use serde::{Deserialize, Serialize};

/// Every error the API can answer with. The code is stable; the message beside it is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request body or parameters were malformed.
    BadRequest,
    /// A display name was empty or too long.
    InvalidDisplayName,
    /// An anti-phishing phrase was too short or too long.
    InvalidAntiPhishingPhrase,
    /// A passkey name was empty or too long.
    InvalidPasskeyName,
    /// No session: sign in first.
    Unauthenticated,
    /// The session ended (idle timeout or absolute lifetime).
    SessionExpired,
    /// The action needs a fresh passkey confirmation.
    ReauthRequired,
    /// This role may not do this.
    Forbidden,
    /// The thing asked for does not exist (or is not visible to this person).
    NotFound,
    /// No invitation matches this link.
    InvitationNotFound,
    /// The invitation's time ran out.
    InvitationExpired,
    /// The invitation was already used.
    InvitationUsed,
    /// The invitation was revoked.
    InvitationRevoked,
    /// The WebAuthn ceremony timed out or was already finished.
    CeremonyExpired,
    /// The passkey response did not verify.
    PasskeyFailed,
    /// The passkey is already registered.
    PasskeyAlreadyRegistered,
    /// The only passkey of an account cannot be removed.
    LastPasskey,
    /// The cross-site request check failed.
    OriginMismatch,
    /// Too many attempts; wait and retry.
    RateLimited,
    /// The request body was larger than allowed.
    PayloadTooLarge,
    /// This device was removed, or is not one of the signed-in person's devices.
    UnknownDevice,
    /// A key package was malformed, not this device's, or signed by another key.
    InvalidKeyPackage,
    /// The person has no device with a key package to add to a conversation.
    NoKeyPackage,
    /// An MLS message was malformed or does not belong where it was posted.
    InvalidMessage,
    /// Another commit of this epoch was accepted first: process it, then redo the change.
    EpochConflict,
    /// The device is not a member of the conversation.
    NotMember,
    /// The server is not ready (for example its database is unreachable).
    Unavailable,
    /// Something failed on the server; details are in its log.
    Internal,
    /// The client has not accepted the practice's current consent document yet.
    ConsentRequired,
    /// The consent document named is not the current version (a new one was published).
    ConsentOutdated,
    /// At least one comprehension answer is wrong or missing.
    ConsentAnswersWrong,
    /// A consent document or its questions are malformed (empty, too long, no right answer…).
    InvalidConsentDocument,
    /// The published consent document would be identical to the current version.
    ConsentUnchanged,
    /// A secureness checklist item name is unknown.
    InvalidChecklistItem,
    /// The safety number reported is not the one of the conversation's current devices.
    SafetyNumberMismatch,
}

impl ErrorCode {
    /// The stable snake_case name of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::InvalidDisplayName => "invalid_display_name",
            ErrorCode::InvalidAntiPhishingPhrase => "invalid_anti_phishing_phrase",
            ErrorCode::InvalidPasskeyName => "invalid_passkey_name",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::SessionExpired => "session_expired",
            ErrorCode::ReauthRequired => "reauth_required",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvitationNotFound => "invitation_not_found",
            ErrorCode::InvitationExpired => "invitation_expired",
            ErrorCode::InvitationUsed => "invitation_used",
            ErrorCode::InvitationRevoked => "invitation_revoked",
            ErrorCode::CeremonyExpired => "ceremony_expired",
            ErrorCode::PasskeyFailed => "passkey_failed",
            ErrorCode::PasskeyAlreadyRegistered => "passkey_already_registered",
            ErrorCode::LastPasskey => "last_passkey",
            ErrorCode::OriginMismatch => "origin_mismatch",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnknownDevice => "unknown_device",
            ErrorCode::InvalidKeyPackage => "invalid_key_package",
            ErrorCode::NoKeyPackage => "no_key_package",
            ErrorCode::InvalidMessage => "invalid_message",
            ErrorCode::EpochConflict => "epoch_conflict",
            ErrorCode::NotMember => "not_member",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::ConsentOutdated => "consent_outdated",
            ErrorCode::ConsentAnswersWrong => "consent_answers_wrong",
            ErrorCode::InvalidConsentDocument => "invalid_consent_document",
            ErrorCode::ConsentUnchanged => "consent_unchanged",
            ErrorCode::InvalidChecklistItem => "invalid_checklist_item",
            ErrorCode::SafetyNumberMismatch => "safety_number_mismatch",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn serde_name_matches_as_str() {
        for code in [
            ErrorCode::BadRequest,
            ErrorCode::InvalidAntiPhishingPhrase,
            ErrorCode::SessionExpired,
            ErrorCode::InvitationExpired,
            ErrorCode::LastPasskey,
            ErrorCode::RateLimited,
            ErrorCode::EpochConflict,
            ErrorCode::InvalidKeyPackage,
            ErrorCode::Internal,
            ErrorCode::ConsentRequired,
            ErrorCode::ConsentAnswersWrong,
            ErrorCode::InvalidChecklistItem,
            ErrorCode::SafetyNumberMismatch,
        ] {
            let json = serde_json::to_string(&code).expect("serialise");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
