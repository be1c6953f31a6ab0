//! Headers, cross-site checks, malformed input, rate limits and the API document.

use crate::harness::{raw, TestServer, ORIGIN};
use alcove_server::Config;
use axum::body::Body;
use axum::http::{header, Method, Request};
use serde_json::json;

fn request(
    method: Method,
    path: &str,
    origin: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(origin) = origin {
        req = req.header(header::ORIGIN, origin);
    }
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    req.body(Body::from(body.to_owned())).expect("request")
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = TestServer::sqlite().await;
    for path in [
        "/",
        "/account",
        "/api/v1/setup/status",
        "/api/v1/me",
        "/api/v1/nope",
        "/healthz",
    ] {
        let answer = raw(&server.router, request(Method::GET, path, None, None, "")).await;
        let h = &answer.headers;
        let csp = h
            .get(header::CONTENT_SECURITY_POLICY)
            .expect("CSP")
            .to_str()
            .expect("ascii");
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(
            !csp.contains("unsafe-inline"),
            "{path}: no inline scripts or styles"
        );
        assert_eq!(
            h.get(header::X_CONTENT_TYPE_OPTIONS).expect("nosniff"),
            "nosniff"
        );
        assert_eq!(
            h.get(header::REFERRER_POLICY).expect("referrer"),
            "no-referrer"
        );
        assert!(h.get("permissions-policy").is_some(), "{path}");
        assert!(
            h.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
            "no HSTS without TLS"
        );
    }
    let page = raw(
        &server.router,
        request(Method::GET, "/setup", None, None, ""),
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page
        .headers
        .get(header::CONTENT_TYPE)
        .expect("type")
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    server.cleanup().await;
}

#[tokio::test]
async fn hsts_is_sent_when_tls_is_on() {
    let config = Config {
        tls_cert: Some("cert.pem".into()),
        tls_key: Some("key.pem".into()),
        public_url: Some("https://therapy.example.org".to_owned()),
        ..Config::default()
    };
    let server = TestServer::with_config(config).await;
    let answer = raw(
        &server.router,
        request(Method::GET, "/healthz", None, None, ""),
    )
    .await;
    let hsts = answer
        .headers
        .get(header::STRICT_TRANSPORT_SECURITY)
        .expect("HSTS");
    assert!(hsts.to_str().expect("ascii").contains("max-age="));
    server.cleanup().await;
}

#[tokio::test]
async fn state_changing_requests_from_another_origin_are_refused() {
    let server = TestServer::sqlite().await;
    for origin in [
        None,
        Some("http://evil.example"),
        Some("http://localhost:8081"),
        Some("null"),
    ] {
        let answer = raw(
            &server.router,
            request(
                Method::POST,
                "/api/v1/auth/start",
                origin,
                Some("application/json"),
                "{}",
            ),
        )
        .await;
        answer.expect_error(403, "origin_mismatch");
    }
    let answer = raw(
        &server.router,
        request(
            Method::POST,
            "/api/v1/auth/start",
            Some(ORIGIN),
            Some("application/json"),
            "{}",
        ),
    )
    .await;
    answer.ok();
    server.cleanup().await;
}

#[tokio::test]
async fn malformed_input_gets_a_clear_error() {
    let server = TestServer::sqlite().await;
    let check = |ct: Option<&'static str>, body: String, status: u16, code: &'static str| {
        (ct, body, status, code)
    };
    let cases = [
        check(Some("application/json"), "{".to_owned(), 400, "bad_request"),
        check(
            Some("application/json"),
            "[]".to_owned(),
            400,
            "bad_request",
        ),
        check(
            Some("application/json"),
            json!({"token": 5}).to_string(),
            400,
            "bad_request",
        ),
        check(
            Some("application/json"),
            json!({"token": "x", "extra": 1}).to_string(),
            400,
            "bad_request",
        ),
        check(
            Some("application/json"),
            json!({}).to_string(),
            400,
            "bad_request",
        ),
        check(None, json!({"token": "x"}).to_string(), 415, "bad_request"),
        check(
            Some("text/plain"),
            json!({"token": "x"}).to_string(),
            415,
            "bad_request",
        ),
        check(
            Some("application/json"),
            format!("{{\"token\": \"{}\"}}", "a".repeat(70 * 1024)),
            413,
            "payload_too_large",
        ),
    ];
    for (ct, body, status, code) in cases {
        let answer = raw(
            &server.router,
            request(
                Method::POST,
                "/api/v1/invitations/inspect",
                Some(ORIGIN),
                ct,
                &body,
            ),
        )
        .await;
        answer.expect_error(status, code);
    }
    let answer = raw(
        &server.router,
        request(
            Method::POST,
            "/api/v1/auth/finish",
            Some(ORIGIN),
            Some("application/json"),
            &json!({"ceremony_id": "cer_x", "credential": {"garbage": true}}).to_string(),
        ),
    )
    .await;
    answer.expect_error(400, "ceremony_expired");
    let mut admin = server.admin().await;
    let start = admin.post("/api/v1/auth/start", json!({})).await;
    let ceremony = start.ok()["ceremony_id"].clone();
    admin
        .post("/api/v1/auth/finish", json!({"ceremony_id": ceremony, "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}}))
        .await
        .expect_error(400, "passkey_failed");
    admin.get("/api/v1/me/passkeys/../../healthz").await;
    admin
        .send(
            Method::PATCH,
            "/api/v1/me/passkeys/pk_nothere",
            Some(json!({"name": "x"})),
        )
        .await
        .expect_error(404, "not_found");
    server.cleanup().await;
}

#[tokio::test]
async fn sign_in_and_invitation_attempts_are_rate_limited() {
    let config = Config {
        auth_rate_per_minute: 5,
        ..Config::default()
    };
    let server = TestServer::with_config(config).await;
    let mut person = server.person();
    for _ in 0..5 {
        person
            .post("/api/v1/invitations/inspect", json!({"token": "nope"}))
            .await
            .expect_error(404, "invitation_not_found");
    }
    let answer = person
        .post("/api/v1/invitations/inspect", json!({"token": "nope"}))
        .await;
    answer.expect_error(429, "rate_limited");
    let retry: u64 = answer
        .headers
        .get(header::RETRY_AFTER)
        .expect("Retry-After")
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    person
        .post("/api/v1/auth/start", json!({}))
        .await
        .expect_error(429, "rate_limited");
    server.cleanup().await;
}

#[tokio::test]
async fn the_api_document_describes_every_endpoint() {
    let server = TestServer::sqlite().await;
    let answer = raw(
        &server.router,
        request(Method::GET, "/api/openapi.json", None, None, ""),
    )
    .await;
    let doc = answer.ok();
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/healthz",
        "/readyz",
        "/api/v1/setup/status",
        "/api/v1/invitations/inspect",
        "/api/v1/invitations/redeem/start",
        "/api/v1/invitations/redeem/finish",
        "/api/v1/auth/start",
        "/api/v1/auth/finish",
        "/api/v1/auth/reauth/start",
        "/api/v1/auth/reauth/finish",
        "/api/v1/auth/signout",
        "/api/v1/auth/signout-everywhere",
        "/api/v1/me",
        "/api/v1/me/anti-phishing-phrase",
        "/api/v1/me/passkeys",
        "/api/v1/me/passkeys/start",
        "/api/v1/me/passkeys/finish",
        "/api/v1/me/passkeys/{id}",
        "/api/v1/invitations",
        "/api/v1/invitations/{id}/revoke",
        "/api/v1/people",
        "/api/v1/people/{id}/recovery-invitation",
        "/api/v1/audit/key",
        "/api/v1/audit/checkpoint",
        "/api/v1/audit/proof/inclusion",
        "/api/v1/audit/proof/consistency",
        "/api/v1/audit/events",
    ] {
        assert!(paths.contains_key(path), "missing {path}");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    server.cleanup().await;
}

#[tokio::test]
async fn readiness_reflects_the_database() {
    let server = TestServer::sqlite().await;
    raw(
        &server.router,
        request(Method::GET, "/readyz", None, None, ""),
    )
    .await
    .ok();
    server.state.store.close().await;
    raw(
        &server.router,
        request(Method::GET, "/readyz", None, None, ""),
    )
    .await
    .expect_error(503, "unavailable");
    raw(
        &server.router,
        request(Method::GET, "/healthz", None, None, ""),
    )
    .await
    .ok();
}

/// Scripts (and the WebAssembly module) go out gzipped to browsers that accept it, from the
/// precompressed copies in the bundle; others get the file itself.
#[tokio::test]
async fn assets_are_served_gzipped_when_accepted() {
    use axum::body::to_bytes;
    use tower::ServiceExt as _;
    let server = TestServer::sqlite().await;
    let index = raw(&server.router, request(Method::GET, "/", None, None, "")).await;
    let html = index.body.as_str().expect("html").to_owned();
    let script = html
        .split('"')
        .find(|s| s.starts_with("/assets/") && s.ends_with(".js"))
        .expect("a script in index.html")
        .to_owned();
    let fetch = |accept: Option<&'static str>| {
        let router = server.router.clone();
        let script = script.clone();
        async move {
            let mut req = Request::builder().uri(&script);
            if let Some(a) = accept {
                req = req.header(header::ACCEPT_ENCODING, a);
            }
            let response = router
                .oneshot(req.body(Body::empty()).expect("request"))
                .await
                .expect("infallible");
            let encoding = response
                .headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().expect("ascii").to_owned());
            let vary = response.headers().get(header::VARY).cloned();
            let body = to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            (encoding, vary, body)
        }
    };
    let (plain_enc, vary, plain) = fetch(None).await;
    assert_eq!(plain_enc, None);
    assert_eq!(vary.expect("vary"), "accept-encoding");
    assert!(!plain.starts_with(&[0x1f, 0x8b]), "the plain script");
    let (enc, _, gz) = fetch(Some("br, gzip;q=0.8")).await;
    assert_eq!(enc.as_deref(), Some("gzip"));
    assert!(gz.starts_with(&[0x1f, 0x8b]), "a gzip stream");
    assert!(gz.len() < plain.len());
    let (refused, _, body) = fetch(Some("gzip;q=0, identity")).await;
    assert_eq!(refused, None, "q=0 refuses gzip");
    assert_eq!(body, plain);
}
