//! Key transparency in the browser: the server's log key pinned, the last signed checkpoint
//! remembered, every newer checkpoint accepted only with a consistency proof, and a device's
//! registration checked to be a leaf of the log before anyone encrypts to it.

use alcove_audit::{registers_device, AuditEvent, CheckpointMemory, Hash, NoteVerifier};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::error::{Error, Result};

fn broken(code: &'static str, message: &str) -> Error {
    Error {
        code,
        message: message.to_owned(),
    }
}

/// Decodes the server's proof (base64 hashes).
pub fn proof_hashes(items: &[String]) -> Result<Vec<Hash>> {
    items
        .iter()
        .map(|h| {
            let bytes = STANDARD
                .decode(h)
                .map_err(|_| Error::invalid("proof hash"))?;
            Hash::from_slice(&bytes).map_err(|_| Error::invalid("proof hash"))
        })
        .collect()
}

fn strings(array: &Array) -> Result<Vec<String>> {
    array
        .iter()
        .map(|v| v.as_string().ok_or(Error::invalid("proof hash")))
        .collect()
}

/// What this browser has seen of the audit log.
#[wasm_bindgen]
pub struct KeyLog {
    memory: CheckpointMemory,
}

impl KeyLog {
    /// A log memory for the server key `log_key` (a signed-note verifier key), optionally
    /// restored from a previously saved note.
    pub fn open(log_key: &str, remembered: Option<&str>) -> Result<KeyLog> {
        let verifier = NoteVerifier::parse(log_key)
            .map_err(|_| broken("log_key", "the audit log key does not parse"))?;
        let memory = match remembered {
            Some(note) => CheckpointMemory::restore(verifier, note)
                .map_err(|_| broken("log_memory", "the remembered checkpoint does not verify"))?,
            None => CheckpointMemory::new(verifier),
        };
        Ok(KeyLog { memory })
    }

    /// Offers a newer checkpoint with its consistency proof from the held size. Returns the
    /// held size afterwards. A stale checkpoint (a lagging server) is ignored; a fork or a bad
    /// signature is an error with code `log_fork` or `log_signature`.
    pub fn offer(&mut self, note: &str, proof: &[String]) -> Result<u64> {
        let proof = proof_hashes(proof)?;
        match self.memory.update(note, &proof) {
            Ok(_) => {}
            Err(e) if e.is_fork() => {
                return Err(broken(
                    "log_fork",
                    "the server showed a history of its audit log that contradicts what this browser saw before",
                ))
            }
            Err(alcove_audit::WitnessError::Stale { .. }) => {}
            Err(_) => {
                return Err(broken(
                    "log_signature",
                    "the audit log checkpoint is not signed by the server's log key",
                ))
            }
        }
        Ok(self.held_size())
    }

    /// The size of the checkpoint held (0 before the first).
    pub fn held_size(&self) -> u64 {
        self.memory.latest().map_or(0, |c| c.size)
    }

    /// Checks that `leaf` is entry `index` of the held checkpoint's tree and that it registers
    /// `device_id` of `user_id` with `signature_key`. Errors have code `log_inclusion` or
    /// `log_registration`.
    pub fn check_registration(
        &self,
        leaf: &[u8],
        index: u64,
        proof: &[String],
        user_id: &str,
        device_id: &str,
        signature_key: &[u8],
    ) -> Result<()> {
        let proof = proof_hashes(proof)?;
        self.memory
            .verify_inclusion(leaf, index, &proof)
            .map_err(|_| {
                broken(
                    "log_inclusion",
                    "the device's key is not in the audit log the server signed",
                )
            })?;
        let event = AuditEvent::decode(leaf).map_err(|_| {
            broken(
                "log_registration",
                "the logged registration does not decode",
            )
        })?;
        if !registers_device(&event, user_id, device_id, signature_key) {
            return Err(broken(
                "log_registration",
                "the logged registration names another device or key",
            ));
        }
        Ok(())
    }
}

#[wasm_bindgen]
impl KeyLog {
    /// `new KeyLog(logKey, rememberedNote?)`.
    #[wasm_bindgen(constructor)]
    pub fn new(log_key: &str, remembered_note: Option<String>) -> Result<KeyLog> {
        KeyLog::open(log_key, remembered_note.as_deref())
    }

    /// Offers a checkpoint note with its consistency proof (`string[]`, base64); returns the
    /// size held afterwards.
    pub fn update(
        &mut self,
        note: &str,
        #[wasm_bindgen(unchecked_param_type = "string[]")] proof: Array,
    ) -> Result<f64> {
        let size = self.offer(note, &strings(&proof)?)?;
        Ok(size as f64)
    }

    /// The size of the checkpoint held.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> f64 {
        self.held_size() as f64
    }

    /// The signed note held, to persist (undefined before the first).
    #[wasm_bindgen(getter)]
    pub fn note(&self) -> Option<String> {
        self.memory.latest_note().map(str::to_owned)
    }

    /// Checks a device registration against the held checkpoint (see `checkRegistration`).
    #[wasm_bindgen(js_name = verifyRegistration)]
    pub fn verify_registration(
        &self,
        leaf: &[u8],
        index: f64,
        #[wasm_bindgen(unchecked_param_type = "string[]")] proof: Array,
        user_id: &str,
        device_id: &str,
        signature_key: &[u8],
    ) -> Result<()> {
        if !(index >= 0.0 && index.fract() == 0.0 && index < 9.0e15) {
            return Err(Error::invalid("index"));
        }
        self.check_registration(
            leaf,
            index as u64,
            &strings(&proof)?,
            user_id,
            device_id,
            signature_key,
        )
    }
}
