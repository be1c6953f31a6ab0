//! Key transparency on the client: pin the server's log key, remember the last signed
//! checkpoint, demand a consistency proof to every newer one, and check that a device's key
//! registration is a leaf of the log before encrypting to it.

use crate::error::{Error, ErrorKind, Result};
use crate::http::Account;
use alcove_audit::{registers_device, AuditEvent, CheckpointMemory, Hash, NoteVerifier};
use alcove_types::delivery::Device;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use reqwest::Method;
use serde_json::Value;

/// What this client has seen of the log: the pinned key and the last checkpoint.
#[derive(Default)]
pub(crate) struct Memory {
    checkpoints: Option<CheckpointMemory>,
}

fn broken(what: impl Into<String>) -> Error {
    Error::new(ErrorKind::Transparency, what)
}

fn hashes(value: &Value) -> Result<Vec<Hash>> {
    value
        .as_array()
        .ok_or_else(|| broken("proof is not a list"))?
        .iter()
        .map(|h| {
            let bytes = STANDARD
                .decode(h.as_str().unwrap_or_default())
                .map_err(|_| broken("proof hash"))?;
            Hash::from_slice(&bytes).map_err(|_| broken("proof hash"))
        })
        .collect()
}

/// Fetches the latest checkpoint and moves the memory to it, with a consistency proof from
/// the one held. A fork is a hard error.
pub(crate) async fn refresh(account: &Account, memory: &mut Memory) -> Result<()> {
    if memory.checkpoints.is_none() {
        let key: Value = account
            .call(Method::GET, "/api/v1/audit/key", None, None)
            .await?;
        let verifier = NoteVerifier::parse(key["key"].as_str().unwrap_or_default())
            .map_err(|_| broken("the log key does not parse"))?;
        memory.checkpoints = Some(CheckpointMemory::new(verifier));
    }
    let checkpoint: Value = account
        .call(Method::GET, "/api/v1/audit/checkpoint", None, None)
        .await?;
    let note = checkpoint["note"].as_str().unwrap_or_default();
    let size = checkpoint["size"].as_u64().unwrap_or_default();
    let held = memory
        .checkpoints
        .as_ref()
        .and_then(|m| m.latest())
        .map(|c| c.size);
    let proof = match held {
        Some(from) if from > 0 && from < size => {
            let answer: Value = account
                .call(
                    Method::GET,
                    &format!("/api/v1/audit/proof/consistency?from={from}&to={size}"),
                    None,
                    None,
                )
                .await?;
            hashes(&answer["proof"])?
        }
        _ => Vec::new(),
    };
    let checkpoints = memory
        .checkpoints
        .as_mut()
        .ok_or_else(|| broken("no log key"))?;
    match checkpoints.update(note, &proof) {
        Ok(_) => Ok(()),
        // An older checkpoint than the one held (a lagging replica) is not used, not a fork.
        Err(e) if !e.is_fork() && held.is_some_and(|h| h > size) => Ok(()),
        Err(e) => Err(broken(format!(
            "the server's audit log is inconsistent: {e}"
        ))),
    }
}

/// Checks that `device` (with `signature_key`, taken from its MLS key package) was registered
/// in the log.
pub(crate) async fn verify_device(
    account: &Account,
    memory: &mut Memory,
    device: &Device,
    signature_key: &[u8],
) -> Result<()> {
    if URL_SAFE_NO_PAD.encode(signature_key) != device.signature_key {
        return Err(broken(
            "the device's key package carries another key than it registered",
        ));
    }
    let size = memory
        .checkpoints
        .as_ref()
        .and_then(|m| m.latest())
        .map_or(0, |c| c.size);
    if device.log_index >= size {
        refresh(account, memory).await?;
    }
    let checkpoints = memory
        .checkpoints
        .as_ref()
        .ok_or_else(|| broken("no log key"))?;
    let size = checkpoints.latest().map_or(0, |c| c.size);
    let answer: Value = account
        .call(
            Method::GET,
            &format!("/api/v1/devices/{}/registration?size={size}", device.id),
            None,
            None,
        )
        .await?;
    let leaf = STANDARD
        .decode(answer["leaf"].as_str().unwrap_or_default())
        .map_err(|_| broken("leaf"))?;
    if answer["index"].as_u64() != Some(device.log_index) {
        return Err(broken("the registration is at another index than listed"));
    }
    checkpoints
        .verify_inclusion(&leaf, device.log_index, &hashes(&answer["proof"])?)
        .map_err(|_| broken("the device's key is not in the audit log"))?;
    let event = AuditEvent::decode(&leaf).map_err(|_| broken("the leaf does not decode"))?;
    if !registers_device(
        &event,
        device.user_id.as_str(),
        device.id.as_str(),
        signature_key,
    ) {
        return Err(broken(
            "the logged registration names another device or key",
        ));
    }
    Ok(())
}
