//! The HTTP API under `/api/v1`, one module per area; each handler carries its OpenAPI
//! description, and [`api_router`] collects routes and document together so they cannot drift.

mod account;
mod audit;
mod checklist;
mod consent;
pub mod conversations;
pub mod devices;
mod health;
mod invitations;
mod redeem;
mod safety;
mod signin;

use crate::error::ApiError;
use crate::state::AppState;
use alcove_types::ErrorCode;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, Request};
use axum::http::StatusCode;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API document's header; paths are added by [`api_router`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Alcove API",
        description = "JSON API of an Alcove server. Errors are `{\"error\": {\"code\", \"message\"}}` with a stable code. \
                       State-changing requests must come from the configured origin.",
    ),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "setup", description = "First-run setup and invitation links"),
        (name = "auth", description = "Passkey sign-in, re-authentication and sign-out"),
        (name = "account", description = "The signed-in person's own account"),
        (name = "invitations", description = "Issuing and revoking invitations"),
        (name = "people", description = "People visible to staff"),
        (name = "consent", description = "Informed consent: the practice's consent document, its versions, and clients' signed acceptances"),
        (name = "audit", description = "The tamper-evident audit log: key, checkpoints, proofs and events"),
        (name = "devices", description = "Devices, their signature keys and the MLS key package directory"),
        (name = "conversations", description = "The delivery service: end-to-end encrypted conversations, messages, welcomes, attachments and the live WebSocket"),
    )
)]
pub struct ApiDoc;

/// Every API route, with its OpenAPI description.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(redeem::setup_status))
        .routes(routes!(redeem::inspect))
        .routes(routes!(redeem::redeem_start))
        .routes(routes!(redeem::redeem_finish))
        .routes(routes!(signin::sign_in_start))
        .routes(routes!(signin::sign_in_finish))
        .routes(routes!(signin::reauth_start))
        .routes(routes!(signin::reauth_finish))
        .routes(routes!(signin::sign_out))
        .routes(routes!(signin::sign_out_everywhere))
        .routes(routes!(account::me))
        .routes(routes!(account::set_phrase))
        .routes(routes!(account::care_team))
        .routes(routes!(account::list_passkeys))
        .routes(routes!(account::add_passkey_start))
        .routes(routes!(account::add_passkey_finish))
        .routes(routes!(account::rename_passkey, account::revoke_passkey))
        .routes(routes!(
            invitations::list_invitations,
            invitations::create_invitation
        ))
        .routes(routes!(invitations::revoke_invitation))
        .routes(routes!(invitations::list_people))
        .routes(routes!(invitations::recovery_invitation))
        .routes(routes!(audit::key))
        .routes(routes!(audit::checkpoint))
        .routes(routes!(audit::inclusion))
        .routes(routes!(audit::consistency))
        .routes(routes!(audit::events))
        .routes(routes!(devices::register_device, devices::list_devices))
        .routes(routes!(devices::remove_device))
        .routes(routes!(devices::user_devices))
        .routes(routes!(audit::device_registration))
        .routes(routes!(
            devices::publish_key_packages,
            devices::key_package_count
        ))
        .routes(routes!(devices::claim_key_packages))
        .routes(routes!(
            conversations::create_conversation,
            conversations::list_conversations
        ))
        .routes(routes!(
            conversations::post_message,
            conversations::list_messages
        ))
        .routes(routes!(conversations::ack))
        .routes(routes!(safety::report_verification))
        .routes(routes!(conversations::list_welcomes))
        .routes(routes!(conversations::ack_welcome))
        .routes(routes!(conversations::upload_blob))
        .routes(routes!(conversations::download_blob))
        .routes(routes!(crate::ws::connect))
        .routes(routes!(consent::current))
        .routes(routes!(consent::versions, consent::publish))
        .routes(routes!(consent::version))
        .routes(routes!(consent::download))
        .routes(routes!(consent::accept_start))
        .routes(routes!(consent::accept_finish))
        .routes(routes!(consent::mine))
        .routes(routes!(checklist::list))
        .routes(routes!(checklist::one))
        .routes(routes!(checklist::discussed))
        .routes(routes!(checklist::summary))
}

/// A JSON body whose rejections are API errors with stable codes.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadRequest,
            "Send the request body as JSON (Content-Type: application/json).",
        ),
        JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "The request is too large.",
            )
        }
        JsonRejection::JsonDataError(_) => {
            ApiError::bad_request("The request has a missing, unknown or wrongly typed field.")
        }
        _ => ApiError::bad_request("The request body is not valid JSON."),
    }
}

/// The client's address, for rate limits (the unspecified address when unknown, as in tests).
pub fn client_ip(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Counts an attempt against the per-address limit.
pub fn limit_address(state: &AppState, ip: IpAddr) -> Result<(), ApiError> {
    state
        .limits
        .check_address(ip)
        .map_err(ApiError::rate_limited)
}
