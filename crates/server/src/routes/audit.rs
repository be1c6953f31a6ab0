//! The audit log over HTTP: the log key, the latest signed checkpoint, inclusion and consistency
//! proofs, and each person's view of the events they may see, each with its inclusion proof.
//!
//! Admins see every event; clinicians their own and their clients'; everyone else the events
//! they did or that concern them — for a client, "who accessed my record".

use crate::audit::checkpoint_now;
use crate::auth::Session;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use alcove_audit::{
    consistency_proof, consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes, AuditEvent,
    Hash, NoteVerifier,
};
use alcove_store::{AuditScope, CheckpointRow};
use alcove_types::api::ErrorBody;
use alcove_types::Role;
use axum::extract::{RawQuery, State};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use utoipa::ToSchema;

/// Events per page of `/api/v1/audit/events`.
const PAGE: u32 = 100;

/// The log's public key.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogKey {
    /// The verifier key, `<name>+<key id>+<base64 key>` (the C2SP signed-note form).
    pub key: String,
}

/// A signed tree head.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedCheckpoint {
    /// Number of leaves it covers.
    pub size: u64,
    /// The signed note (C2SP `tlog-checkpoint`), to verify with the log key.
    pub note: String,
}

/// An inclusion proof.
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionProof {
    /// The leaf.
    pub index: u64,
    /// The tree size it is proven against.
    pub size: u64,
    /// Sibling hashes, bottom up, base64.
    pub proof: Vec<String>,
}

/// A consistency proof.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyProof {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size.
    pub to: u64,
    /// The proof hashes, base64.
    pub proof: Vec<String>,
}

/// One object an event touched.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventObject {
    /// What kind of thing.
    pub kind: String,
    /// Its id.
    pub id: String,
}

/// One event, decoded, with its leaf data and inclusion proof.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    /// Position in the log.
    pub index: u64,
    /// What happened (`record_viewed`, `sign_in`, …).
    pub kind: String,
    /// When, in milliseconds since the Unix epoch.
    pub at: i64,
    /// Who did it (a user id), if anyone.
    pub actor: Option<String>,
    /// Whose record it concerns (a user id), if anyone's.
    pub subject: Option<String>,
    /// What it touched.
    pub objects: Vec<EventObject>,
    /// The leaf data (the canonical encoding), base64.
    pub leaf: String,
    /// Inclusion proof against the page's checkpoint, base64 hashes.
    pub proof: Vec<String>,
}

/// A page of events, all proven against one checkpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventPage {
    /// The checkpoint every proof on this page leads to.
    pub checkpoint: SignedCheckpoint,
    /// The events, oldest first.
    pub events: Vec<AuditEventView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<u64>,
}

fn b64(hashes: &[Hash]) -> Vec<String> {
    hashes
        .iter()
        .map(|h| STANDARD.encode(h.as_bytes()))
        .collect()
}

/// A `u64` query parameter; `None` when absent, 400 when malformed.
fn param(query: Option<&str>, name: &str) -> ApiResult<Option<u64>> {
    let Some(query) = query else { return Ok(None) };
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == name {
            return v
                .parse::<u64>()
                .map(Some)
                .map_err(|_| ApiError::bad_request("A query parameter is not a whole number."));
        }
    }
    Ok(None)
}

fn required(query: Option<&str>, name: &str) -> ApiResult<u64> {
    param(query, name)?
        .ok_or_else(|| ApiError::bad_request("A required query parameter is missing."))
}

async fn latest(state: &AppState) -> ApiResult<CheckpointRow> {
    checkpoint_now(state)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| ApiError::internal(&"the audit log has no checkpoint"))
}

/// The log's public key, for clients to pin.
#[utoipa::path(get, path = "/api/v1/audit/key", tag = "audit",
    responses((status = 200, body = LogKey)))]
pub async fn key(State(state): State<AppState>) -> Json<LogKey> {
    let verifier: NoteVerifier = state.log.verifier();
    Json(LogKey {
        key: verifier.to_string(),
    })
}

/// The latest signed checkpoint (signing one first if the log has grown).
#[utoipa::path(get, path = "/api/v1/audit/checkpoint", tag = "audit",
    responses((status = 200, body = SignedCheckpoint)))]
pub async fn checkpoint(State(state): State<AppState>) -> ApiResult<Json<SignedCheckpoint>> {
    let cp = latest(&state).await?;
    Ok(Json(SignedCheckpoint {
        size: cp.size,
        note: cp.note,
    }))
}

/// An inclusion proof for leaf `index` in the tree of `size` (at most the latest checkpoint).
#[utoipa::path(get, path = "/api/v1/audit/proof/inclusion", tag = "audit",
    params(("index" = u64, Query, description = "Leaf index"),
           ("size" = u64, Query, description = "Tree size")),
    responses((status = 200, body = InclusionProof), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub async fn inclusion(
    State(state): State<AppState>,
    _session: Session,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<InclusionProof>> {
    let index = required(query.as_deref(), "index")?;
    let size = required(query.as_deref(), "size")?;
    let cp = latest(&state).await?;
    if size > cp.size {
        return Err(ApiError::bad_request(
            "That tree size has not been signed yet.",
        ));
    }
    let ids = inclusion_proof_nodes(index, size)
        .map_err(|_| ApiError::bad_request("The leaf is not in a tree of that size."))?;
    let nodes = state.store.audit_nodes(&ids).await?;
    let proof = inclusion_proof(&nodes, index, size).map_err(|e| ApiError::internal(&e))?;
    Ok(Json(InclusionProof {
        index,
        size,
        proof: b64(&proof),
    }))
}

/// A consistency proof from the tree of `from` leaves to the tree of `to` leaves.
#[utoipa::path(get, path = "/api/v1/audit/proof/consistency", tag = "audit",
    params(("from" = u64, Query, description = "Older tree size"),
           ("to" = u64, Query, description = "Newer tree size")),
    responses((status = 200, body = ConsistencyProof), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub async fn consistency(
    State(state): State<AppState>,
    _session: Session,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<ConsistencyProof>> {
    let from = required(query.as_deref(), "from")?;
    let to = required(query.as_deref(), "to")?;
    let cp = latest(&state).await?;
    if to > cp.size {
        return Err(ApiError::bad_request(
            "That tree size has not been signed yet.",
        ));
    }
    let ids = consistency_proof_nodes(from, to)
        .map_err(|_| ApiError::bad_request("The first size must not exceed the second."))?;
    let nodes = state.store.audit_nodes(&ids).await?;
    let proof = consistency_proof(&nodes, from, to).map_err(|e| ApiError::internal(&e))?;
    Ok(Json(ConsistencyProof {
        from,
        to,
        proof: b64(&proof),
    }))
}

/// The events the signed-in person may see, from `cursor` (a leaf index) on, each with an
/// inclusion proof against the page's checkpoint.
#[utoipa::path(get, path = "/api/v1/audit/events", tag = "audit",
    params(("cursor" = Option<u64>, Query, description = "First leaf index to consider")),
    responses((status = 200, body = AuditEventPage), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    session: Session,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<AuditEventPage>> {
    let cursor = param(query.as_deref(), "cursor")?.unwrap_or(0);
    let me = &session.user.id;
    let scope = match session.user.role {
        Role::Admin => AuditScope::All,
        Role::Client => AuditScope::Subject(me.clone()),
        Role::Clinician => {
            let mut subjects = vec![me.clone()];
            subjects.extend(state.store.clients_of(me).await?.into_iter().map(|p| p.id));
            AuditScope::Involving {
                actors: vec![me.clone()],
                subjects,
            }
        }
        Role::Supervisor => AuditScope::Involving {
            actors: vec![me.clone()],
            subjects: vec![me.clone()],
        },
    };
    let cp = latest(&state).await?;
    let rows = state.store.audit_events(&scope, cursor, PAGE).await?;
    let full = rows.len() == PAGE as usize;
    let mut events = Vec::with_capacity(rows.len());
    let mut next_cursor = None;
    for row in rows {
        if row.index >= cp.size {
            // Not signed yet: the next page (after the next checkpoint) will have it.
            next_cursor = Some(row.index);
            break;
        }
        let event = AuditEvent::decode(&row.data).map_err(|e| ApiError::internal(&e))?;
        let ids = inclusion_proof_nodes(row.index, cp.size).map_err(|e| ApiError::internal(&e))?;
        let nodes = state.store.audit_nodes(&ids).await?;
        let proof =
            inclusion_proof(&nodes, row.index, cp.size).map_err(|e| ApiError::internal(&e))?;
        next_cursor = full.then_some(row.index + 1);
        events.push(AuditEventView {
            index: row.index,
            kind: event.kind.as_str().to_owned(),
            at: event.at_ms,
            actor: event.actor.map(|a| a.as_str().to_owned()),
            subject: event.subject.map(|s| s.as_str().to_owned()),
            objects: event
                .objects
                .iter()
                .map(|(k, id)| EventObject {
                    kind: k.as_str().to_owned(),
                    id: id.as_str().to_owned(),
                })
                .collect(),
            leaf: STANDARD.encode(&row.data),
            proof: b64(&proof),
        });
    }
    Ok(Json(AuditEventPage {
        checkpoint: SignedCheckpoint {
            size: cp.size,
            note: cp.note,
        },
        events,
        next_cursor,
    }))
}

/// A device's key registration with its inclusion proof (key transparency).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceRegistration {
    /// The leaf index of the device's `DeviceAdded` event.
    pub index: u64,
    /// The tree size the proof is for.
    pub size: u64,
    /// The leaf's data (the canonical event encoding), base64.
    pub leaf: String,
    /// Sibling hashes, bottom up, base64.
    pub proof: Vec<String>,
}

/// The audit-log leaf that registered a device's key, with an inclusion proof in the tree of
/// `size` leaves (a size the caller holds a signed checkpoint for). Clients check it before
/// encrypting to the device: a key the server did not log cannot be slipped in.
#[utoipa::path(get, path = "/api/v1/devices/{id}/registration", tag = "devices",
    params(("id" = String, Path, description = "Device id"),
           ("size" = u64, Query, description = "Tree size")),
    responses((status = 200, body = DeviceRegistration), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn device_registration(
    State(state): State<AppState>,
    session: Session,
    axum::extract::Path(id): axum::extract::Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<DeviceRegistration>> {
    let size = required(query.as_deref(), "size")?;
    let id = alcove_types::DeviceId::parse(&id).ok_or_else(ApiError::not_found)?;
    let device = state
        .store
        .device(&id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !super::devices::may_reach(&state, &session, &device.user_id).await? {
        return Err(ApiError::not_found());
    }
    let cp = latest(&state).await?;
    if size > cp.size || device.log_index >= size {
        return Err(ApiError::bad_request(
            "Ask for a signed tree size that contains the registration.",
        ));
    }
    let leaf = state
        .store
        .audit_leaves(device.log_index, 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal(&"a device's audit leaf is missing"))?;
    let ids = inclusion_proof_nodes(device.log_index, size)
        .map_err(|_| ApiError::bad_request("The leaf is not in a tree of that size."))?;
    let nodes = state.store.audit_nodes(&ids).await?;
    let proof =
        inclusion_proof(&nodes, device.log_index, size).map_err(|e| ApiError::internal(&e))?;
    Ok(Json(DeviceRegistration {
        index: device.log_index,
        size,
        leaf: STANDARD.encode(&leaf.data),
        proof: b64(&proof),
    }))
}
