//! The WebAuthn side of accounts: ceremonies kept server-side, registration options that ask
//! for a discoverable credential with user verification, and counter checks on sign-in.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use alcove_store::{NewCeremony, PasskeyRow};
use alcove_types::{CeremonyId, ErrorCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    CreationChallengeResponse, CredentialID, Passkey, PasskeyRegistration,
    RegisterPublicKeyCredential, Uuid,
};
use webauthn_rs_proto::{
    AuthenticatorSelectionCriteria, ResidentKeyRequirement, UserVerificationPolicy,
};

/// How long a ceremony may take between start and finish.
const CEREMONY_TTL_MS: i64 = 5 * 60 * 1000;

/// Starts a passkey registration for the account with `handle`, excluding its existing passkeys.
/// Returns the creation options for the browser and the state to keep.
pub fn start_registration(
    state: &AppState,
    handle: Uuid,
    user_name: &str,
    existing: &[PasskeyRow],
) -> ApiResult<(serde_json::Value, PasskeyRegistration)> {
    let exclude: Vec<CredentialID> = existing
        .iter()
        .filter_map(|p| URL_SAFE_NO_PAD.decode(&p.credential_id).ok())
        .map(CredentialID::from)
        .collect();
    let (mut options, registration) = state
        .webauthn
        .start_passkey_registration(handle, user_name, user_name, Some(exclude))
        .map_err(|e| ApiError::internal(&e))?;
    require_discoverable(&mut options);
    let public_key =
        serde_json::to_value(&options.public_key).map_err(|e| ApiError::internal(&e))?;
    Ok((public_key, registration))
}

/// Sign-in needs no username, so every passkey must be discoverable, and every use must verify
/// the person (PIN or biometrics), not just their presence.
fn require_discoverable(options: &mut CreationChallengeResponse) {
    let selection =
        options
            .public_key
            .authenticator_selection
            .get_or_insert(AuthenticatorSelectionCriteria {
                authenticator_attachment: None,
                resident_key: None,
                require_resident_key: true,
                user_verification: UserVerificationPolicy::Required,
            });
    selection.resident_key = Some(ResidentKeyRequirement::Required);
    selection.require_resident_key = true;
    selection.user_verification = UserVerificationPolicy::Required;
}

/// Verifies a registration response against its ceremony state.
pub fn finish_registration(
    state: &AppState,
    credential: serde_json::Value,
    registration: &PasskeyRegistration,
) -> ApiResult<Passkey> {
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(credential).map_err(|_| ApiError::passkey_failed())?;
    state
        .webauthn
        .finish_passkey_registration(&credential, registration)
        .map_err(|e| {
            tracing::info!(reason = %e, "passkey registration did not verify");
            ApiError::passkey_failed()
        })
}

/// The base64url credential id under which a passkey is stored and looked up.
pub fn credential_id_text(passkey: &Passkey) -> String {
    URL_SAFE_NO_PAD.encode(passkey.cred_id().as_ref())
}

/// Keeps a ceremony's state and context; returns the ceremony id to hand to the browser.
pub async fn save_ceremony<S: Serialize, C: Serialize>(
    state: &AppState,
    kind: &str,
    webauthn_state: &S,
    context: &C,
) -> ApiResult<CeremonyId> {
    let id = CeremonyId::from_random(crate::secrets::random_id_bytes());
    let now = state.now();
    let ceremony = NewCeremony {
        id: id.as_str().to_owned(),
        kind: kind.to_owned(),
        state_json: serde_json::to_string(webauthn_state).map_err(|e| ApiError::internal(&e))?,
        context_json: serde_json::to_string(context).map_err(|e| ApiError::internal(&e))?,
        created_at: now,
        expires_at: now + CEREMONY_TTL_MS,
    };
    state.store.create_ceremony(&ceremony).await?;
    Ok(id)
}

/// Takes a ceremony (once) and decodes its state and context.
pub async fn take_ceremony<S: DeserializeOwned, C: DeserializeOwned>(
    state: &AppState,
    kind: &str,
    id: &str,
) -> ApiResult<(S, C)> {
    if CeremonyId::parse(id).is_none() {
        return Err(ApiError::ceremony_expired());
    }
    let row = state
        .store
        .take_ceremony(id, kind, state.now())
        .await?
        .ok_or_else(ApiError::ceremony_expired)?;
    let webauthn_state =
        serde_json::from_str(&row.state_json).map_err(|e| ApiError::internal(&e))?;
    let context = serde_json::from_str(&row.context_json).map_err(|e| ApiError::internal(&e))?;
    Ok((webauthn_state, context))
}

/// Decides whether a sign-in's signature counter is acceptable. Authenticators that do not count
/// report 0 every time; any that count must strictly increase, or the credential may be cloned.
pub fn counter_acceptable(stored: i64, reported: u32) -> bool {
    let reported = i64::from(reported);
    (stored == 0 && reported == 0) || reported > stored
}

/// Checks a display name: 1–80 characters after trimming, no control characters.
pub fn valid_display_name(raw: &str) -> ApiResult<String> {
    checked_text(raw, 1, 80).ok_or_else(|| {
        ApiError::invalid(
            ErrorCode::InvalidDisplayName,
            "Please enter a name of 1 to 80 characters.",
        )
    })
}

/// Checks an anti-phishing phrase: 3–64 characters after trimming, no control characters.
pub fn valid_phrase(raw: &str) -> ApiResult<String> {
    checked_text(raw, 3, 64).ok_or_else(|| {
        ApiError::invalid(
            ErrorCode::InvalidAntiPhishingPhrase,
            "Please choose a phrase of 3 to 64 characters that you will recognise.",
        )
    })
}

/// Checks a passkey name; an empty one becomes "Passkey".
pub fn valid_passkey_name(raw: &str) -> ApiResult<String> {
    if raw.trim().is_empty() {
        return Ok("Passkey".to_owned());
    }
    checked_text(raw, 1, 60).ok_or_else(|| {
        ApiError::invalid(
            ErrorCode::InvalidPasskeyName,
            "Please name the passkey with 1 to 60 characters, like \"Laptop\" or \"Phone\".",
        )
    })
}

/// Trimmed text within `min..=max` characters without control characters.
pub fn checked_text(raw: &str, min: usize, max: usize) -> Option<String> {
    let text = raw.trim();
    let count = text.chars().count();
    (count >= min && count <= max && !text.chars().any(char::is_control)).then(|| text.to_owned())
}

/// What a redeem ceremony remembers between start and finish.
#[derive(Debug, Serialize, Deserialize)]
pub struct RedeemContext {
    /// The invitation being redeemed.
    pub invitation_id: String,
    /// The account being created or recovered.
    pub user_id: String,
    /// Its passkey user handle.
    pub handle: String,
    /// For new accounts: the chosen name.
    pub display_name: String,
    /// For new accounts: the chosen phrase.
    pub anti_phishing_phrase: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_must_increase_unless_the_authenticator_does_not_count() {
        let check = |stored: i64, reported: u32, ok: bool| {
            assert_eq!(
                counter_acceptable(stored, reported),
                ok,
                "stored {stored}, reported {reported}"
            );
        };
        check(0, 0, true);
        check(0, 1, true);
        check(5, 6, true);
        check(5, 5, false);
        check(5, 4, false);
        check(5, 0, false);
    }

    #[test]
    fn text_fields_are_trimmed_and_bounded() {
        let check = |raw: &str, min, max, expected: Option<&str>| {
            assert_eq!(checked_text(raw, min, max).as_deref(), expected, "{raw:?}");
        };
        check("  Ana  ", 1, 80, Some("Ana"));
        check("   ", 1, 80, None);
        check("ab", 3, 64, None);
        check("blue heron", 3, 64, Some("blue heron"));
        check("line\nbreak", 1, 80, None);
        check(&"é".repeat(80), 1, 80, Some(&"é".repeat(80)));
        check(&"é".repeat(81), 1, 80, None);
    }
}
