//! Reading the options JSON a relying party sends, as `navigator.credentials`
//! would: missing or mistyped fields become errors, never panics.
//!
//! The field names are those of webauthn-rs' `CreationChallengeResponse` and
//! `RequestChallengeResponse`, which follow the WebAuthn IDL.

use serde_json::{Map, Value};

use crate::encoding::decode_b64url;
use crate::error::{Error, ErrorKind};

/// COSE algorithm identifier of ES256 (ECDSA on P-256 with SHA-256).
pub(crate) const COSE_ALG_ES256: i64 = -7;

/// What the authenticator needs from `PublicKeyCredentialCreationOptions`.
#[derive(Debug)]
pub(crate) struct CreationOptions {
    pub(crate) challenge: Vec<u8>,
    /// `rp.id`; `None` when the page left it out (the origin's host is used).
    pub(crate) rp_id: Option<String>,
    pub(crate) user_handle: Vec<u8>,
    pub(crate) exclude_credentials: Vec<Vec<u8>>,
    pub(crate) wants_cred_props: bool,
}

/// What the authenticator needs from `PublicKeyCredentialRequestOptions`.
#[derive(Debug)]
pub(crate) struct RequestOptions {
    pub(crate) challenge: Vec<u8>,
    /// `rpId`; `None` when the page left it out (the origin's host is used).
    pub(crate) rp_id: Option<String>,
    pub(crate) allow_credentials: Vec<Vec<u8>>,
}

fn malformed(detail: &'static str) -> Error {
    Error::new(ErrorKind::MalformedOptions, detail)
}

/// Accepts both `{"publicKey": {...}}` (webauthn-rs' challenge response) and
/// the inner `publicKey` object.
fn public_key_object(options: &Value) -> Result<&Map<String, Value>, Error> {
    let outer = options
        .as_object()
        .ok_or_else(|| malformed("options are not a JSON object"))?;
    match outer.get("publicKey") {
        Some(inner) => inner
            .as_object()
            .ok_or_else(|| malformed("publicKey is not a JSON object")),
        None => Ok(outer),
    }
}

fn bytes_field(
    object: &Map<String, Value>,
    name: &str,
    missing: &'static str,
    bad: &'static str,
) -> Result<Vec<u8>, Error> {
    let text = object
        .get(name)
        .ok_or_else(|| malformed(missing))?
        .as_str()
        .ok_or_else(|| malformed(bad))?;
    decode_b64url(text).ok_or_else(|| malformed(bad))
}

fn optional_string(
    object: &Map<String, Value>,
    name: &str,
    bad: &'static str,
) -> Result<Option<String>, Error> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(malformed(bad)),
    }
}

/// Reads a list of `PublicKeyCredentialDescriptor`s (`excludeCredentials`,
/// `allowCredentials`). Descriptors of a type other than `public-key` are
/// skipped, as the WebAuthn client does.
fn descriptor_ids(object: &Map<String, Value>, name: &str) -> Result<Vec<Vec<u8>>, Error> {
    let list = match object.get(name) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(malformed("credential list is not an array")),
    };
    let mut ids = Vec::with_capacity(list.len());
    for item in list {
        let descriptor = item
            .as_object()
            .ok_or_else(|| malformed("credential descriptor is not an object"))?;
        match descriptor.get("type").and_then(Value::as_str) {
            Some("public-key") => {}
            Some(_) => continue,
            None => return Err(malformed("credential descriptor has no type")),
        }
        ids.push(bytes_field(
            descriptor,
            "id",
            "credential descriptor has no id",
            "credential descriptor id is not base64url",
        )?);
    }
    Ok(ids)
}

/// Parses creation options and checks the parts a browser checks itself.
pub(crate) fn parse_creation(options: &Value) -> Result<CreationOptions, Error> {
    let pk = public_key_object(options)?;
    let challenge = bytes_field(
        pk,
        "challenge",
        "challenge is missing",
        "challenge is not base64url",
    )?;

    let rp = pk
        .get("rp")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("rp is missing"))?;
    let rp_id = optional_string(rp, "id", "rp.id is not a string")?;

    let user = pk
        .get("user")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("user is missing"))?;
    let user_handle = bytes_field(user, "id", "user.id is missing", "user.id is not base64url")?;
    // WebAuthn: "user.id ... length between 1 and 64 bytes (inclusive)".
    if user_handle.is_empty() || user_handle.len() > 64 {
        return Err(malformed("user.id must be 1 to 64 bytes"));
    }

    let params = match pk.get("pubKeyCredParams") {
        Some(Value::Array(params)) => params,
        _ => return Err(malformed("pubKeyCredParams is missing")),
    };
    // An empty list means "ES256 or RS256" (WebAuthn §5.1.3 step 10).
    let es256_offered = params.is_empty()
        || params.iter().any(|p| {
            p.get("type").and_then(Value::as_str) == Some("public-key")
                && p.get("alg").and_then(Value::as_i64) == Some(COSE_ALG_ES256)
        });
    if !es256_offered {
        return Err(Error::new(
            ErrorKind::UnsupportedAlgorithm,
            "this authenticator only makes ES256 keys",
        ));
    }

    let exclude_credentials = descriptor_ids(pk, "excludeCredentials")?;
    let wants_cred_props = pk
        .get("extensions")
        .and_then(|e| e.get("credProps"))
        .and_then(Value::as_bool)
        .unwrap_or(false);

    Ok(CreationOptions {
        challenge,
        rp_id,
        user_handle,
        exclude_credentials,
        wants_cred_props,
    })
}

/// Parses request (sign-in) options.
pub(crate) fn parse_request(options: &Value) -> Result<RequestOptions, Error> {
    let pk = public_key_object(options)?;
    let challenge = bytes_field(
        pk,
        "challenge",
        "challenge is missing",
        "challenge is not base64url",
    )?;
    let rp_id = optional_string(pk, "rpId", "rpId is not a string")?;
    let allow_credentials = descriptor_ids(pk, "allowCredentials")?;
    Ok(RequestOptions {
        challenge,
        rp_id,
        allow_credentials,
    })
}
