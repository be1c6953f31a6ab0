//! `ApiError`: a stable code and a plain-language message for the client; details to the log.

use alcove_types::api::{ErrorBody, ErrorDetail};
use alcove_types::ErrorCode;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;

/// An error answer. Build it with the constructors; they choose the status and a message.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    status: StatusCode,
    message: Cow<'static, str>,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    /// An error with an explicit status and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError {
            code,
            status,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The plain-language message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 400 for malformed input.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    /// 400 with a validation code.
    pub fn invalid(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401: no session.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "Please sign in first.",
        )
    }

    /// 401: the session ended.
    pub fn session_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::SessionExpired,
            "You were signed out after a period of inactivity. Sign in again to continue.",
        )
    }

    /// 403: this needs a fresh passkey confirmation.
    pub fn reauth_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ReauthRequired,
            "Please confirm it's you with your passkey, then try again.",
        )
    }

    /// 403: wrong role.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "Your role does not allow this.",
        )
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "We could not find that.",
        )
    }

    /// 400: a ceremony expired or was already used.
    pub fn ceremony_expired() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::CeremonyExpired,
            "That took too long or was already finished. Please try again.",
        )
    }

    /// 400: the passkey response did not verify.
    pub fn passkey_failed() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::PasskeyFailed,
            "Your passkey could not be verified. Please try again, or use another passkey.",
        )
    }

    /// 429 with `Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "Too many attempts. Please wait a moment and try again.",
        );
        e.retry_after_secs = Some(retry_after_secs.max(1));
        e
    }

    /// 500; `what` goes to the log (it must not contain identifiers or content).
    pub fn internal(what: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %what, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Something went wrong on the server. Please try again; if it keeps happening, tell your practice administrator.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str().to_owned(),
                message: self.message.into_owned(),
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

impl From<alcove_store::Error> for ApiError {
    fn from(e: alcove_store::Error) -> Self {
        use alcove_store::ErrorKind;
        match e.kind() {
            ErrorKind::NotFound => ApiError::not_found(),
            ErrorKind::LastPasskey => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::LastPasskey,
                "This is your only passkey. Add another passkey first, then remove this one.",
            ),
            ErrorKind::EpochConflict => ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::EpochConflict,
                "Another change to this conversation was accepted first. Process it, then make your change again.",
            ),
            ErrorKind::NotMember => ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::NotMember,
                "This device is not a member of that conversation.",
            ),
            ErrorKind::Invalid => ApiError::invalid(
                ErrorCode::InvalidMessage,
                "The message does not fit this conversation (a future epoch, or a device that cannot be added).",
            ),
            _ => ApiError::internal(&e),
        }
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;
