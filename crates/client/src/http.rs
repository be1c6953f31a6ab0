//! The signed-in session over HTTP: passkey ceremonies, the session cookie, JSON calls, blob
//! transfers and the WebSocket handshake.

use crate::error::{Error, ErrorKind, Result};
use alcove_types::{DeviceId, Role, UserId};
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A passkey authenticator: answers WebAuthn creation and request options (as the server
/// sends them) with a credential in the JSON form the server expects.
pub trait Authenticator {
    /// Creates a credential.
    fn register(&mut self, options: &Value) -> std::result::Result<Value, String>;
    /// Signs an assertion.
    fn authenticate(&mut self, options: &Value) -> std::result::Result<Value, String>;
}

impl Authenticator for alcove_testkit::SoftAuthenticator {
    fn register(&mut self, options: &Value) -> std::result::Result<Value, String> {
        alcove_testkit::SoftAuthenticator::register(self, options).map_err(|e| e.to_string())
    }

    fn authenticate(&mut self, options: &Value) -> std::result::Result<Value, String> {
        alcove_testkit::SoftAuthenticator::authenticate(self, options).map_err(|e| e.to_string())
    }
}

/// A signed-in session on a server.
#[derive(Clone)]
pub struct Account {
    http: reqwest::Client,
    origin: String,
    /// Where requests go: the origin, or one node of the site (see [`Account::through`]).
    base: String,
    cookie: String,
    /// Who is signed in.
    pub user_id: UserId,
    /// Their role.
    pub role: Role,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("origin", &self.origin)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(4)
        .build()
        .map_err(Error::from)
}

async fn answer<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
    let status = response.status();
    let bytes = response.bytes().await?;
    if !status.is_success() {
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        return Err(Error::api(
            status.as_u16(),
            body["error"]["code"].as_str().unwrap_or("unknown"),
            body["error"]["message"].as_str().unwrap_or(""),
        ));
    }
    let bytes = if bytes.is_empty() {
        &b"null"[..]
    } else {
        &bytes[..]
    };
    serde_json::from_slice(bytes).map_err(|_| Error::new(ErrorKind::Protocol, "unexpected answer"))
}

fn take_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.contains("alcove_session=") && !pair.ends_with('='))
        .map(str::to_owned)
}

async fn post_anonymous(
    http: &reqwest::Client,
    origin: &str,
    path: &str,
    body: Value,
) -> Result<(Value, Option<String>)> {
    let response = http
        .post(format!("{origin}{path}"))
        .header(ORIGIN, origin)
        .json(&body)
        .send()
        .await?;
    let cookie = take_cookie(&response);
    Ok((answer(response).await?, cookie))
}

fn me_to_account(
    http: reqwest::Client,
    origin: &str,
    cookie: String,
    me: &Value,
) -> Result<Account> {
    let user_id = me["id"]
        .as_str()
        .and_then(UserId::parse)
        .ok_or_else(|| Error::new(ErrorKind::Protocol, "no user id"))?;
    let role = me["role"]
        .as_str()
        .and_then(Role::parse)
        .ok_or_else(|| Error::new(ErrorKind::Protocol, "no role"))?;
    let origin = origin.trim_end_matches('/').to_owned();
    Ok(Account {
        http,
        base: origin.clone(),
        origin,
        cookie,
        user_id,
        role,
    })
}

impl Account {
    /// Redeems an invitation (or the setup link) with a new passkey; signs in.
    pub async fn redeem(
        origin: &str,
        token: &str,
        display_name: &str,
        anti_phishing_phrase: &str,
        authenticator: &mut dyn Authenticator,
    ) -> Result<Account> {
        let origin = origin.trim_end_matches('/');
        let http = http_client()?;
        let (start, _) = post_anonymous(
            &http,
            origin,
            "/api/v1/invitations/redeem/start",
            json!({"token": token, "display_name": display_name, "anti_phishing_phrase": anti_phishing_phrase}),
        )
        .await?;
        let credential = authenticator
            .register(&start["public_key"])
            .map_err(|e| Error::new(ErrorKind::Passkey, e))?;
        let (me, cookie) = post_anonymous(
            &http,
            origin,
            "/api/v1/invitations/redeem/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": credential, "passkey_name": "Native client"}),
        )
        .await?;
        let cookie = cookie.ok_or_else(|| Error::new(ErrorKind::Protocol, "no session cookie"))?;
        me_to_account(http, origin, cookie, &me)
    }

    /// Signs in with a discoverable passkey.
    pub async fn sign_in(origin: &str, authenticator: &mut dyn Authenticator) -> Result<Account> {
        let origin = origin.trim_end_matches('/');
        let http = http_client()?;
        let (start, _) = post_anonymous(&http, origin, "/api/v1/auth/start", json!({})).await?;
        let assertion = authenticator
            .authenticate(&start["public_key"])
            .map_err(|e| Error::new(ErrorKind::Passkey, e))?;
        let (me, cookie) = post_anonymous(
            &http,
            origin,
            "/api/v1/auth/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": assertion}),
        )
        .await?;
        let cookie = cookie.ok_or_else(|| Error::new(ErrorKind::Protocol, "no session cookie"))?;
        me_to_account(http, origin, cookie, &me)
    }

    /// Confirms a sensitive action with the passkey.
    pub async fn reauth(&self, authenticator: &mut dyn Authenticator) -> Result<()> {
        let start: Value = self
            .call(
                Method::POST,
                "/api/v1/auth/reauth/start",
                Some(json!({})),
                None,
            )
            .await?;
        let assertion = authenticator
            .authenticate(&start["public_key"])
            .map_err(|e| Error::new(ErrorKind::Passkey, e))?;
        let _: Value = self
            .call(
                Method::POST,
                "/api/v1/auth/reauth/finish",
                Some(json!({"ceremony_id": start["ceremony_id"], "credential": assertion})),
                None,
            )
            .await?;
        Ok(())
    }

    /// Accepts the practice's current consent document for a client, answering the
    /// comprehension questions with the answers the document gives and saying the device is
    /// the client's own, then signing with the passkey. For headless clients (tests,
    /// benchmarks); a person reads the document and answers in the walk-through.
    pub async fn accept_consent(&self, authenticator: &mut dyn Authenticator) -> Result<()> {
        let doc: Value = self
            .call(Method::GET, "/api/v1/consent/current", None, None)
            .await?;
        let answers: Vec<Value> = doc["questions"]
            .as_array()
            .ok_or_else(|| Error::new(ErrorKind::Protocol, "no questions"))?
            .iter()
            .map(|q| json!({"question_id": q["id"], "choice": q["correct"]}))
            .collect();
        let start: Value = self
            .call(
                Method::POST,
                "/api/v1/consent/accept/start",
                Some(json!({
                    "document_hash": doc["hash"],
                    "answers": answers,
                    "device": {"others_use_device": false, "device_is_mine": true},
                })),
                None,
            )
            .await?;
        let assertion = authenticator
            .authenticate(&start["public_key"])
            .map_err(|e| Error::new(ErrorKind::Passkey, e))?;
        let _: Value = self
            .call(
                Method::POST,
                "/api/v1/consent/accept/finish",
                Some(json!({"ceremony_id": start["ceremony_id"], "credential": assertion})),
                None,
            )
            .await?;
        Ok(())
    }

    /// Issues an invitation for `role` (after [`Account::reauth`]); returns its token.
    pub async fn invite(&self, role: Role) -> Result<String> {
        let issued: Value = self
            .call(
                Method::POST,
                "/api/v1/invitations",
                Some(json!({"role": role, "label": "native client"})),
                None,
            )
            .await?;
        let link = issued["link"]
            .as_str()
            .ok_or_else(|| Error::new(ErrorKind::Protocol, "no link"))?;
        link.rsplit_once('#')
            .map(|(_, token)| token.to_owned())
            .ok_or_else(|| Error::new(ErrorKind::Protocol, "no token in link"))
    }

    /// The session cookie (`name=value`), to hand the session to another program on this
    /// machine (a test's browser-side peer). It is a secret: never log it.
    pub fn session_cookie(&self) -> &str {
        &self.cookie
    }

    /// The server's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The same session with its requests sent to `node` (`http://host:port`), one of several
    /// servers of the same site, as a load balancer would; the `Origin` header stays the
    /// site's.
    pub fn through(&self, node: &str) -> Account {
        Account {
            base: node.trim_end_matches('/').to_owned(),
            ..self.clone()
        }
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        device: Option<&DeviceId>,
    ) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(ORIGIN, &self.origin)
            .header(COOKIE, &self.cookie);
        if let Some(device) = device {
            request = request.header("x-alcove-device", device.as_str());
        }
        request
    }

    /// A JSON call with this session (and a device, for delivery routes).
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        device: Option<&DeviceId>,
    ) -> Result<T> {
        let mut request = self.request(method, path, device);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await?).await
    }

    /// Uploads raw bytes (an encrypted blob) for a device.
    pub async fn upload<T: DeserializeOwned>(
        &self,
        path: &str,
        bytes: Vec<u8>,
        device: &DeviceId,
    ) -> Result<T> {
        let response = self
            .request(Method::POST, path, Some(device))
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await?;
        answer(response).await
    }

    pub(crate) async fn download(&self, path: &str, device: &DeviceId) -> Result<Vec<u8>> {
        let response = self.request(Method::GET, path, Some(device)).send().await?;
        if !response.status().is_success() {
            return answer::<Value>(response).await.map(|_| Vec::new());
        }
        Ok(response.bytes().await?.to_vec())
    }

    pub(crate) async fn websocket(
        &self,
        device: &DeviceId,
    ) -> Result<
        tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    > {
        let ws_origin = self
            .base
            .replacen("http://", "ws://", 1)
            .replacen("https://", "wss://", 1);
        let mut request = format!("{ws_origin}/api/v1/ws?device={device}")
            .into_client_request()
            .map_err(|_| Error::new(ErrorKind::Protocol, "WebSocket address"))?;
        let headers = request.headers_mut();
        let value = |s: &str| {
            s.parse()
                .map_err(|_| Error::new(ErrorKind::Protocol, "header value"))
        };
        headers.insert("cookie", value(&self.cookie)?);
        headers.insert("origin", value(&self.origin)?);
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| Error::new(ErrorKind::Network, e.to_string()))?;
        Ok(socket)
    }
}
