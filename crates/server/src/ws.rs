//! `GET /api/v1/ws?device=…`: the live connection of one device.
//!
//! The upgrade request is authenticated by the session cookie like any API request, names one
//! of the person's active devices, and must come from this site when it carries an `Origin`
//! (a browser always sends one, so another site cannot open a socket with the person's
//! cookie). The server pushes [`ServerFrame`]s (new messages, welcomes, device changes) and
//! answers the device's [`ClientFrame`]s (`send`, `ack`). Every 30 seconds it checks that the
//! session and the device are still valid and closes the socket when either ended.

use crate::auth::Session;
use crate::error::{ApiError, ApiResult};
use crate::routes::conversations::post_consented;
use crate::routes::devices::own_active_device;
use crate::state::AppState;
use alcove_store::DeviceRow;
use alcove_types::delivery::{ClientFrame, PostMessageRequest, ServerFrame};
use alcove_types::{DeviceId, ErrorCode};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::time::Duration;

/// Largest frame a device may send.
const MAX_FRAME: usize = crate::MAX_JSON_BODY;
/// How long a connection trusts a consent check before repeating it (a new consent version
/// reaches open connections within this time).
const CONSENT_RECHECK_MS: i64 = 30_000;
/// How often a connection re-checks its session and device.
const RECHECK: Duration = Duration::from_secs(30);

/// Which device connects.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WsQuery {
    /// One of the signed-in person's active devices.
    pub device: String,
}

/// Opens the device's live connection (WebSocket). Frames are JSON: the server sends
/// `message`, `welcome`, `device_changed`, `sent` and `error`; the device sends `send` and
/// `ack`.
#[utoipa::path(get, path = "/api/v1/ws", tag = "conversations",
    params(WsQuery),
    responses((status = 101, description = "Switching to the WebSocket protocol"),
              (status = 401, body = alcove_types::api::ErrorBody),
              (status = 403, body = alcove_types::api::ErrorBody)))]
pub async fn connect(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Session,
    Query(query): Query<WsQuery>,
    upgrade: WebSocketUpgrade,
) -> ApiResult<Response> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        if origin.to_str().ok() != Some(&*state.origin) {
            tracing::warn!("refused a WebSocket from another origin");
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::OriginMismatch,
                "This connection did not come from this Alcove site.",
            ));
        }
    }
    let id = DeviceId::parse(&query.device)
        .ok_or_else(|| ApiError::bad_request("Name one of your devices."))?;
    let device = own_active_device(&state, &session, &id).await?;
    Ok(upgrade
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| serve(state, session, device, socket)))
}

async fn serve(state: AppState, session: Session, device: DeviceRow, mut socket: WebSocket) {
    let mut subscription = state.hub.subscribe(device.id.clone());
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.tick().await;
    let mut last_touch = state.now();
    // When this connection last found the sender's consent current.
    let mut consent_checked_at: Option<i64> = None;
    loop {
        tokio::select! {
            pushed = subscription.frames.recv() => {
                let Some(text) = pushed else { break };
                if socket.send(Message::Text((*text).into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Binary(_))) => {
                        let reply = error_frame(None, &ApiError::bad_request("Send JSON text frames."));
                        if send_frame(&mut socket, &reply).await.is_err() { break; }
                        continue;
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                };
                let now = state.now();
                if now - last_touch >= 10_000 {
                    if state.store.touch_session(&session.session.token_hash, now).await.is_err() {
                        break;
                    }
                    last_touch = now;
                }
                let reply =
                    handle_frame(&state, &session, &device, text.as_str(), &mut consent_checked_at)
                        .await;
                if let Some(reply) = reply {
                    if send_frame(&mut socket, &reply).await.is_err() {
                        break;
                    }
                }
            }
            _ = recheck.tick() => {
                if !still_valid(&state, &session, &device.id).await {
                    let _ = socket.send(Message::Close(Some(CloseFrame {
                        code: 4401,
                        reason: "session ended".into(),
                    }))).await;
                    break;
                }
            }
        }
    }
}

async fn still_valid(state: &AppState, session: &Session, device: &DeviceId) -> bool {
    let now = state.now();
    let live_session = matches!(
        state.store.session(&session.session.token_hash).await,
        Ok(Some(s)) if s.expires_at > now
    );
    let live_device = matches!(
        state.store.device(device).await,
        Ok(Some(d)) if d.is_active()
    );
    live_session && live_device
}

async fn handle_frame(
    state: &AppState,
    session: &Session,
    device: &DeviceRow,
    text: &str,
    consent_checked_at: &mut Option<i64>,
) -> Option<ServerFrame> {
    let frame: ClientFrame = match serde_json::from_str(text) {
        Ok(frame) => frame,
        Err(_) => {
            // Answer with the frame's reference when it has one, so the sender is not left
            // waiting.
            let ref_id = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v["ref_id"].as_u64());
            return Some(error_frame(
                ref_id,
                &ApiError::bad_request("The frame is not a valid send or ack frame."),
            ));
        }
    };
    match frame {
        ClientFrame::Send {
            ref_id,
            conversation_id,
            message,
            welcome,
            removed_devices,
        } => {
            let req = PostMessageRequest {
                message,
                welcome,
                removed_devices,
            };
            let now = state.now();
            if consent_checked_at.is_none_or(|at| now - at >= CONSENT_RECHECK_MS) {
                if let Err(e) = crate::consent::require_current_consent(state, &session.user).await
                {
                    *consent_checked_at = None;
                    return Some(error_frame(Some(ref_id), &e));
                }
                *consent_checked_at = Some(now);
            }
            Some(
                match post_consented(state, &session.user.id, &device.id, &conversation_id, req)
                    .await
                {
                    Ok(posted) => ServerFrame::Sent {
                        ref_id,
                        seq: posted.seq,
                        epoch: posted.epoch,
                    },
                    Err(e) => error_frame(Some(ref_id), &e),
                },
            )
        }
        ClientFrame::Ack {
            conversation_id,
            seq,
        } => match state
            .store
            .ack_messages(&conversation_id, &device.id, seq)
            .await
        {
            Ok(()) => None,
            Err(e) => Some(error_frame(None, &ApiError::from(e))),
        },
    }
}

fn error_frame(ref_id: Option<u64>, e: &ApiError) -> ServerFrame {
    ServerFrame::Error {
        ref_id,
        code: e.code().as_str().to_owned(),
        message: e.message().to_owned(),
    }
}

async fn send_frame(socket: &mut WebSocket, frame: &ServerFrame) -> Result<(), axum::Error> {
    let text = serde_json::to_string(frame).unwrap_or_default();
    socket.send(Message::Text(text.into())).await
}
