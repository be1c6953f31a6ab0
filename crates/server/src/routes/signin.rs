//! Passkey sign-in (discoverable: no username), re-authentication for sensitive actions, and
//! sign-out (this session, or everywhere).

use super::{client_ip, limit_address, ApiJson};
use crate::audit::Event;
use crate::auth::{clear_cookie, session_cookie, set_cookie, Session};
use crate::error::{ApiError, ApiResult};
use crate::passkeys;
use crate::secrets::{hash_token, new_token};
use crate::state::AppState;
use alcove_audit::{EventKind, ObjectKind};
use alcove_store::{NewSession, PasskeyRow, Reauth, SignIn};
use alcove_types::api::{AssertionFinishRequest, CeremonyChallenge, Empty, ErrorBody, Me};
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, DiscoverableKey, Passkey,
    PasskeyAuthentication, PublicKeyCredential,
};

#[derive(Serialize, Deserialize)]
struct NoContext {}

#[derive(Serialize, Deserialize)]
struct ReauthContext {
    user_id: String,
    session_token_hash: String,
}

/// Starts a sign-in: the browser offers the person their passkeys for this site.
#[utoipa::path(post, path = "/api/v1/auth/start", tag = "auth", request_body = Empty,
    responses((status = 200, body = CeremonyChallenge), (status = 429, body = ErrorBody)))]
pub async fn sign_in_start(
    State(state): State<AppState>,
    extensions: Extensions,
    ApiJson(_empty): ApiJson<Empty>,
) -> ApiResult<Json<CeremonyChallenge>> {
    limit_address(&state, client_ip(&extensions))?;
    let (options, auth_state) = state
        .webauthn
        .start_discoverable_authentication()
        .map_err(|e| ApiError::internal(&e))?;
    let public_key =
        serde_json::to_value(&options.public_key).map_err(|e| ApiError::internal(&e))?;
    let id = passkeys::save_ceremony(&state, "sign_in", &auth_state, &NoContext {}).await?;
    Ok(Json(CeremonyChallenge {
        ceremony_id: id.to_string(),
        public_key,
    }))
}

/// Finishes a sign-in; starts a session.
#[utoipa::path(post, path = "/api/v1/auth/finish", tag = "auth", request_body = AssertionFinishRequest,
    responses((status = 200, body = Me, description = "Signed in; the session cookie is set"),
              (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sign_in_finish(
    State(state): State<AppState>,
    extensions: Extensions,
    request_headers: HeaderMap,
    ApiJson(req): ApiJson<AssertionFinishRequest>,
) -> ApiResult<(HeaderMap, Json<Me>)> {
    limit_address(&state, client_ip(&extensions))?;
    let (auth_state, _): (DiscoverableAuthentication, NoContext) =
        passkeys::take_ceremony(&state, "sign_in", &req.ceremony_id).await?;
    let credential: PublicKeyCredential =
        serde_json::from_value(req.credential).map_err(|_| ApiError::passkey_failed())?;
    let (handle, cred_id) = state
        .webauthn
        .identify_discoverable_authentication(&credential)
        .map_err(|_| ApiError::passkey_failed())?;
    let user = state
        .store
        .user_by_webauthn_handle(&handle.to_string())
        .await?
        .ok_or_else(ApiError::passkey_failed)?;
    let row = state
        .store
        .passkey_by_credential_id(&URL_SAFE_NO_PAD.encode(cred_id))
        .await?
        .filter(|p| p.user_id == user.id)
        .ok_or_else(ApiError::passkey_failed)?;
    let mut passkey = decode_passkey(&row)?;
    let result = state
        .webauthn
        .finish_discoverable_authentication(
            &credential,
            auth_state,
            &[DiscoverableKey::from(&passkey)],
        )
        .map_err(|e| {
            tracing::info!(reason = %e, "sign-in assertion did not verify");
            ApiError::passkey_failed()
        })?;
    let (new_count, passkey_json) = checked_update(&row, &mut passkey, &result)?;
    let now = state.now();
    let token = new_token();
    let sign_in = SignIn {
        passkey_id: row.id.clone(),
        previous_count: row.sign_count,
        new_count,
        passkey_json,
        session: NewSession {
            token_hash: hash_token(&token),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now + state.config.session_lifetime_secs * 1000,
            reauth_at: Some(now),
        },
        now,
    };
    let events = [Event::new(EventKind::SignIn, now)
        .actor(&user.id)
        .subject(&user.id)
        .object(ObjectKind::Passkey, row.id.as_str())
        .done()];
    state
        .store
        .record_sign_in(&sign_in, &events)
        .await
        .map_err(conflict_is_failure)?;
    tracing::info!(role = user.role.as_str(), "signed in");
    crate::device_kind::remember(&state, &user.id, &request_headers, now).await;
    let me = super::account::me_for(&state, &user.id, &sign_in.session.token_hash).await?;
    let mut headers = HeaderMap::new();
    set_cookie(&mut headers, session_cookie(&state, &token));
    Ok((headers, Json(me)))
}

/// Starts a re-authentication with one of the signed-in person's passkeys.
#[utoipa::path(post, path = "/api/v1/auth/reauth/start", tag = "auth", request_body = Empty,
    responses((status = 200, body = CeremonyChallenge), (status = 401, body = ErrorBody)))]
pub async fn reauth_start(
    State(state): State<AppState>,
    session: Session,
    ApiJson(_empty): ApiJson<Empty>,
) -> ApiResult<Json<CeremonyChallenge>> {
    let rows = state.store.passkeys_of(&session.user.id).await?;
    let keys = rows
        .iter()
        .map(decode_passkey)
        .collect::<ApiResult<Vec<Passkey>>>()?;
    let (options, auth_state) = state
        .webauthn
        .start_passkey_authentication(&keys)
        .map_err(|e| ApiError::internal(&e))?;
    let public_key =
        serde_json::to_value(&options.public_key).map_err(|e| ApiError::internal(&e))?;
    let context = ReauthContext {
        user_id: session.user.id.as_str().to_owned(),
        session_token_hash: session.session.token_hash.clone(),
    };
    let id = passkeys::save_ceremony(&state, "reauth", &auth_state, &context).await?;
    Ok(Json(CeremonyChallenge {
        ceremony_id: id.to_string(),
        public_key,
    }))
}

/// Finishes a re-authentication: sensitive actions are allowed for the next few minutes.
#[utoipa::path(post, path = "/api/v1/auth/reauth/finish", tag = "auth",
    request_body = AssertionFinishRequest,
    responses((status = 200, body = Me), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn reauth_finish(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<AssertionFinishRequest>,
) -> ApiResult<Json<Me>> {
    let (auth_state, context): (PasskeyAuthentication, ReauthContext) =
        passkeys::take_ceremony(&state, "reauth", &req.ceremony_id).await?;
    if context.user_id != session.user.id.as_str()
        || context.session_token_hash != session.session.token_hash
    {
        return Err(ApiError::ceremony_expired());
    }
    let credential: PublicKeyCredential =
        serde_json::from_value(req.credential).map_err(|_| ApiError::passkey_failed())?;
    let result = state
        .webauthn
        .finish_passkey_authentication(&credential, &auth_state)
        .map_err(|e| {
            tracing::info!(reason = %e, "re-authentication assertion did not verify");
            ApiError::passkey_failed()
        })?;
    let row = state
        .store
        .passkey_by_credential_id(&URL_SAFE_NO_PAD.encode(result.cred_id().as_ref()))
        .await?
        .filter(|p| p.user_id == session.user.id)
        .ok_or_else(ApiError::passkey_failed)?;
    let mut passkey = decode_passkey(&row)?;
    let (new_count, passkey_json) = checked_update(&row, &mut passkey, &result)?;
    let reauth = Reauth {
        passkey_id: row.id.clone(),
        previous_count: row.sign_count,
        new_count,
        passkey_json,
        session_token_hash: session.session.token_hash.clone(),
        now: state.now(),
    };
    let events = [Event::new(EventKind::SignIn, reauth.now)
        .actor(&session.user.id)
        .subject(&session.user.id)
        .object(ObjectKind::Passkey, row.id.as_str())
        .done()];
    state
        .store
        .record_reauth(&reauth, &events)
        .await
        .map_err(conflict_is_failure)?;
    let me = super::account::me_for(&state, &session.user.id, &session.session.token_hash).await?;
    Ok(Json(me))
}

/// Ends this session.
#[utoipa::path(post, path = "/api/v1/auth/signout", tag = "auth", request_body = Empty,
    responses((status = 204, description = "Signed out; the cookie is cleared")))]
pub async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    ApiJson(_empty): ApiJson<Empty>,
) -> ApiResult<(StatusCode, HeaderMap)> {
    let events = [Event::new(EventKind::SignOut, state.now())
        .actor(&session.user.id)
        .subject(&session.user.id)
        .done()];
    state
        .store
        .delete_session(&session.session.token_hash, &events)
        .await?;
    let mut headers = HeaderMap::new();
    set_cookie(&mut headers, clear_cookie(&state));
    Ok((StatusCode::NO_CONTENT, headers))
}

/// Ends every session of the signed-in person, on every device.
#[utoipa::path(post, path = "/api/v1/auth/signout-everywhere", tag = "auth", request_body = Empty,
    responses((status = 204, description = "All sessions ended; the cookie is cleared")))]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    session: Session,
    ApiJson(_empty): ApiJson<Empty>,
) -> ApiResult<(StatusCode, HeaderMap)> {
    let events = [Event::new(EventKind::SignOutEverywhere, state.now())
        .actor(&session.user.id)
        .subject(&session.user.id)
        .done()];
    let ended = state
        .store
        .delete_sessions_of(&session.user.id, &events)
        .await?;
    tracing::info!(sessions = ended, "signed out everywhere");
    let mut headers = HeaderMap::new();
    set_cookie(&mut headers, clear_cookie(&state));
    Ok((StatusCode::NO_CONTENT, headers))
}

pub(super) fn decode_passkey(row: &PasskeyRow) -> ApiResult<Passkey> {
    serde_json::from_str(&row.passkey_json).map_err(|e| ApiError::internal(&e))
}

/// Refuses a counter that did not increase (a possible cloned authenticator) and returns the
/// new counter and the updated stored credential.
pub(super) fn checked_update(
    row: &PasskeyRow,
    passkey: &mut Passkey,
    result: &AuthenticationResult,
) -> ApiResult<(i64, String)> {
    if !passkeys::counter_acceptable(row.sign_count, result.counter()) {
        tracing::warn!("passkey signature counter did not increase; refusing (possible clone)");
        return Err(ApiError::passkey_failed());
    }
    passkey.update_credential(result);
    let json = serde_json::to_string(passkey).map_err(|e| ApiError::internal(&e))?;
    Ok((i64::from(result.counter()), json))
}

/// A conditional update that lost a race means the same assertion was used twice.
pub(super) fn conflict_is_failure(e: alcove_store::Error) -> ApiError {
    if e.kind() == alcove_store::ErrorKind::Conflict {
        ApiError::passkey_failed()
    } else {
        ApiError::from(e)
    }
}
