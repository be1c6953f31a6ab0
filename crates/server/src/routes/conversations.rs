//! The delivery service: conversations (MLS groups), their ordered message logs, welcomes for
//! added devices, acknowledgements and encrypted attachment blobs.
//!
//! Every route here acts for one device, named by the `X-Alcove-Device` header (the WebSocket
//! names it in its query string), which must be an active device of the signed-in person. The
//! server reads only the public framing of MLS messages ([`alcove_crypto::inspect_message`]):
//! the conversation, the epoch and whether it is a commit. It accepts the first commit of each
//! epoch and refuses later ones with `epoch_conflict`, so the sender can process the winner and
//! redo its change.

use super::devices::{decode_b64, own_active_device};
use super::ApiJson;
use crate::audit::Event;
use crate::auth::Session;
use crate::error::{ApiError, ApiResult};
use crate::secrets::random_id_bytes;
use crate::state::AppState;
use alcove_audit::{EventKind, ObjectKind};
use alcove_crypto::MessageType;
use alcove_store::{ConversationRow, DeviceRow, MessageRow, NewBlob, NewMessage, UserRow};
use alcove_types::api::{Empty, ErrorBody};
use alcove_types::delivery::{
    AckRequest, BlobInfo, Conversation, ConversationList, CreateConversationRequest,
    DeliveredMessage, MessageKind, MessagePage, PostMessageRequest, PostedMessage, ServerFrame,
    Welcome, WelcomeList,
};
use alcove_types::{BlobId, ConversationId, DeviceId, ErrorCode, Role, UserId};
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// The header that names the acting device.
pub const DEVICE_HEADER: &str = "x-alcove-device";
/// Most messages one fetch returns.
pub const MAX_PAGE: u32 = 500;
/// How long one `RecordViewed` event covers repeated reads of the same conversation.
const VIEW_WINDOW_MS: i64 = 15 * 60 * 1000;

/// A signed-in person acting through one of their active devices.
#[derive(Debug, Clone)]
pub struct DeviceSession {
    /// The person and their session.
    pub session: Session,
    /// The device.
    pub device: DeviceRow,
}

impl FromRequestParts<AppState> for DeviceSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let session = Session::from_request_parts(parts, state).await?;
        let id = parts
            .headers
            .get(DEVICE_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(DeviceId::parse)
            .ok_or_else(|| {
                ApiError::bad_request("Name the device in the X-Alcove-Device header.")
            })?;
        let device = own_active_device(state, &session, &id).await?;
        Ok(DeviceSession { session, device })
    }
}

/// When each (reader, conversation) pair last logged a `RecordViewed` event.
#[derive(Default)]
pub struct ViewLog(Mutex<HashMap<(UserId, ConversationId), i64>>);

impl ViewLog {
    /// Whether a read at `now` needs a new event; remembers it if so.
    fn should_log(&self, reader: &UserId, conversation: &ConversationId, now: i64) -> bool {
        let Ok(mut map) = self.0.lock() else {
            return true;
        };
        if map.len() > 100_000 {
            map.retain(|_, at| now - *at < VIEW_WINDOW_MS);
        }
        let key = (reader.clone(), conversation.clone());
        match map.get(&key) {
            Some(at) if now - *at < VIEW_WINDOW_MS => false,
            _ => {
                map.insert(key, now);
                true
            }
        }
    }
}

fn conversation_view(row: ConversationRow) -> Conversation {
    Conversation {
        id: row.id,
        members: row.members,
        epoch: row.epoch,
        last_seq: row.last_seq,
        created_at: row.created_at,
    }
}

/// A stored message as the API delivers it.
pub fn message_view(row: MessageRow) -> DeliveredMessage {
    DeliveredMessage {
        conversation_id: row.conversation_id,
        seq: row.seq,
        sender_device: row.sender_device,
        kind: row.kind,
        epoch: row.epoch,
        data: URL_SAFE_NO_PAD.encode(row.data),
        created_at: row.created_at,
    }
}

fn parse_conversation(id: &str) -> ApiResult<ConversationId> {
    ConversationId::parse(id).ok_or_else(ApiError::not_found)
}

fn invalid_message(message: &'static str) -> ApiError {
    ApiError::invalid(ErrorCode::InvalidMessage, message)
}

/// Opens a conversation between the caller and their client or clinician, with the MLS group
/// the caller's device just created. Other devices join through welcomes.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "conversations",
    request_body = CreateConversationRequest,
    params(("x-alcove-device" = String, Header, description = "The acting device")),
    responses((status = 201, body = Conversation), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn create_conversation(
    State(state): State<AppState>,
    actor: DeviceSession,
    ApiJson(req): ApiJson<CreateConversationRequest>,
) -> ApiResult<(StatusCode, Json<Conversation>)> {
    let me = &actor.session.user;
    let (clinician, client) = match me.role {
        Role::Clinician => (me.id.clone(), req.peer.clone()),
        Role::Client => (req.peer.clone(), me.id.clone()),
        Role::Admin | Role::Supervisor => return Err(ApiError::forbidden()),
    };
    if !state.store.is_client_of(&clinician, &client).await? {
        return Err(ApiError::not_found());
    }
    let now = state.now();
    let event = Event::new(EventKind::ConversationCreated, now)
        .actor(&me.id)
        .subject(&client)
        .object(ObjectKind::Conversation, req.conversation_id.as_str())
        .object(ObjectKind::Device, actor.device.id.as_str())
        .done();
    match state
        .store
        .create_conversation(
            &req.conversation_id,
            &actor.device.id,
            &[clinician, client],
            now,
            &[event],
        )
        .await
    {
        Ok(()) => {}
        Err(e) if e.kind() == alcove_store::ErrorKind::Duplicate => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::BadRequest,
                "A conversation with this id exists already.",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    let row = state
        .store
        .conversation(&req.conversation_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(conversation_view(row))))
}

/// The acting device's conversations.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations",
    params(("x-alcove-device" = String, Header, description = "The acting device")),
    responses((status = 200, body = ConversationList), (status = 401, body = ErrorBody)))]
pub async fn list_conversations(
    State(state): State<AppState>,
    actor: DeviceSession,
) -> ApiResult<Json<ConversationList>> {
    let rows = state
        .store
        .conversations_of_device(&actor.device.id)
        .await?;
    let pending = state
        .store
        .conversations_awaiting_device(&actor.session.user.id, &actor.device.id)
        .await?;
    Ok(Json(ConversationList {
        conversations: rows.into_iter().map(conversation_view).collect(),
        pending: pending.into_iter().map(conversation_view).collect(),
    }))
}

/// The client member of a conversation, if it has one.
async fn conversation_client(
    state: &AppState,
    conversation: &ConversationId,
) -> ApiResult<Option<UserId>> {
    let Some(row) = state.store.conversation(conversation).await? else {
        return Ok(None);
    };
    for member in row.members {
        if let Some(user) = state.store.user(&member).await? {
            if user.role == Role::Client {
                return Ok(Some(user.id));
            }
        }
    }
    Ok(None)
}

/// Checks and stores one posted MLS message, then pushes it to the conversation's other
/// connected devices and any welcome to the added ones. Shared by the HTTP route and the
/// WebSocket's `send` frame.
pub async fn post(
    state: &AppState,
    user_row: &UserRow,
    device: &DeviceId,
    conversation: &ConversationId,
    req: PostMessageRequest,
) -> ApiResult<PostedMessage> {
    // A client who has not accepted the current consent document cannot send (the UI says so
    // too, but the API is where it is enforced).
    crate::consent::require_current_consent(state, user_row).await?;
    post_consented(state, &user_row.id, device, conversation, req).await
}

/// [`post`] for a sender whose consent the caller has checked (the WebSocket checks it when a
/// connection sends its first message and again every 30 seconds).
pub async fn post_consented(
    state: &AppState,
    user: &UserId,
    device: &DeviceId,
    conversation: &ConversationId,
    req: PostMessageRequest,
) -> ApiResult<PostedMessage> {
    let data = decode_b64(&req.message, "message")?;
    let info = alcove_crypto::inspect_message(&data)
        .map_err(|_| invalid_message("The message is not a valid MLS message."))?;
    if info.conversation.as_ref().map(|c| c.to_hex()).as_deref() != Some(conversation.as_str()) {
        return Err(invalid_message(
            "The message belongs to another conversation.",
        ));
    }
    let epoch = info.epoch.unwrap_or_default();
    let kind = match info.message_type {
        MessageType::Application => MessageKind::Application,
        MessageType::Commit => MessageKind::Commit,
        _ => {
            return Err(invalid_message(
                "Only application messages and commits can be posted.",
            ))
        }
    };
    if kind == MessageKind::Application
        && (req.welcome.is_some() || !req.removed_devices.is_empty())
    {
        return Err(invalid_message("Only a commit can add or remove devices."));
    }
    let welcome = match &req.welcome {
        None => None,
        Some(encoded) => {
            let bytes = decode_b64(encoded, "welcome")?;
            let info = alcove_crypto::inspect_message(&bytes)
                .map_err(|_| invalid_message("The welcome is not a valid MLS welcome."))?;
            let MessageType::Welcome { key_package_refs } = info.message_type else {
                return Err(invalid_message("The welcome is not a valid MLS welcome."));
            };
            if key_package_refs.is_empty() || key_package_refs.len() > 64 {
                return Err(invalid_message("The welcome is addressed to no one."));
            }
            Some((bytes, key_package_refs))
        }
    };
    let now = state.now();
    let mut events = Vec::new();
    if welcome.is_some() || !req.removed_devices.is_empty() {
        let mut e = Event::new(EventKind::MembershipChanged, now)
            .actor(user)
            .object(ObjectKind::Conversation, conversation.as_str());
        // The event concerns the conversation's client, so it is in their accounting.
        if let Some(client) = conversation_client(state, conversation).await? {
            e = e.subject(&client);
        }
        for d in &req.removed_devices {
            e = e.object(ObjectKind::Device, d.as_str());
        }
        events.push(e.done());
    }
    let msg = NewMessage {
        conversation_id: conversation.clone(),
        sender_device: device.clone(),
        kind,
        epoch,
        data,
        welcome,
        removed_devices: req.removed_devices,
        created_at: now,
    };
    let posted = state.store.post_message(&msg, &events).await?;
    let frame = ServerFrame::Message(DeliveredMessage {
        conversation_id: conversation.clone(),
        seq: posted.seq,
        sender_device: device.clone(),
        kind,
        epoch,
        data: URL_SAFE_NO_PAD.encode(&msg.data),
        created_at: now,
    });
    state.hub.push(&posted.recipients, Some(device), &frame);
    if let Some((bytes, _)) = &msg.welcome {
        let data = URL_SAFE_NO_PAD.encode(bytes);
        for (device, id) in &posted.welcomes {
            let frame = ServerFrame::Welcome(Welcome {
                id: *id,
                conversation_id: conversation.clone(),
                seq: posted.seq,
                data: data.clone(),
            });
            state.hub.push(std::slice::from_ref(device), None, &frame);
        }
    }
    Ok(PostedMessage {
        seq: posted.seq,
        epoch: posted.epoch,
    })
}

/// Posts an MLS application message or commit to a conversation. A commit made in an epoch
/// that already has an accepted commit is refused with `epoch_conflict` (409); a client without
/// current informed consent gets `consent_required` (403).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id"),
           ("x-alcove-device" = String, Header, description = "The acting device")),
    request_body = PostMessageRequest,
    responses((status = 201, body = PostedMessage), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn post_message(
    State(state): State<AppState>,
    actor: DeviceSession,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PostMessageRequest>,
) -> ApiResult<(StatusCode, Json<PostedMessage>)> {
    let conversation = parse_conversation(&id)?;
    let posted = post(
        &state,
        &actor.session.user,
        &actor.device.id,
        &conversation,
        req,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(posted)))
}

/// Where to start reading.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Return messages after this sequence number (default 0).
    #[serde(default)]
    pub after: u64,
    /// At most this many (default and maximum 500).
    pub limit: Option<u32>,
}

/// Messages of a conversation after a cursor, as far as the acting device may read them (from
/// the commit that added it until the one that removed it). Reading a client's conversation
/// is recorded in the audit log.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id"), PageQuery,
           ("x-alcove-device" = String, Header, description = "The acting device")),
    responses((status = 200, body = MessagePage), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn list_messages(
    State(state): State<AppState>,
    actor: DeviceSession,
    Path(id): Path<String>,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<MessagePage>> {
    let conversation = parse_conversation(&id)?;
    let limit = page.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let rows = state
        .store
        .messages_after(&conversation, &actor.device.id, page.after, limit)
        .await?;
    log_record_view(&state, &actor.session, &conversation).await?;
    Ok(Json(MessagePage {
        messages: rows.into_iter().map(message_view).collect(),
    }))
}

/// "Clinician X opened client Y's conversation": one event per reader and conversation per
/// quarter hour. A client reading their own conversation is not an access to be accounted for.
async fn log_record_view(
    state: &AppState,
    session: &Session,
    conversation: &ConversationId,
) -> ApiResult<()> {
    if session.user.role == Role::Client {
        return Ok(());
    }
    let now = state.now();
    if !state.views.should_log(&session.user.id, conversation, now) {
        return Ok(());
    }
    let Some(row) = state.store.conversation(conversation).await? else {
        return Ok(());
    };
    let mut events = Vec::new();
    for member in row.members.iter().filter(|m| **m != session.user.id) {
        events.push(
            Event::new(EventKind::RecordViewed, now)
                .actor(&session.user.id)
                .subject(member)
                .object(ObjectKind::Conversation, conversation.as_str())
                .done(),
        );
    }
    state.store.log_events(&events).await?;
    Ok(())
}

/// Acknowledges a conversation's messages up to a sequence number, so the server can delete
/// them once every device has them (see `delivered_retention_secs`).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/ack", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id"),
           ("x-alcove-device" = String, Header, description = "The acting device")),
    request_body = AckRequest,
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn ack(
    State(state): State<AppState>,
    actor: DeviceSession,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AckRequest>,
) -> ApiResult<Json<Empty>> {
    let conversation = parse_conversation(&id)?;
    state
        .store
        .ack_messages(&conversation, &actor.device.id, req.seq)
        .await?;
    Ok(Json(Empty {}))
}

/// Welcomes waiting for the acting device.
#[utoipa::path(get, path = "/api/v1/welcomes", tag = "conversations",
    params(("x-alcove-device" = String, Header, description = "The acting device")),
    responses((status = 200, body = WelcomeList), (status = 401, body = ErrorBody)))]
pub async fn list_welcomes(
    State(state): State<AppState>,
    actor: DeviceSession,
) -> ApiResult<Json<WelcomeList>> {
    let rows = state.store.welcomes_for(&actor.device.id).await?;
    Ok(Json(WelcomeList {
        welcomes: rows
            .into_iter()
            .map(|w| Welcome {
                id: w.id,
                conversation_id: w.conversation_id,
                seq: w.seq,
                data: URL_SAFE_NO_PAD.encode(w.data),
            })
            .collect(),
    }))
}

/// Deletes a welcome the acting device has processed.
#[utoipa::path(delete, path = "/api/v1/welcomes/{id}", tag = "conversations",
    params(("id" = u64, Path, description = "Welcome id"),
           ("x-alcove-device" = String, Header, description = "The acting device")),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn ack_welcome(
    State(state): State<AppState>,
    actor: DeviceSession,
    Path(id): Path<u64>,
) -> ApiResult<Json<Empty>> {
    state.store.ack_welcome(&actor.device.id, id).await?;
    Ok(Json(Empty {}))
}

/// Uploads an encrypted attachment (`application/octet-stream`, at most `max_blob_bytes`) for
/// a conversation the acting device is in. The key never reaches the server: it travels inside
/// an MLS message with the blob id and the ciphertext's hash.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/blobs", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id"),
           ("x-alcove-device" = String, Header, description = "The acting device")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = BlobInfo), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn upload_blob(
    State(state): State<AppState>,
    actor: DeviceSession,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<(StatusCode, Json<BlobInfo>)> {
    let conversation = parse_conversation(&id)?;
    let limit = usize::try_from(state.config.max_blob_bytes).unwrap_or(usize::MAX);
    let data = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            "The attachment is larger than this practice allows.",
        )
    })?;
    let sha256 = hex::encode(Sha256::digest(&data));
    let blob = NewBlob {
        id: BlobId::from_random(random_id_bytes()),
        conversation_id: conversation,
        uploader_device: actor.device.id.clone(),
        sha256: sha256.clone(),
        data: data.to_vec(),
        created_at: state.now(),
    };
    state.store.put_blob(&blob).await?;
    Ok((
        StatusCode::CREATED,
        Json(BlobInfo {
            id: blob.id,
            size: u64::try_from(data.len()).unwrap_or(u64::MAX),
            sha256,
        }),
    ))
}

/// Downloads an encrypted attachment of a conversation the acting device is in.
#[utoipa::path(get, path = "/api/v1/blobs/{id}", tag = "conversations",
    params(("id" = String, Path, description = "Blob id"),
           ("x-alcove-device" = String, Header, description = "The acting device")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download_blob(
    State(state): State<AppState>,
    actor: DeviceSession,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = BlobId::parse(&id).ok_or_else(ApiError::not_found)?;
    let blob = state.store.blob_for(&id, &actor.device.id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::HeaderName::from_static("x-content-sha256"),
                blob.sha256,
            ),
        ],
        blob.data,
    )
        .into_response())
}
