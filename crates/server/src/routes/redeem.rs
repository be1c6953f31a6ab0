//! First-run setup and redeeming invitation and recovery links.
//!
//! A link's token arrives in a JSON body (the page reads it from the URL fragment), is checked
//! for shape, rate-limited per address and per token, and looked up by its hash. Redeeming runs
//! a passkey registration; the account, passkey, care relationship and session are created in
//! one transaction that also consumes the link, so a link works at most once.

use super::{client_ip, limit_address, ApiJson};
use crate::audit::Event;
use crate::auth::{session_cookie, set_cookie};
use crate::error::{ApiError, ApiResult};
use crate::passkeys::{self, RedeemContext};
use crate::secrets::{hash_token, new_token, plausible_token, random_id_bytes};
use crate::state::AppState;
use alcove_audit::{EventKind, ObjectKind};
use alcove_store::{
    InvitationRow, NewPasskey, NewSession, NewUser, RedeemNewAccount, RedeemRecovery,
};
use alcove_types::api::{
    CeremonyChallenge, ErrorBody, InvitationPreview, Me, RedeemFinishRequest, RedeemStartRequest,
    SetupStatus, TokenRequest,
};
use alcove_types::{ErrorCode, InvitationId, InvitationKind, PasskeyId, Role, UserId};
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::Json;
use webauthn_rs::prelude::{PasskeyRegistration, Uuid};

/// Whether the instance still waits for its first admin.
#[utoipa::path(get, path = "/api/v1/setup/status", tag = "setup",
    responses((status = 200, body = SetupStatus)))]
pub async fn setup_status(State(state): State<AppState>) -> ApiResult<Json<SetupStatus>> {
    Ok(Json(SetupStatus {
        setup_required: !state.store.has_admin().await?,
        practice_name: state.config.practice_name.clone(),
    }))
}

/// Tells what a link is for, or why it no longer works.
#[utoipa::path(post, path = "/api/v1/invitations/inspect", tag = "setup", request_body = TokenRequest,
    responses((status = 200, body = InvitationPreview), (status = 404, body = ErrorBody),
              (status = 410, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn inspect(
    State(state): State<AppState>,
    extensions: Extensions,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<InvitationPreview>> {
    let invitation = usable_invitation(&state, &extensions, &req.token).await?;
    let inviter_name = match &invitation.inviter_id {
        Some(id) => state.store.user(id).await?.map(|u| u.display_name),
        None => None,
    };
    Ok(Json(InvitationPreview {
        kind: invitation.kind,
        role: invitation.role,
        inviter_name,
        expires_at: invitation.expires_at,
        practice_name: state.config.practice_name.clone(),
    }))
}

/// Starts redeeming a link: validates the chosen name and phrase and returns passkey options.
#[utoipa::path(post, path = "/api/v1/invitations/redeem/start", tag = "setup",
    request_body = RedeemStartRequest,
    responses((status = 200, body = CeremonyChallenge), (status = 400, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub async fn redeem_start(
    State(state): State<AppState>,
    extensions: Extensions,
    ApiJson(req): ApiJson<RedeemStartRequest>,
) -> ApiResult<Json<CeremonyChallenge>> {
    let invitation = usable_invitation(&state, &extensions, &req.token).await?;
    let (context, user_name, existing) = match invitation.kind {
        InvitationKind::Recovery => {
            let user_id = invitation
                .recovery_user_id
                .clone()
                .ok_or_else(ApiError::not_found)?;
            let user = state
                .store
                .user(&user_id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            let existing = state.store.passkeys_of(&user.id).await?;
            let context = RedeemContext {
                invitation_id: invitation.id.as_str().to_owned(),
                user_id: user.id.as_str().to_owned(),
                handle: user.webauthn_handle.clone(),
                display_name: String::new(),
                anti_phishing_phrase: String::new(),
            };
            (context, user.display_name, existing)
        }
        InvitationKind::Setup | InvitationKind::Invitation => {
            let display_name = passkeys::valid_display_name(&req.display_name)?;
            let phrase = passkeys::valid_phrase(&req.anti_phishing_phrase)?;
            let context = RedeemContext {
                invitation_id: invitation.id.as_str().to_owned(),
                user_id: UserId::from_random(random_id_bytes()).as_str().to_owned(),
                handle: Uuid::new_v4().to_string(),
                display_name: display_name.clone(),
                anti_phishing_phrase: phrase,
            };
            (context, display_name, Vec::new())
        }
    };
    let handle = Uuid::parse_str(&context.handle).map_err(|e| ApiError::internal(&e))?;
    let (public_key, registration) =
        passkeys::start_registration(&state, handle, &user_name, &existing)?;
    let ceremony_id = passkeys::save_ceremony(&state, "redeem", &registration, &context).await?;
    Ok(Json(CeremonyChallenge {
        ceremony_id: ceremony_id.to_string(),
        public_key,
    }))
}

/// Finishes redeeming a link with the new passkey; signs the person in.
#[utoipa::path(post, path = "/api/v1/invitations/redeem/finish", tag = "setup",
    request_body = RedeemFinishRequest,
    responses((status = 200, body = Me, description = "Signed in; the session cookie is set"),
              (status = 400, body = ErrorBody), (status = 410, body = ErrorBody)))]
pub async fn redeem_finish(
    State(state): State<AppState>,
    extensions: Extensions,
    request_headers: HeaderMap,
    ApiJson(req): ApiJson<RedeemFinishRequest>,
) -> ApiResult<(HeaderMap, Json<Me>)> {
    limit_address(&state, client_ip(&extensions))?;
    let passkey_name = passkeys::valid_passkey_name(&req.passkey_name)?;
    let (registration, context): (PasskeyRegistration, RedeemContext) =
        passkeys::take_ceremony(&state, "redeem", &req.ceremony_id).await?;
    let passkey = passkeys::finish_registration(&state, req.credential, &registration)?;
    let invitation_id =
        InvitationId::parse(&context.invitation_id).ok_or_else(ApiError::ceremony_expired)?;
    let invitation = state
        .store
        .invitation(&invitation_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let user_id = UserId::parse(&context.user_id).ok_or_else(ApiError::ceremony_expired)?;
    let now = state.now();
    let token = new_token();
    let new_passkey = NewPasskey {
        id: PasskeyId::from_random(random_id_bytes()),
        user_id: user_id.clone(),
        credential_id: passkeys::credential_id_text(&passkey),
        passkey_json: serde_json::to_string(&passkey).map_err(|e| ApiError::internal(&e))?,
        name: passkey_name,
        sign_count: 0,
        created_at: now,
    };
    let session = NewSession {
        token_hash: hash_token(&token),
        user_id: user_id.clone(),
        created_at: now,
        expires_at: now + state.config.session_lifetime_secs * 1000,
        reauth_at: Some(now),
    };
    let mut events = vec![Event::new(EventKind::InvitationRedeemed, now)
        .actor(&user_id)
        .subject(&user_id)
        .object(ObjectKind::Invitation, invitation.id.as_str())
        .done()];
    if invitation.kind == InvitationKind::Setup {
        events.push(
            Event::new(EventKind::SetupCompleted, now)
                .actor(&user_id)
                .subject(&user_id)
                .done(),
        );
    }
    events.push(
        Event::new(EventKind::PasskeyAdded, now)
            .actor(&user_id)
            .subject(&user_id)
            .object(ObjectKind::Passkey, new_passkey.id.as_str())
            .done(),
    );
    events.push(
        Event::new(EventKind::SignIn, now)
            .actor(&user_id)
            .subject(&user_id)
            .done(),
    );
    let result = match invitation.kind {
        InvitationKind::Recovery => {
            state
                .store
                .redeem_recovery(
                    &RedeemRecovery {
                        invitation_id: invitation.id.clone(),
                        user_id: user_id.clone(),
                        passkey: new_passkey,
                        session,
                        now,
                    },
                    &events,
                )
                .await
        }
        InvitationKind::Setup | InvitationKind::Invitation => {
            let care_clinician = match (invitation.role, &invitation.inviter_id) {
                (Role::Client, Some(inviter)) => Some(inviter.clone()),
                _ => None,
            };
            state
                .store
                .redeem_for_new_account(
                    &RedeemNewAccount {
                        invitation_id: invitation.id.clone(),
                        user: NewUser {
                            id: user_id.clone(),
                            role: invitation.role,
                            display_name: context.display_name,
                            anti_phishing_phrase: context.anti_phishing_phrase,
                            webauthn_handle: context.handle,
                        },
                        passkey: new_passkey,
                        session,
                        care_clinician,
                        now,
                    },
                    &events,
                )
                .await
        }
    };
    if let Err(e) = result {
        return Err(match e.kind() {
            alcove_store::ErrorKind::Conflict => invitation_state_error(&invitation, state.now())
                .unwrap_or_else(|| ApiError::internal(&"invitation changed during redemption")),
            alcove_store::ErrorKind::Duplicate => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::PasskeyAlreadyRegistered,
                "This passkey is already registered. Sign in with it instead.",
            ),
            _ => ApiError::from(e),
        });
    }
    crate::device_kind::remember(&state, &user_id, &request_headers, now).await;
    tracing::info!(
        kind = invitation.kind.as_str(),
        role = invitation.role.as_str(),
        "link redeemed"
    );
    let me = super::account::me_for(&state, &user_id, &hash_token(&token)).await?;
    let mut headers = HeaderMap::new();
    set_cookie(&mut headers, session_cookie(&state, &token));
    Ok((headers, Json(me)))
}

/// Looks a token up after rate limiting, and fails with the precise reason it cannot be used.
async fn usable_invitation(
    state: &AppState,
    extensions: &Extensions,
    token: &str,
) -> ApiResult<InvitationRow> {
    limit_address(state, client_ip(extensions))?;
    if !plausible_token(token) {
        return Err(not_found());
    }
    let token_hash = hash_token(token);
    state
        .limits
        .check_token(&token_hash)
        .map_err(ApiError::rate_limited)?;
    let invitation = state
        .store
        .invitation_by_token_hash(&token_hash)
        .await?
        .ok_or_else(not_found)?;
    match invitation_state_error(&invitation, state.now()) {
        Some(e) => Err(e),
        None => Ok(invitation),
    }
}

/// Why an invitation cannot be used now, if it cannot.
fn invitation_state_error(invitation: &InvitationRow, now: i64) -> Option<ApiError> {
    let ask = match (invitation.kind, invitation.role) {
        (InvitationKind::Setup, _) => "Restart the Alcove server to get a new setup link.",
        (_, Role::Client) => "Ask your clinician for a new one.",
        _ => "Ask your practice administrator for a new one.",
    };
    if invitation.revoked_at.is_some() {
        Some(ApiError::new(
            StatusCode::GONE,
            ErrorCode::InvitationRevoked,
            format!("This link was withdrawn and no longer works. {ask}"),
        ))
    } else if invitation.redeemed_at.is_some() {
        Some(ApiError::new(
            StatusCode::GONE,
            ErrorCode::InvitationUsed,
            format!("This link has already been used. If that was you, sign in with your passkey. Otherwise: {ask}"),
        ))
    } else if invitation.expires_at <= now {
        Some(ApiError::new(
            StatusCode::GONE,
            ErrorCode::InvitationExpired,
            format!("This link has expired. {ask}"),
        ))
    } else {
        None
    }
}

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::InvitationNotFound,
        "This link is not valid. Check that you copied all of it, or ask for a new one.",
    )
}
