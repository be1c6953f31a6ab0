//! The signed-in person's own account: who they are, their anti-phishing phrase, their passkeys.

use super::ApiJson;
use crate::audit::Event;
use crate::auth::{idle_timeout_for, Session};
use crate::error::{ApiError, ApiResult};
use crate::passkeys;
use crate::secrets::random_id_bytes;
use crate::state::AppState;
use alcove_audit::{EventKind, ObjectKind};
use alcove_store::{NewPasskey, PasskeyRow};
use alcove_types::api::{
    CeremonyChallenge, Empty, ErrorBody, Me, Passkey as PasskeyView, PasskeyFinishRequest,
    PasskeyList, PhraseRequest, RenameRequest, SessionInfo,
};
use alcove_types::{ErrorCode, PasskeyId, UserId};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{PasskeyRegistration, Uuid};

/// Builds the `Me` answer for a person and one of their sessions.
pub(crate) async fn me_for(state: &AppState, user_id: &UserId, token_hash: &str) -> ApiResult<Me> {
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let session = state
        .store
        .session(token_hash)
        .await?
        .ok_or_else(ApiError::session_expired)?;
    let passkey_count =
        i64::try_from(state.store.passkeys_of(user_id).await?.len()).unwrap_or(i64::MAX);
    let view = Session { user, session };
    let reauth_until = view.reauth_until(state);
    let idle_timeout_secs = idle_timeout_for(state, &view.user).await?;
    let (consent, protections) = if view.user.role == alcove_types::Role::Client {
        let protections = state.store.client_protections(user_id).await?;
        (
            Some(crate::consent::status(state, user_id).await?),
            protections.as_ref().map(crate::consent::protections_view),
        )
    } else {
        (None, None)
    };
    // On a shared device the lock comes no later than the (shorter) session idle timeout.
    let auto_lock_secs = match &protections {
        Some(p) => state.config.auto_lock_secs.min(p.idle_timeout_secs),
        None => state.config.auto_lock_secs,
    };
    Ok(Me {
        id: view.user.id.clone(),
        role: view.user.role,
        display_name: view.user.display_name.clone(),
        anti_phishing_phrase: view.user.anti_phishing_phrase.clone(),
        passkey_count,
        practice_name: state.config.practice_name.clone(),
        session: SessionInfo {
            idle_timeout_secs,
            expires_at: view.session.expires_at,
            reauth_until,
            auto_lock_secs,
        },
        consent,
        protections,
    })
}

fn passkey_view(row: &PasskeyRow) -> PasskeyView {
    PasskeyView {
        id: row.id.clone(),
        name: row.name.clone(),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    }
}

/// The signed-in person.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, session: Session) -> ApiResult<Json<Me>> {
    Ok(Json(
        me_for(&state, &session.user.id, &session.session.token_hash).await?,
    ))
}

/// Someone in a care relationship with the signed-in client.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CareTeamMember {
    /// Their account id (as it appears as `actor` in the client's audit events).
    pub id: UserId,
    /// Their role.
    pub role: alcove_types::Role,
    /// Their display name.
    pub display_name: String,
}

/// The people on the other side of the signed-in person's care relationships.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CareTeam {
    /// Oldest relationship first; empty for admins and supervisors.
    pub people: Vec<CareTeamMember>,
}

/// A client's clinicians (so the client can put names on the accesses to their record, as
/// `/api/v1/audit/events` carries ids only, and message them), or a clinician's clients (whom
/// they message). Admins and supervisors get an empty list.
#[utoipa::path(get, path = "/api/v1/me/care-team", tag = "account",
    responses((status = 200, body = CareTeam), (status = 401, body = ErrorBody)))]
pub async fn care_team(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<CareTeam>> {
    let rows = match session.user.role {
        alcove_types::Role::Client => state.store.clinicians_of(&session.user.id).await?,
        alcove_types::Role::Clinician => state.store.clients_of(&session.user.id).await?,
        _ => Vec::new(),
    };
    Ok(Json(CareTeam {
        people: rows
            .into_iter()
            .map(|p| CareTeamMember {
                id: p.id,
                role: p.role,
                display_name: p.display_name,
            })
            .collect(),
    }))
}

/// Changes the anti-phishing phrase.
#[utoipa::path(put, path = "/api/v1/me/anti-phishing-phrase", tag = "account",
    request_body = PhraseRequest,
    responses((status = 200, body = Me), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn set_phrase(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<PhraseRequest>,
) -> ApiResult<Json<Me>> {
    let phrase = passkeys::valid_phrase(&req.phrase)?;
    state
        .store
        .set_anti_phishing_phrase(&session.user.id, &phrase)
        .await?;
    Ok(Json(
        me_for(&state, &session.user.id, &session.session.token_hash).await?,
    ))
}

/// The signed-in person's passkeys.
#[utoipa::path(get, path = "/api/v1/me/passkeys", tag = "account",
    responses((status = 200, body = PasskeyList), (status = 401, body = ErrorBody)))]
pub async fn list_passkeys(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<PasskeyList>> {
    let rows = state.store.passkeys_of(&session.user.id).await?;
    Ok(Json(PasskeyList {
        passkeys: rows.iter().map(passkey_view).collect(),
    }))
}

#[derive(Serialize, Deserialize)]
struct AddPasskeyContext {
    user_id: String,
}

/// Starts adding another passkey (needs a recent passkey confirmation).
#[utoipa::path(post, path = "/api/v1/me/passkeys/start", tag = "account", request_body = Empty,
    responses((status = 200, body = CeremonyChallenge), (status = 403, body = ErrorBody)))]
pub async fn add_passkey_start(
    State(state): State<AppState>,
    session: Session,
    ApiJson(_empty): ApiJson<Empty>,
) -> ApiResult<Json<CeremonyChallenge>> {
    session.require_fresh(&state)?;
    let existing = state.store.passkeys_of(&session.user.id).await?;
    let handle =
        Uuid::parse_str(&session.user.webauthn_handle).map_err(|e| ApiError::internal(&e))?;
    let (public_key, registration) =
        passkeys::start_registration(&state, handle, &session.user.display_name, &existing)?;
    let context = AddPasskeyContext {
        user_id: session.user.id.as_str().to_owned(),
    };
    let id = passkeys::save_ceremony(&state, "add_passkey", &registration, &context).await?;
    Ok(Json(CeremonyChallenge {
        ceremony_id: id.to_string(),
        public_key,
    }))
}

/// Finishes adding a passkey.
#[utoipa::path(post, path = "/api/v1/me/passkeys/finish", tag = "account",
    request_body = PasskeyFinishRequest,
    responses((status = 200, body = PasskeyView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_passkey_finish(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<PasskeyFinishRequest>,
) -> ApiResult<Json<PasskeyView>> {
    let name = passkeys::valid_passkey_name(&req.name)?;
    let (registration, context): (PasskeyRegistration, AddPasskeyContext) =
        passkeys::take_ceremony(&state, "add_passkey", &req.ceremony_id).await?;
    if context.user_id != session.user.id.as_str() {
        return Err(ApiError::ceremony_expired());
    }
    let passkey = passkeys::finish_registration(&state, req.credential, &registration)?;
    let now = state.now();
    let new = NewPasskey {
        id: PasskeyId::from_random(random_id_bytes()),
        user_id: session.user.id.clone(),
        credential_id: passkeys::credential_id_text(&passkey),
        passkey_json: serde_json::to_string(&passkey).map_err(|e| ApiError::internal(&e))?,
        name: name.clone(),
        sign_count: 0,
        created_at: now,
    };
    let events = [Event::new(EventKind::PasskeyAdded, now)
        .actor(&session.user.id)
        .subject(&session.user.id)
        .object(ObjectKind::Passkey, new.id.as_str())
        .done()];
    match state.store.add_passkey(&new, &events).await {
        Ok(()) => {}
        Err(e) if e.kind() == alcove_store::ErrorKind::Duplicate => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::PasskeyAlreadyRegistered,
                "This passkey is already registered.",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!("passkey added");
    Ok(Json(PasskeyView {
        id: new.id,
        name,
        created_at: now,
        last_used_at: None,
    }))
}

/// Renames one of the signed-in person's passkeys.
#[utoipa::path(patch, path = "/api/v1/me/passkeys/{id}", tag = "account", request_body = RenameRequest,
    params(("id" = String, Path, description = "Passkey id")),
    responses((status = 200, body = PasskeyView), (status = 404, body = ErrorBody)))]
pub async fn rename_passkey(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RenameRequest>,
) -> ApiResult<Json<PasskeyView>> {
    let id = PasskeyId::parse(&id).ok_or_else(ApiError::not_found)?;
    let name = passkeys::checked_text(&req.name, 1, 60).ok_or_else(|| {
        ApiError::invalid(
            ErrorCode::InvalidPasskeyName,
            "Please use 1 to 60 characters.",
        )
    })?;
    state
        .store
        .rename_passkey(&session.user.id, &id, &name)
        .await?;
    let rows = state.store.passkeys_of(&session.user.id).await?;
    let row = rows
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(passkey_view(row)))
}

/// Revokes one of the signed-in person's passkeys (needs a recent passkey confirmation).
#[utoipa::path(delete, path = "/api/v1/me/passkeys/{id}", tag = "account",
    params(("id" = String, Path, description = "Passkey id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn revoke_passkey(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    session.require_fresh(&state)?;
    let id = PasskeyId::parse(&id).ok_or_else(ApiError::not_found)?;
    let now = state.now();
    let events = [Event::new(EventKind::PasskeyRevoked, now)
        .actor(&session.user.id)
        .subject(&session.user.id)
        .object(ObjectKind::Passkey, id.as_str())
        .done()];
    state
        .store
        .revoke_passkey(&session.user.id, &id, now, &events)
        .await?;
    tracing::info!("passkey revoked");
    Ok(StatusCode::NO_CONTENT)
}
