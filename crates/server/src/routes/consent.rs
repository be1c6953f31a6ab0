//! Informed consent over HTTP: reading and downloading versions of the consent document, the
//! admin publishing a new one, and a client accepting the current one with answers signed by a
//! fresh passkey assertion (see `crate::consent` for what the signature covers).

use super::signin::{checked_update, conflict_is_failure, decode_passkey};
use super::ApiJson;
use crate::audit::Event;
use crate::auth::{AdminSession, ClientSession, Session};
use crate::consent::{self, document_view};
use crate::error::{ApiError, ApiResult};
use crate::passkeys;
use crate::secrets::random_id_bytes;
use crate::state::AppState;
use alcove_audit::{EventKind, ObjectKind};
use alcove_store::{ConsentRecordRow, NewConsentRecord};
use alcove_types::api::{
    AssertionFinishRequest, CeremonyChallenge, ConsentAcceptRequest, ConsentAnswer,
    ConsentDocument, ConsentDocumentList, ConsentQuestion, ConsentRecord, DeviceAnswers, ErrorBody,
    MyConsent, PublishConsentRequest,
};
use alcove_types::{ConsentRecordId, ErrorCode};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{Passkey, PasskeyAuthentication, PublicKeyCredential};

/// The practice's current consent document.
#[utoipa::path(get, path = "/api/v1/consent/current", tag = "consent",
    responses((status = 200, body = ConsentDocument), (status = 401, body = ErrorBody)))]
pub async fn current(
    State(state): State<AppState>,
    _session: Session,
) -> ApiResult<Json<ConsentDocument>> {
    let doc = consent::current_document(&state).await?;
    Ok(Json(document_view(&doc, &doc.hash)?))
}

/// Every published version, newest first.
#[utoipa::path(get, path = "/api/v1/consent/versions", tag = "consent",
    responses((status = 200, body = ConsentDocumentList), (status = 401, body = ErrorBody)))]
pub async fn versions(
    State(state): State<AppState>,
    _session: Session,
) -> ApiResult<Json<ConsentDocumentList>> {
    let current = consent::current_document(&state).await?;
    let rows = state.store.consent_documents().await?;
    Ok(Json(ConsentDocumentList {
        versions: rows
            .iter()
            .map(|r| document_view(r, &current.hash))
            .collect::<ApiResult<_>>()?,
    }))
}

async fn version_row(state: &AppState, hash: &str) -> ApiResult<alcove_store::ConsentDocumentRow> {
    let valid = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid {
        return Err(ApiError::not_found());
    }
    state
        .store
        .consent_document(&hash.to_ascii_lowercase())
        .await?
        .ok_or_else(ApiError::not_found)
}

/// One version by its hash.
#[utoipa::path(get, path = "/api/v1/consent/versions/{hash}", tag = "consent",
    params(("hash" = String, Path, description = "SHA-256 of the version's text, hex")),
    responses((status = 200, body = ConsentDocument), (status = 404, body = ErrorBody)))]
pub async fn version(
    State(state): State<AppState>,
    _session: Session,
    Path(hash): Path<String>,
) -> ApiResult<Json<ConsentDocument>> {
    let current = consent::current_document(&state).await?;
    let row = version_row(&state, &hash).await?;
    Ok(Json(document_view(&row, &current.hash)?))
}

/// One version's complete text as a Markdown file; its SHA-256 is the version's hash.
#[utoipa::path(get, path = "/api/v1/consent/versions/{hash}/download", tag = "consent",
    params(("hash" = String, Path, description = "SHA-256 of the version's text, hex")),
    responses((status = 200, content_type = "text/markdown", body = String), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    _session: Session,
    Path(hash): Path<String>,
) -> ApiResult<(HeaderMap, String)> {
    let row = version_row(&state, &hash).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/markdown; charset=utf-8"),
    );
    let name = format!(
        "attachment; filename=\"consent-v{}-{}.md\"",
        row.version,
        &row.hash[..12]
    );
    let disposition = HeaderValue::from_str(&name).map_err(|e| ApiError::internal(&e))?;
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    Ok((headers, row.text))
}

/// Publishes a new version (admins, after a fresh passkey confirmation). Every client must
/// accept it at their next sign-in before they can send messages again.
#[utoipa::path(post, path = "/api/v1/consent/versions", tag = "consent",
    request_body = PublishConsentRequest,
    responses((status = 201, body = ConsentDocument), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    AdminSession(session): AdminSession,
    ApiJson(req): ApiJson<PublishConsentRequest>,
) -> ApiResult<(StatusCode, Json<ConsentDocument>)> {
    session.require_fresh(&state)?;
    let body = consent::validate(&req.body, &req.questions)?;
    let questions: Vec<ConsentQuestion> = req
        .questions
        .into_iter()
        .map(|q| ConsentQuestion {
            id: q.id,
            prompt: q.prompt.trim().to_owned(),
            choices: q.choices.iter().map(|c| c.trim().to_owned()).collect(),
            correct: q.correct,
            explanation: q.explanation.trim().to_owned(),
        })
        .collect();
    let current = consent::current_document(&state).await?;
    let hash = consent::sha256_hex(consent::full_text(&body, &questions).as_bytes());
    if hash == current.hash {
        return Err(consent::unchanged());
    }
    let row = consent::publish(&state, &body, &questions, Some(&session.user.id)).await?;
    Ok((StatusCode::CREATED, Json(document_view(&row, &row.hash)?)))
}

/// What an accept ceremony remembers between start and finish.
#[derive(Serialize, Deserialize)]
struct AcceptContext {
    user_id: String,
    session_token_hash: String,
    document_hash: String,
    answers: Vec<ConsentAnswer>,
    device: DeviceAnswers,
    statement_hash: String,
    nonce: String,
    challenge: String,
}

/// Starts accepting the current version: checks every answer, then asks for a passkey
/// assertion whose challenge commits to the document hash and the answers.
#[utoipa::path(post, path = "/api/v1/consent/accept/start", tag = "consent",
    request_body = ConsentAcceptRequest,
    responses((status = 200, body = CeremonyChallenge), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept_start(
    State(state): State<AppState>,
    ClientSession(session): ClientSession,
    ApiJson(req): ApiJson<ConsentAcceptRequest>,
) -> ApiResult<Json<CeremonyChallenge>> {
    let current = consent::current_document(&state).await?;
    if req.document_hash != current.hash {
        return Err(outdated());
    }
    let view = document_view(&current, &current.hash)?;
    let answers = consent::check_answers(&view.questions, &req.answers)?;
    let statement = consent::statement(&session.user.id, &current.hash, &answers, req.device);
    let statement_hash = consent::sha256_hex(statement.as_bytes());
    let nonce: [u8; 32] = rand::random();
    let challenge = consent::challenge(&statement_hash, &nonce)?;
    let challenge_text = URL_SAFE_NO_PAD.encode(challenge);

    let rows = state.store.passkeys_of(&session.user.id).await?;
    let keys = rows
        .iter()
        .map(decode_passkey)
        .collect::<ApiResult<Vec<Passkey>>>()?;
    let (options, auth_state) = state
        .webauthn
        .start_passkey_authentication(&keys)
        .map_err(|e| ApiError::internal(&e))?;
    // webauthn-rs draws its own random challenge; we replace it, in the options for the browser
    // and in the state it verifies against, with the one that commits to the statement.
    let mut public_key =
        serde_json::to_value(&options.public_key).map_err(|e| ApiError::internal(&e))?;
    let mut auth_value = serde_json::to_value(&auth_state).map_err(|e| ApiError::internal(&e))?;
    let replaced = replace_challenge(&mut public_key, &["challenge"], &challenge_text)
        && replace_challenge(&mut auth_value, &["ast", "challenge"], &challenge_text);
    if !replaced {
        return Err(ApiError::internal(
            &"the WebAuthn library's challenge could not be bound to the consent statement",
        ));
    }
    let auth_state: PasskeyAuthentication =
        serde_json::from_value(auth_value).map_err(|e| ApiError::internal(&e))?;
    let context = AcceptContext {
        user_id: session.user.id.as_str().to_owned(),
        session_token_hash: session.session.token_hash.clone(),
        document_hash: current.hash.clone(),
        answers,
        device: req.device,
        statement_hash,
        nonce: hex::encode(nonce),
        challenge: challenge_text,
    };
    let id = passkeys::save_ceremony(&state, "consent", &auth_state, &context).await?;
    Ok(Json(CeremonyChallenge {
        ceremony_id: id.to_string(),
        public_key,
    }))
}

/// Replaces the string at `path` (which must exist and be a string) with `value`.
fn replace_challenge(root: &mut serde_json::Value, path: &[&str], value: &str) -> bool {
    let mut node = root;
    for key in path {
        match node.get_mut(*key) {
            Some(next) => node = next,
            None => return false,
        }
    }
    if node.is_string() {
        *node = serde_json::Value::String(value.to_owned());
        true
    } else {
        false
    }
}

fn outdated() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        ErrorCode::ConsentOutdated,
        "The practice published a new version while you were reading. Please read the new version.",
    )
}

/// Finishes accepting: verifies the assertion over the committed challenge and records the
/// acceptance, the protections the device answers set and the audit event in one transaction.
#[utoipa::path(post, path = "/api/v1/consent/accept/finish", tag = "consent",
    request_body = AssertionFinishRequest,
    responses((status = 200, body = ConsentRecord), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept_finish(
    State(state): State<AppState>,
    ClientSession(session): ClientSession,
    ApiJson(req): ApiJson<AssertionFinishRequest>,
) -> ApiResult<Json<ConsentRecord>> {
    let (auth_state, context): (PasskeyAuthentication, AcceptContext) =
        passkeys::take_ceremony(&state, "consent", &req.ceremony_id).await?;
    if context.user_id != session.user.id.as_str()
        || context.session_token_hash != session.session.token_hash
    {
        return Err(ApiError::ceremony_expired());
    }
    let assertion_json = req.credential.to_string();
    let credential: PublicKeyCredential =
        serde_json::from_value(req.credential).map_err(|_| ApiError::passkey_failed())?;
    let result = state
        .webauthn
        .finish_passkey_authentication(&credential, &auth_state)
        .map_err(|e| {
            tracing::info!(reason = %e, "consent assertion did not verify");
            ApiError::passkey_failed()
        })?;
    let row = state
        .store
        .passkey_by_credential_id(&URL_SAFE_NO_PAD.encode(result.cred_id().as_ref()))
        .await?
        .filter(|p| p.user_id == session.user.id)
        .ok_or_else(ApiError::passkey_failed)?;
    let mut passkey = decode_passkey(&row)?;
    let (new_count, passkey_json) = checked_update(&row, &mut passkey, &result)?;
    let now = state.now();
    let id = ConsentRecordId::from_random(random_id_bytes());
    let new = NewConsentRecord {
        id: id.clone(),
        user_id: session.user.id.clone(),
        document_hash: context.document_hash.clone(),
        answers_json: serde_json::to_string(&context.answers)
            .map_err(|e| ApiError::internal(&e))?,
        protections: consent::protections_for(&state.config, context.device, now),
        statement_hash: context.statement_hash.clone(),
        challenge: context.challenge.clone(),
        nonce: context.nonce.clone(),
        passkey_id: row.id.clone(),
        previous_count: row.sign_count,
        new_count,
        passkey_json,
        assertion_json,
        accepted_at: now,
    };
    // Ids only: the record, the version and the passkey. Never an answer.
    let events = [Event::new(EventKind::ConsentRecorded, now)
        .actor(&session.user.id)
        .subject(&session.user.id)
        .object(ObjectKind::ConsentRecord, id.as_str())
        .object(ObjectKind::Policy, &context.document_hash)
        .object(ObjectKind::Passkey, row.id.as_str())
        .done()];
    match state.store.record_consent(&new, &events).await {
        Ok(()) => {}
        Err(e) if e.kind() == alcove_store::ErrorKind::Conflict => {
            // Either the counter moved (the same assertion twice) or a new version appeared.
            let current = consent::current_document(&state).await?;
            if current.hash != context.document_hash {
                return Err(outdated());
            }
            return Err(conflict_is_failure(e));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!("consent recorded");
    let version = state
        .store
        .consent_document(&context.document_hash)
        .await?
        .map(|d| d.version)
        .unwrap_or_default();
    Ok(Json(ConsentRecord {
        id,
        document_hash: context.document_hash,
        version,
        statement_hash: context.statement_hash,
        challenge: context.challenge,
        passkey_id: row.id,
        accepted_at: now,
        device: context.device,
    }))
}

pub(crate) async fn record_view(
    state: &AppState,
    r: &ConsentRecordRow,
) -> ApiResult<ConsentRecord> {
    let version = state
        .store
        .consent_document(&r.document_hash)
        .await?
        .map(|d| d.version)
        .unwrap_or_default();
    Ok(ConsentRecord {
        id: r.id.clone(),
        document_hash: r.document_hash.clone(),
        version,
        statement_hash: r.statement_hash.clone(),
        challenge: r.challenge.clone(),
        passkey_id: r.passkey_id.clone(),
        accepted_at: r.accepted_at,
        device: DeviceAnswers {
            others_use_device: r.others_use_device,
            device_is_mine: r.device_is_mine,
        },
    })
}

/// The signed-in client's consent: where it stands and every acceptance, newest first.
#[utoipa::path(get, path = "/api/v1/me/consent", tag = "consent",
    responses((status = 200, body = MyConsent), (status = 403, body = ErrorBody)))]
pub async fn mine(
    State(state): State<AppState>,
    ClientSession(session): ClientSession,
) -> ApiResult<Json<MyConsent>> {
    let status = consent::status(&state, &session.user.id).await?;
    let rows = state.store.consent_records_of(&session.user.id).await?;
    let mut records = Vec::with_capacity(rows.len());
    for r in &rows {
        records.push(record_view(&state, r).await?);
    }
    Ok(Json(MyConsent { status, records }))
}
