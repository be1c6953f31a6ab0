//! `/healthz` (the process runs) and `/readyz` (it can reach its database).

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use alcove_types::api::Health;
use alcove_types::ErrorCode;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

/// Liveness: answers as long as the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

/// Readiness: answers 200 only while the database responds.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = alcove_types::api::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    match state.store.ping().await {
        Ok(()) => Ok(Json(Health {
            status: "ok".to_owned(),
        })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "The server cannot reach its database.",
            ))
        }
    }
}
