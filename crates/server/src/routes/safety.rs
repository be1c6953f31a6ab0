//! Safety-number verification: a member says they compared the conversation's safety number
//! with the other person. The server recomputes it from the public keys of the conversation's
//! current devices and records it only if it matches, so the secureness checklist can tell
//! "verified, and still about these devices" from "verified before a device changed".

use super::conversations::DeviceSession;
use super::ApiJson;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use alcove_crypto::{DeviceKey, PersonKeys};
use alcove_store::MemberDeviceKey;
use alcove_types::api::{Empty, ErrorBody};
use alcove_types::delivery::SafetyNumberReport;
use alcove_types::{ConversationId, ErrorCode, UserId};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

/// The safety number of a two-person conversation over its current devices (None when it does
/// not have exactly two people with devices).
pub fn current_safety_number(devices: &[MemberDeviceKey]) -> Option<String> {
    let mut people: Vec<(&UserId, Vec<&MemberDeviceKey>)> = Vec::new();
    for d in devices {
        match people.iter_mut().find(|(u, _)| *u == &d.user_id) {
            Some((_, list)) => list.push(d),
            None => people.push((&d.user_id, vec![d])),
        }
    }
    let [a, b] = people.as_slice() else {
        return None;
    };
    let person = |(user, list): &(&UserId, Vec<&MemberDeviceKey>)| -> Option<PersonKeys> {
        Some(PersonKeys {
            user: alcove_crypto::UserId::new(user.as_str()).ok()?,
            devices: list
                .iter()
                .map(|d| {
                    Some(DeviceKey {
                        device: alcove_crypto::DeviceId::new(d.device_id.as_str()).ok()?,
                        signature_key: d.signature_key.clone(),
                    })
                })
                .collect::<Option<Vec<_>>>()?,
        })
    };
    let sn = alcove_crypto::safety_number(&person(a)?, &person(b)?).ok()?;
    Some(sn.digits().to_owned())
}

/// Records that the caller compared the conversation's safety number with the other person.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/verification", tag = "conversations",
    params(("id" = String, Path, description = "Conversation id"),
           ("x-alcove-device" = String, Header, description = "The acting device")),
    request_body = SafetyNumberReport,
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn report_verification(
    State(state): State<AppState>,
    actor: DeviceSession,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SafetyNumberReport>,
) -> ApiResult<Json<Empty>> {
    let conversation = ConversationId::parse(&id).ok_or_else(ApiError::not_found)?;
    let devices = state.store.conversation_device_keys(&conversation).await?;
    if !devices.iter().any(|d| d.device_id == actor.device.id) {
        return Err(ApiError::forbidden());
    }
    let reported: String = req
        .safety_number
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if reported.len() != 60 || !reported.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(
            ErrorCode::BadRequest,
            "A safety number is 60 digits.",
        ));
    }
    if current_safety_number(&devices).as_deref() != Some(reported.as_str()) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::SafetyNumberMismatch,
            "This is not the safety number of the conversation's current devices. Reload the conversation and compare again.",
        ));
    }
    state
        .store
        .record_safety_verification(
            &conversation,
            &actor.session.user.id,
            &reported,
            state.now(),
        )
        .await?;
    Ok(Json(Empty {}))
}
