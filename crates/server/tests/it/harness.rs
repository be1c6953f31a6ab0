//! A test server (fresh SQLite or PostgreSQL, controllable clock) and a person with a cookie jar
//! and a passkey authenticator.

use alcove_server::{app, issue_setup_link, AppState, Config};
use alcove_store::Store;
use alcove_testkit::SoftAuthenticator;
use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

pub const ORIGIN: &str = "http://localhost:8080";

pub struct TestServer {
    pub state: AppState,
    pub router: Router,
    pub now: Arc<AtomicI64>,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestServer {
    pub async fn sqlite() -> TestServer {
        Self::with_config(Config::default()).await
    }

    pub async fn with_config(config: Config) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("alcove.db").display());
        let store = Store::open(&url).await.expect("open store");
        Self::build(config, store, dir, None)
    }

    /// `None` (after saying so) without `ALCOVE_TEST_POSTGRES_URL`.
    pub async fn postgres(test: &str) -> Option<TestServer> {
        let Ok(admin_url) = std::env::var("ALCOVE_TEST_POSTGRES_URL") else {
            eprintln!("skipped {test} on PostgreSQL: ALCOVE_TEST_POSTGRES_URL is not set");
            return None;
        };
        let name = format!("alcove_http_{:016x}", rand::random::<u64>());
        let admin = sqlx::PgPool::connect(&admin_url).await.expect("connect");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create db");
        admin.close().await;
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b.to_owned(), format!("?{q}")),
            None => (admin_url.clone(), String::new()),
        };
        let (server, _) = base.rsplit_once('/').expect("URL has a path");
        let store = Store::open(&format!("{server}/{name}{query}"))
            .await
            .expect("open");
        let dir = tempfile::tempdir().expect("tempdir");
        Some(Self::build(
            Config::default(),
            store,
            dir,
            Some((admin_url, name)),
        ))
    }

    fn build(
        mut config: Config,
        store: Store,
        dir: tempfile::TempDir,
        pg: Option<(String, String)>,
    ) -> TestServer {
        // The audit log key is created in the data directory.
        config.data_dir = dir.path().to_path_buf();
        let now = Arc::new(AtomicI64::new(1_800_000_000_000));
        let clock_now = now.clone();
        let clock: alcove_server::Clock = Arc::new(move || clock_now.load(Ordering::SeqCst));
        let state = AppState::new(config, store, clock).expect("state");
        let router = app(state.clone());
        TestServer {
            state,
            router,
            now,
            _dir: dir,
            pg,
        }
    }

    pub async fn cleanup(self) {
        self.state.store.close().await;
        if let Some((admin_url, name)) = self.pg {
            if let Ok(pool) = sqlx::PgPool::connect(&admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&pool)
                    .await;
            }
        }
    }

    /// The data directory (audit log key; the SQLite file for SQLite servers).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// The SQLite database's URL (for raw SQL in tamper tests).
    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self._dir.path().join("alcove.db").display())
    }

    pub fn advance_secs(&self, secs: i64) {
        self.now.fetch_add(secs * 1000, Ordering::SeqCst);
    }

    /// The token of a fresh setup link.
    pub async fn setup_token(&self) -> String {
        let link = issue_setup_link(&self.state)
            .await
            .expect("issue")
            .expect("no admin yet");
        assert!(link.starts_with(&format!("{ORIGIN}/setup#")), "{link}");
        link.rsplit_once('#').expect("fragment").1.to_owned()
    }

    pub fn person(&self) -> Person {
        Person {
            router: self.router.clone(),
            cookie: None,
            authenticator: SoftAuthenticator::new(ORIGIN),
        }
    }

    /// Sets up the first admin and returns them signed in.
    pub async fn admin(&self) -> Person {
        let token = self.setup_token().await;
        let mut admin = self.person();
        let me = admin.redeem(&token, "Avery Admin", "green lantern").await;
        assert_eq!(me["role"], "admin");
        admin
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert!(
            self.status.is_success(),
            "expected success, got {} {}",
            self.status,
            self.body
        );
        &self.body
    }

    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "body: {}",
            self.body
        );
        assert!(
            !self.body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .is_empty(),
            "a message for people"
        );
    }
}

/// Someone using the app: their cookie and their authenticator.
pub struct Person {
    pub router: Router,
    pub cookie: Option<String>,
    pub authenticator: SoftAuthenticator,
}

impl Person {
    pub async fn send(&mut self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if method != Method::GET {
            req = req.header(header::ORIGIN, ORIGIN);
        }
        if let Some(cookie) = &self.cookie {
            req = req.header(header::COOKIE, cookie.as_str());
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        let answer = raw(&self.router, req).await;
        if let Some(set) = answer.headers.get(header::SET_COOKIE) {
            let set = set.to_str().expect("ascii cookie");
            let pair = set.split(';').next().expect("pair");
            self.cookie = (!pair.ends_with('=')).then(|| pair.to_owned());
        }
        answer
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    /// Redeems a setup or invitation link with a new passkey; returns `Me`.
    pub async fn redeem(&mut self, token: &str, name: &str, phrase: &str) -> Value {
        let start = self
            .post(
                "/api/v1/invitations/redeem/start",
                json!({"token": token, "display_name": name, "anti_phishing_phrase": phrase}),
            )
            .await;
        let start = start.ok().clone();
        let credential = self
            .authenticator
            .register(&start["public_key"])
            .expect("authenticator registers");
        let finish = self
            .post("/api/v1/invitations/redeem/finish", json!({"ceremony_id": start["ceremony_id"], "credential": credential, "passkey_name": "Laptop"}))
            .await;
        assert!(self.cookie.is_some(), "redeeming signs in");
        finish.ok().clone()
    }

    /// Runs a discoverable sign-in; returns the finish answer.
    pub async fn sign_in(&mut self) -> Answer {
        let start = self.post("/api/v1/auth/start", json!({})).await;
        let start = start.ok().clone();
        assert!(
            start["public_key"]["allowCredentials"]
                .as_array()
                .is_none_or(|a| a.is_empty()),
            "discoverable sign-in names no credentials"
        );
        let assertion = self
            .authenticator
            .authenticate(&start["public_key"])
            .expect("authenticator signs");
        self.post(
            "/api/v1/auth/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": assertion}),
        )
        .await
    }

    /// Confirms a sensitive action with a passkey.
    pub async fn reauth(&mut self) -> Answer {
        let start = self.post("/api/v1/auth/reauth/start", json!({})).await;
        let start = start.ok().clone();
        let assertion = self
            .authenticator
            .authenticate(&start["public_key"])
            .expect("authenticator signs");
        self.post(
            "/api/v1/auth/reauth/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": assertion}),
        )
        .await
    }

    /// Issues an invitation and returns its token.
    pub async fn invite(&mut self, role: &str) -> String {
        let answer = self
            .post(
                "/api/v1/invitations",
                json!({"role": role, "label": "for tests"}),
            )
            .await;
        let link = answer.ok()["link"].as_str().expect("link").to_owned();
        assert!(link.starts_with(&format!("{ORIGIN}/invite#")), "{link}");
        link.rsplit_once('#').expect("fragment").1.to_owned()
    }
}

pub async fn raw(router: &Router, req: Request<Body>) -> Answer {
    let response = router.clone().oneshot(req).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// True when the server would print no setup link (an admin exists).
pub async fn raw_setup_missing(server: &TestServer) -> bool {
    issue_setup_link(&server.state)
        .await
        .expect("issue")
        .is_none()
}
