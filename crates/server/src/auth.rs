//! Sessions as request extractors: a handler that takes [`AdminSession`] cannot run for anyone
//! but a signed-in admin, so forgetting an authorisation check does not compile.
//!
//! The session token lives only in an `HttpOnly; SameSite=Strict` cookie and, hashed, in the
//! database. Every authenticated request checks the idle timeout and the absolute lifetime and
//! then marks the session as used.

use crate::error::{ApiError, ApiResult};
use crate::secrets::hash_token;
use crate::state::AppState;
use alcove_store::{SessionRow, UserRow};
use alcove_types::Role;
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};

/// The cookie name: `__Host-` prefixed (no Domain, Path=/, Secure) whenever cookies are secure.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-alcove_session"
    } else {
        "alcove_session"
    }
}

/// A `Set-Cookie` value starting a session with `token`.
pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
        cookie_name(state),
        state.config.session_lifetime_secs
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}",
        cookie_name(state)
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Adds a `Set-Cookie` header.
pub fn set_cookie(headers: &mut HeaderMap, value: HeaderValue) {
    headers.append(SET_COOKIE, value);
}

fn session_token<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// The idle timeout that applies to a role, in seconds.
pub fn idle_timeout_secs(state: &AppState, role: Role) -> i64 {
    if role == Role::Client {
        state.config.idle_timeout_client_secs
    } else {
        state.config.idle_timeout_staff_secs
    }
}

/// The idle timeout that applies to a person: their role's, or for a client who said others use
/// their device, the shorter one their consent walk-through set.
pub async fn idle_timeout_for(state: &AppState, user: &UserRow) -> ApiResult<i64> {
    let by_role = idle_timeout_secs(state, user.role);
    if user.role != Role::Client {
        return Ok(by_role);
    }
    Ok(match state.store.client_protections(&user.id).await? {
        Some(p) => p.idle_timeout_secs.min(by_role),
        None => by_role,
    })
}

/// Any signed-in person with a live session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub user: UserRow,
    /// Their session.
    pub session: SessionRow,
}

impl Session {
    /// Whether a passkey was confirmed within the re-authentication window.
    pub fn is_fresh(&self, state: &AppState) -> bool {
        let window = state.config.reauth_window_secs.saturating_mul(1000);
        self.session
            .reauth_at
            .is_some_and(|at| state.now().saturating_sub(at) <= window)
    }

    /// Fails with `reauth_required` unless a passkey was confirmed recently.
    pub fn require_fresh(&self, state: &AppState) -> ApiResult<()> {
        if self.is_fresh(state) {
            Ok(())
        } else {
            Err(ApiError::reauth_required())
        }
    }

    /// Until when sensitive actions are allowed, if at all.
    pub fn reauth_until(&self, state: &AppState) -> Option<i64> {
        self.is_fresh(state).then(|| {
            self.session
                .reauth_at
                .unwrap_or_default()
                .saturating_add(state.config.reauth_window_secs.saturating_mul(1000))
        })
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Session> {
        let token = session_token(&parts.headers, cookie_name(state))
            .ok_or_else(ApiError::unauthenticated)?;
        let token_hash = hash_token(token);
        let session = state
            .store
            .session(&token_hash)
            .await?
            .ok_or_else(ApiError::session_expired)?;
        let user = state
            .store
            .user(&session.user_id)
            .await?
            .ok_or_else(ApiError::session_expired)?;
        let now = state.now();
        let idle_ms = idle_timeout_for(state, &user).await?.saturating_mul(1000);
        if now >= session.expires_at || now.saturating_sub(session.last_seen_at) > idle_ms {
            // An expired session is not an event: nobody acted.
            state.store.delete_session(&token_hash, &[]).await?;
            return Err(ApiError::session_expired());
        }
        if now - session.last_seen_at >= 1000 {
            state.store.touch_session(&token_hash, now).await?;
        }
        Ok(Session { user, session })
    }
}

macro_rules! role_session {
    ($(#[$doc:meta])* $name:ident, $allowed:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Session);

        impl FromRequestParts<AppState> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
                let session = Session::from_request_parts(parts, state).await?;
                let allowed: &[Role] = &$allowed;
                if allowed.contains(&session.user.role) {
                    Ok($name(session))
                } else {
                    tracing::warn!(role = session.user.role.as_str(), "authorisation refused");
                    let event = crate::audit::Event::new(
                        alcove_audit::EventKind::AuthorizationFailed,
                        state.now(),
                    )
                    .actor(&session.user.id)
                    .done();
                    state.store.log_events(&[event]).await?;
                    Err(ApiError::forbidden())
                }
            }
        }
    };
}

role_session!(
    /// A signed-in practice admin.
    AdminSession,
    [Role::Admin]
);
role_session!(
    /// A signed-in clinician.
    ClinicianSession,
    [Role::Clinician]
);
role_session!(
    /// A signed-in client.
    ClientSession,
    [Role::Client]
);
role_session!(
    /// A signed-in admin or clinician: the people who may issue invitations.
    InviterSession,
    [Role::Admin, Role::Clinician]
);
