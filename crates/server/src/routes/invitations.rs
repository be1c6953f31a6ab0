//! Issuing, listing and revoking invitations; the people staff may see; recovery links.
//!
//! Admins invite staff (clinicians, supervisors, admins); clinicians invite clients. A link's
//! token is generated here, returned once inside the link's fragment, and stored only hashed.

use super::ApiJson;
use crate::audit::Event;
use crate::auth::InviterSession;
use crate::error::{ApiError, ApiResult};
use crate::passkeys;
use crate::secrets::{hash_token, new_token, random_id_bytes};
use crate::state::AppState;
use alcove_audit::{EventKind, ObjectKind};
use alcove_store::{InvitationRow, NewInvitation, PersonRow};
use alcove_types::api::{
    CreateInvitationRequest, Empty, ErrorBody, Invitation, InvitationList, InvitationStatus,
    IssuedInvitation, Person, PersonList,
};
use alcove_types::{ErrorCode, InvitationId, InvitationKind, Role, UserId};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

pub(crate) fn invitation_view(row: &InvitationRow, now: i64) -> Invitation {
    let status = if row.revoked_at.is_some() {
        InvitationStatus::Revoked
    } else if row.redeemed_at.is_some() {
        InvitationStatus::Redeemed
    } else if row.expires_at <= now {
        InvitationStatus::Expired
    } else {
        InvitationStatus::Pending
    };
    Invitation {
        id: row.id.clone(),
        kind: row.kind,
        role: row.role,
        label: row.label.clone(),
        created_at: row.created_at,
        expires_at: row.expires_at,
        status,
        inviter_id: row.inviter_id.clone(),
    }
}

fn person_view(row: PersonRow) -> Person {
    Person {
        id: row.id,
        role: row.role,
        display_name: row.display_name,
        created_at: row.created_at,
        passkey_count: row.passkey_count,
        last_sign_in_at: row.last_sign_in_at,
    }
}

/// Invitations the caller may see: all for admins, their own for clinicians.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "invitations",
    responses((status = 200, body = InvitationList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    InviterSession(session): InviterSession,
) -> ApiResult<Json<InvitationList>> {
    let scope = (session.user.role != Role::Admin).then_some(&session.user.id);
    let rows = state.store.invitations(scope).await?;
    let now = state.now();
    Ok(Json(InvitationList {
        invitations: rows.iter().map(|r| invitation_view(r, now)).collect(),
    }))
}

/// Issues an invitation; the link is in the answer and never shown again.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "invitations",
    request_body = CreateInvitationRequest,
    responses((status = 200, body = IssuedInvitation), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "Wrong role, or `reauth_required`")))]
pub async fn create_invitation(
    State(state): State<AppState>,
    InviterSession(session): InviterSession,
    ApiJson(req): ApiJson<CreateInvitationRequest>,
) -> ApiResult<Json<IssuedInvitation>> {
    if !session.user.role.may_invite(req.role) {
        return Err(ApiError::forbidden());
    }
    session.require_fresh(&state)?;
    let label = match req.label.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(passkeys::checked_text(raw, 1, 80).ok_or_else(|| {
            ApiError::bad_request("Please keep the note to 80 characters or fewer.")
        })?),
    };
    issue(
        &state,
        &session.user.id,
        InvitationKind::Invitation,
        req.role,
        None,
        label,
    )
    .await
}

/// Revokes a pending invitation.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/revoke", tag = "invitations", request_body = Empty,
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 200, body = Invitation), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    InviterSession(session): InviterSession,
    Path(id): Path<String>,
    ApiJson(_empty): ApiJson<Empty>,
) -> ApiResult<Json<Invitation>> {
    let id = InvitationId::parse(&id).ok_or_else(ApiError::not_found)?;
    let row = state
        .store
        .invitation(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mine = row.inviter_id.as_ref() == Some(&session.user.id);
    if row.kind == InvitationKind::Setup || (session.user.role != Role::Admin && !mine) {
        return Err(ApiError::not_found());
    }
    let now = state.now();
    let mut event = Event::new(EventKind::InvitationRevoked, now)
        .actor(&session.user.id)
        .object(ObjectKind::Invitation, id.as_str());
    if let Some(subject) = &row.recovery_user_id {
        event = event.subject(subject);
    }
    match state
        .store
        .revoke_invitation(&id, now, &[event.done()])
        .await
    {
        Ok(()) => {}
        Err(e) if e.kind() == alcove_store::ErrorKind::Conflict => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::BadRequest,
                "This invitation was already used or withdrawn.",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!("invitation revoked");
    let row = state
        .store
        .invitation(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(invitation_view(&row, state.now())))
}

/// People the caller may see: everyone for admins, their clients for clinicians.
#[utoipa::path(get, path = "/api/v1/people", tag = "people",
    responses((status = 200, body = PersonList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_people(
    State(state): State<AppState>,
    InviterSession(session): InviterSession,
) -> ApiResult<Json<PersonList>> {
    let rows = if session.user.role == Role::Admin {
        state.store.people().await?
    } else {
        let clients = state.store.clients_of(&session.user.id).await?;
        // A clinician seeing a client in their list is an access to that client's record.
        let now = state.now();
        let events: Vec<_> = clients
            .iter()
            .map(|c| {
                Event::new(EventKind::RecordViewed, now)
                    .actor(&session.user.id)
                    .subject(&c.id)
                    .object(ObjectKind::User, c.id.as_str())
                    .done()
            })
            .collect();
        if !events.is_empty() {
            state.store.log_events(&events).await?;
        }
        clients
    };
    Ok(Json(PersonList {
        people: rows.into_iter().map(person_view).collect(),
    }))
}

/// Issues a recovery link for someone who lost every passkey. Staff must first confirm who the
/// person is by voice or in a session; the link adds a passkey and revokes nothing.
#[utoipa::path(post, path = "/api/v1/people/{id}/recovery-invitation", tag = "people", request_body = Empty,
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = IssuedInvitation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn recovery_invitation(
    State(state): State<AppState>,
    InviterSession(session): InviterSession,
    Path(id): Path<String>,
    ApiJson(_empty): ApiJson<Empty>,
) -> ApiResult<Json<IssuedInvitation>> {
    let id = UserId::parse(&id).ok_or_else(ApiError::not_found)?;
    let target = state
        .store
        .user(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let allowed = match session.user.role {
        Role::Admin => true,
        Role::Clinician => {
            state
                .store
                .is_client_of(&session.user.id, &target.id)
                .await?
        }
        Role::Supervisor | Role::Client => false,
    };
    if !allowed {
        return Err(ApiError::not_found());
    }
    session.require_fresh(&state)?;
    issue(
        &state,
        &session.user.id,
        InvitationKind::Recovery,
        target.role,
        Some(target.id),
        None,
    )
    .await
}

async fn issue(
    state: &AppState,
    inviter: &UserId,
    kind: InvitationKind,
    role: Role,
    recovery_user_id: Option<UserId>,
    label: Option<String>,
) -> ApiResult<Json<IssuedInvitation>> {
    let token = new_token();
    let now = state.now();
    let new = NewInvitation {
        id: InvitationId::from_random(random_id_bytes()),
        token_hash: hash_token(&token),
        kind,
        role,
        inviter_id: Some(inviter.clone()),
        recovery_user_id,
        label,
        created_at: now,
        expires_at: now + state.config.invitation_ttl_secs * 1000,
    };
    let mut event = Event::new(EventKind::InvitationCreated, now)
        .actor(inviter)
        .object(ObjectKind::Invitation, new.id.as_str());
    if let Some(subject) = &new.recovery_user_id {
        event = event.subject(subject);
    }
    state.store.create_invitation(&new, &[event.done()]).await?;
    tracing::info!(
        kind = kind.as_str(),
        role = role.as_str(),
        "invitation issued"
    );
    let row = state
        .store
        .invitation(&new.id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(IssuedInvitation {
        invitation: invitation_view(&row, now),
        link: state.link("invite", &token),
    }))
}
