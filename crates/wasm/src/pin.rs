//! A device key from a PIN, for browsers whose passkey cannot derive one (no WebAuthn PRF):
//! Argon2id with parameters strong enough that a copied IndexedDB does not give up a short
//! PIN in an afternoon.

use argon2::{Algorithm, Argon2, Params, Version};
use wasm_bindgen::prelude::*;

use crate::error::{Error, Result};

/// Memory cost in KiB (64 MiB).
pub const PIN_MEMORY_KIB: u32 = 64 * 1024;
/// Passes over memory.
pub const PIN_ITERATIONS: u32 = 3;

/// Derives 32 key bytes from `pin` and a 16-byte or longer random `salt` with Argon2id
/// (`memory_kib`, `iterations`, one lane).
pub fn derive(pin: &str, salt: &[u8], memory_kib: u32, iterations: u32) -> Result<[u8; 32]> {
    if pin.chars().count() < 6 {
        return Err(Error::invalid("PIN shorter than 6 characters"));
    }
    if salt.len() < 16 {
        return Err(Error::invalid("salt"));
    }
    let params = Params::new(memory_kib, iterations, 1, Some(32))
        .map_err(|_| Error::invalid("Argon2 parameters"))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.as_bytes(), salt, &mut out)
        .map_err(|_| Error::invalid("Argon2 input"))?;
    Ok(out)
}

/// `pinKey(pin, salt, memoryKib?, iterations?)`: 32 key bytes (Argon2id; defaults 64 MiB, 3
/// passes).
#[wasm_bindgen(js_name = pinKey)]
pub fn pin_key(
    pin: &str,
    salt: &[u8],
    memory_kib: Option<u32>,
    iterations: Option<u32>,
) -> Result<Vec<u8>> {
    Ok(derive(
        pin,
        salt,
        memory_kib.unwrap_or(PIN_MEMORY_KIB),
        iterations.unwrap_or(PIN_ITERATIONS),
    )?
    .to_vec())
}
