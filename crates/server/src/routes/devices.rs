//! Devices and the key package directory: registering a device's signature key (a
//! key-transparency leaf in the audit log), listing one's own devices and those of the people
//! one counsels or is counselled by, removing a device, publishing and claiming MLS key packages.

use super::ApiJson;
use crate::audit::Event;
use crate::auth::Session;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use alcove_audit::{EventKind, ObjectKind};
use alcove_store::{DeviceRow, NewDevice, NewKeyPackage};
use alcove_types::api::{Empty, ErrorBody};
use alcove_types::delivery::{
    ClaimKeyPackagesRequest, ClaimedKeyPackage, ClaimedKeyPackages, Device, DeviceList,
    KeyPackageCount, PublishKeyPackagesRequest, RegisterDeviceRequest, ServerFrame,
};
use alcove_types::{DeviceId, ErrorCode, Role, UserId};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Most key packages accepted in one request.
pub const MAX_KEY_PACKAGES_PER_REQUEST: usize = 100;
/// Most people whose key packages one claim may ask for.
pub const MAX_CLAIM_USERS: usize = 10;

/// The API view of a device.
pub fn device_view(row: &DeviceRow) -> Device {
    Device {
        id: row.id.clone(),
        user_id: row.user_id.clone(),
        signature_key: URL_SAFE_NO_PAD.encode(&row.signature_key),
        label: row.label.clone(),
        created_at: row.created_at,
        removed_at: row.removed_at,
        log_index: row.log_index,
    }
}

/// The fingerprint of a signature key as it appears in the audit log: base64url(SHA-256(key)).
pub fn key_fingerprint(key: &[u8]) -> String {
    alcove_audit::device_key_fingerprint(key)
}

/// Decodes a base64url field, with a clear error naming it.
pub fn decode_b64(value: &str, what: &'static str) -> ApiResult<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .map_err(|_| ApiError::bad_request(format!("{what} is not valid base64url.")))
}

/// One of the signed-in person's active devices, or `unknown_device`.
pub async fn own_active_device(
    state: &AppState,
    session: &Session,
    id: &DeviceId,
) -> ApiResult<DeviceRow> {
    match state.store.device(id).await? {
        Some(d) if d.user_id == session.user.id && d.is_active() => Ok(d),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::UnknownDevice,
            "This device is not registered to you, or it was removed. Set it up again.",
        )),
    }
}

/// Whether `viewer` may see `other`'s devices and claim their key packages: themselves, the
/// people in their care relationships, and the people they share a conversation with.
pub async fn may_reach(state: &AppState, viewer: &Session, other: &UserId) -> ApiResult<bool> {
    let me = &viewer.user.id;
    if me == other {
        return Ok(true);
    }
    let care = match viewer.user.role {
        Role::Clinician => state.store.is_client_of(me, other).await?,
        Role::Client => state.store.is_client_of(other, me).await?,
        Role::Admin | Role::Supervisor => false,
    };
    Ok(care || state.store.conversation_peers(me).await?.contains(other))
}

/// Tells a person's own devices and everyone they share a conversation with that their device
/// set changed: those connected to this node now, those connected to other nodes through the
/// database's notifications.
async fn announce_device_change(state: &AppState, device: &DeviceRow, removed: bool) {
    push_device_change(state, &device.user_id, &device.id, removed).await;
    if let Err(e) = state
        .store
        .notify_device_changed(&device.user_id, &device.id, removed)
        .await
    {
        tracing::warn!(error = %e, "notifying other nodes of a device change failed");
    }
}

/// Pushes a `device_changed` frame to the connected devices of the device's owner and of
/// everyone they share a conversation with (but not to the device itself).
pub async fn push_device_change(state: &AppState, user: &UserId, device: &DeviceId, removed: bool) {
    if state.hub.connection_count() == 0 {
        return;
    }
    let mut people = state
        .store
        .conversation_peers(user)
        .await
        .unwrap_or_default();
    people.push(user.clone());
    let mut devices = Vec::new();
    for person in &people {
        if let Ok(list) = state.store.devices_of(person).await {
            devices.extend(list.into_iter().filter(|d| d.is_active()).map(|d| d.id));
        }
    }
    let frame = ServerFrame::DeviceChanged {
        user_id: user.clone(),
        device_id: device.clone(),
        removed,
    };
    state.hub.push(&devices, Some(device), &frame);
}

/// Registers this browser or native client as a device: its Ed25519 signature key becomes a
/// leaf of the audit log, and the people who share a conversation with its owner are told.
#[utoipa::path(post, path = "/api/v1/devices", tag = "devices",
    request_body = RegisterDeviceRequest,
    responses((status = 201, body = Device), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn register_device(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<RegisterDeviceRequest>,
) -> ApiResult<(StatusCode, Json<Device>)> {
    let key = decode_b64(&req.signature_key, "signature_key")?;
    if key.len() != 32 {
        return Err(ApiError::bad_request(
            "signature_key must be a 32-byte Ed25519 public key.",
        ));
    }
    let label = req.label.trim();
    if label.is_empty() || label.chars().count() > 64 || label.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "Give the device a label of 1 to 64 characters.",
        ));
    }
    let now = state.now();
    let device = NewDevice {
        id: req.id.clone(),
        user_id: session.user.id.clone(),
        signature_key: key,
        label: label.to_owned(),
        created_at: now,
    };
    let event = Event::new(EventKind::DeviceAdded, now)
        .actor(&session.user.id)
        .subject(&session.user.id)
        .object(ObjectKind::Device, device.id.as_str())
        .object(
            ObjectKind::DeviceKey,
            &key_fingerprint(&device.signature_key),
        )
        .done();
    let row = match state.store.register_device(&device, &[event]).await {
        Ok(row) => row,
        Err(e) if e.kind() == alcove_store::ErrorKind::Duplicate => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::BadRequest,
                "This device id or signature key is already registered.",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(role = session.user.role.as_str(), "device registered");
    announce_device_change(&state, &row, false).await;
    Ok((StatusCode::CREATED, Json(device_view(&row))))
}

/// The signed-in person's devices, removed ones included.
#[utoipa::path(get, path = "/api/v1/devices", tag = "devices",
    responses((status = 200, body = DeviceList), (status = 401, body = ErrorBody)))]
pub async fn list_devices(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<DeviceList>> {
    let rows = state.store.devices_of(&session.user.id).await?;
    Ok(Json(DeviceList {
        devices: rows.iter().map(device_view).collect(),
    }))
}

/// Removes one of the signed-in person's devices (needs a fresh passkey confirmation): it
/// stops receiving messages, and the people who share a conversation with them are told.
#[utoipa::path(delete, path = "/api/v1/devices/{id}", tag = "devices",
    params(("id" = String, Path, description = "Device id")),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_device(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Empty>> {
    session.require_fresh(&state)?;
    let id = DeviceId::parse(&id).ok_or_else(ApiError::not_found)?;
    let device = own_active_device(&state, &session, &id).await?;
    let now = state.now();
    let event = Event::new(EventKind::DeviceRemoved, now)
        .actor(&session.user.id)
        .subject(&session.user.id)
        .object(ObjectKind::Device, id.as_str())
        .object(
            ObjectKind::DeviceKey,
            &key_fingerprint(&device.signature_key),
        )
        .done();
    state
        .store
        .remove_device(&session.user.id, &id, now, &[event])
        .await?;
    announce_device_change(&state, &device, true).await;
    Ok(Json(Empty {}))
}

/// The devices of someone the signed-in person counsels, is counselled by, or shares a
/// conversation with (or their own).
#[utoipa::path(get, path = "/api/v1/users/{id}/devices", tag = "devices",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = DeviceList), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn user_devices(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<DeviceList>> {
    let user = UserId::parse(&id).ok_or_else(ApiError::not_found)?;
    if !may_reach(&state, &session, &user).await? {
        return Err(ApiError::not_found());
    }
    let rows = state.store.devices_of(&user).await?;
    Ok(Json(DeviceList {
        devices: rows.iter().map(device_view).collect(),
    }))
}

/// Publishes key packages of one of the signed-in person's devices. Each must be a valid MLS
/// key package whose credential names this person and device and whose signature key is the
/// one the device registered.
#[utoipa::path(post, path = "/api/v1/devices/{id}/key-packages", tag = "devices",
    params(("id" = String, Path, description = "Device id")),
    request_body = PublishKeyPackagesRequest,
    responses((status = 200, body = KeyPackageCount), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn publish_key_packages(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PublishKeyPackagesRequest>,
) -> ApiResult<Json<KeyPackageCount>> {
    let id = DeviceId::parse(&id).ok_or_else(ApiError::not_found)?;
    let device = own_active_device(&state, &session, &id).await?;
    if req.key_packages.is_empty() || req.key_packages.len() > MAX_KEY_PACKAGES_PER_REQUEST {
        return Err(ApiError::bad_request(
            "Send 1 to 100 key packages per request.",
        ));
    }
    let mut packages = Vec::with_capacity(req.key_packages.len());
    for encoded in &req.key_packages {
        let data = decode_b64(encoded, "key_packages")?;
        let info = alcove_crypto::inspect_key_package(&data).map_err(|_| invalid_key_package())?;
        if info.identity.user.as_str() != session.user.id.as_str()
            || info.identity.device.as_str() != id.as_str()
            || info.signature_key != device.signature_key
        {
            return Err(invalid_key_package());
        }
        packages.push(NewKeyPackage {
            key_package_ref: info.key_package_ref,
            data,
            last_resort: info.last_resort,
        });
    }
    if packages.iter().filter(|p| p.last_resort).count() > 1 {
        return Err(ApiError::bad_request(
            "Send at most one last-resort key package.",
        ));
    }
    let now = state.now();
    let event = Event::new(EventKind::KeyPackagePublished, now)
        .actor(&session.user.id)
        .subject(&session.user.id)
        .object(ObjectKind::Device, id.as_str())
        .done();
    match state
        .store
        .publish_key_packages(&id, &packages, now, &[event])
        .await
    {
        Ok(()) => {}
        Err(e) if e.kind() == alcove_store::ErrorKind::Duplicate => {
            return Err(ApiError::invalid(
                ErrorCode::InvalidKeyPackage,
                "One of these key packages was published before.",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    let (available, last_resort) = state.store.key_package_count(&id).await?;
    Ok(Json(KeyPackageCount {
        available,
        last_resort,
    }))
}

fn invalid_key_package() -> ApiError {
    ApiError::invalid(
        ErrorCode::InvalidKeyPackage,
        "A key package is malformed, or it is not this device's.",
    )
}

/// How many key packages the directory holds for one of the signed-in person's devices.
#[utoipa::path(get, path = "/api/v1/devices/{id}/key-packages", tag = "devices",
    params(("id" = String, Path, description = "Device id")),
    responses((status = 200, body = KeyPackageCount), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn key_package_count(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<KeyPackageCount>> {
    let id = DeviceId::parse(&id).ok_or_else(ApiError::not_found)?;
    own_active_device(&state, &session, &id).await?;
    let (available, last_resort) = state.store.key_package_count(&id).await?;
    Ok(Json(KeyPackageCount {
        available,
        last_resort,
    }))
}

/// Claims one key package for every current device of some people the signed-in person may
/// reach, to add them to a conversation. One-time key packages are handed out once.
#[utoipa::path(post, path = "/api/v1/key-packages/claim", tag = "devices",
    request_body = ClaimKeyPackagesRequest,
    responses((status = 200, body = ClaimedKeyPackages), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn claim_key_packages(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<ClaimKeyPackagesRequest>,
) -> ApiResult<Json<ClaimedKeyPackages>> {
    if req.user_ids.is_empty() || req.user_ids.len() > MAX_CLAIM_USERS {
        return Err(ApiError::bad_request("Ask for 1 to 10 people at a time."));
    }
    for user in &req.user_ids {
        if !may_reach(&state, &session, user).await? {
            return Err(ApiError::not_found());
        }
    }
    let claimed = state
        .store
        .claim_key_packages(&req.user_ids, state.now())
        .await?;
    Ok(Json(ClaimedKeyPackages {
        key_packages: claimed
            .into_iter()
            .map(|c| ClaimedKeyPackage {
                user_id: c.user_id,
                device_id: c.device_id,
                key_package: URL_SAFE_NO_PAD.encode(c.data),
            })
            .collect(),
    }))
}
