//! Safety numbers: a fingerprint over two people's device key sets that they
//! compare in person or by phone (or by scanning a QR code).
//!
//! # Design (version 1)
//!
//! For each person `P` with user id `u` and devices `(d_i, k_i)` (device id
//! and 32-byte Ed25519 signature key), with the devices sorted by key bytes
//! (then device id) and duplicates rejected:
//!
//! ```text
//! input_P = "alcove-safety-number-v1" ‖ u16 len(u) ‖ u ‖ u32 n ‖ (u16 len(d_i) ‖ d_i ‖ k_i) for each device
//! h_0     = SHA-512(u16 version (= 1) ‖ input_P)
//! h_j     = SHA-512(h_{j-1} ‖ input_P)            for j = 1 … 5200
//! half_P  = the first 30 bytes of h_5200
//! digits(half_P) = for each 5-byte group g: (g as big-endian integer) mod 100000, as 5 digits
//! ```
//!
//! The iteration (as in Signal's numeric fingerprints) makes a search for a
//! key set whose 30 digits collide with a given one cost 5,201 SHA-512 calls
//! per try. The safety number is the two persons' 30-digit strings sorted
//! ascending and concatenated (60 digits, shown as 12 groups of 5), so both
//! people see the same number whatever order the arguments come in, and it
//! changes when any device is added, removed or changes its key. The QR
//! payload is `version:u8 (= 1) ‖ half ‖ half` with the halves in the same
//! order as the digits (61 bytes); scanning compares it byte for byte.

use sha2::{Digest, Sha512};

use crate::error::{err, ErrorKind, Result};
use crate::identity::{DeviceId, MemberDevice, UserId};

const VERSION: u16 = 1;
const DOMAIN: &[u8] = b"alcove-safety-number-v1";
const ITERATIONS: usize = 5200;
const HALF_BYTES: usize = 30;
const KEY_LEN: usize = 32;

/// One device's entry in a safety number.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DeviceKey {
    /// The device.
    pub device: DeviceId,
    /// Its Ed25519 signature public key (32 bytes).
    pub signature_key: Vec<u8>,
}

/// One person's device key set.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PersonKeys {
    /// The person.
    pub user: UserId,
    /// All of their devices.
    pub devices: Vec<DeviceKey>,
}

impl PersonKeys {
    /// Collects `user`'s devices from a conversation's member list.
    pub fn from_members(user: &UserId, members: &[MemberDevice]) -> Self {
        PersonKeys {
            user: user.clone(),
            devices: members
                .iter()
                .filter(|m| &m.identity.user == user)
                .map(|m| DeviceKey {
                    device: m.identity.device.clone(),
                    signature_key: m.signature_key.clone(),
                })
                .collect(),
        }
    }
}

/// A safety number: 60 digits and the matching QR payload.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SafetyNumber {
    digits: String,
    qr: Vec<u8>,
}

impl SafetyNumber {
    /// The 60 digits without spaces.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The 12 groups of 5 digits.
    pub fn groups(&self) -> Vec<&str> {
        (0..12)
            .filter_map(|i| self.digits.get(i * 5..i * 5 + 5))
            .collect()
    }

    /// The groups joined by single spaces, for display.
    pub fn display(&self) -> String {
        self.groups().join(" ")
    }

    /// The bytes to encode in a QR code.
    pub fn qr_payload(&self) -> &[u8] {
        &self.qr
    }

    /// Whether a scanned QR payload is this safety number.
    pub fn matches_qr(&self, scanned: &[u8]) -> bool {
        self.qr == scanned
    }
}

fn half(person: &PersonKeys) -> Result<[u8; HALF_BYTES]> {
    const CTX: &str = "safety number input";
    if person.devices.is_empty() {
        return Err(err(ErrorKind::InvalidInput, CTX));
    }
    let mut devices: Vec<&DeviceKey> = person.devices.iter().collect();
    if devices.iter().any(|d| d.signature_key.len() != KEY_LEN) {
        return Err(err(ErrorKind::InvalidInput, CTX));
    }
    devices.sort_by(|a, b| {
        a.signature_key
            .cmp(&b.signature_key)
            .then_with(|| a.device.cmp(&b.device))
    });
    for w in devices.windows(2) {
        if w[0].signature_key == w[1].signature_key {
            return Err(err(ErrorKind::InvalidInput, CTX));
        }
    }
    let mut ids: Vec<&DeviceId> = devices.iter().map(|d| &d.device).collect();
    ids.sort();
    ids.dedup();
    if ids.len() != devices.len() {
        return Err(err(ErrorKind::InvalidInput, CTX));
    }

    let mut input = Vec::with_capacity(64 + devices.len() * 100);
    input.extend_from_slice(DOMAIN);
    let user = person.user.as_str().as_bytes();
    input.extend_from_slice(&(user.len() as u16).to_be_bytes());
    input.extend_from_slice(user);
    input.extend_from_slice(&(devices.len() as u32).to_be_bytes());
    for d in &devices {
        let id = d.device.as_str().as_bytes();
        input.extend_from_slice(&(id.len() as u16).to_be_bytes());
        input.extend_from_slice(id);
        input.extend_from_slice(&d.signature_key);
    }

    let mut h = Sha512::new();
    h.update(VERSION.to_be_bytes());
    h.update(&input);
    let mut hash = h.finalize();
    for _ in 0..ITERATIONS {
        let mut h = Sha512::new();
        h.update(hash);
        h.update(&input);
        hash = h.finalize();
    }
    let mut out = [0u8; HALF_BYTES];
    out.copy_from_slice(&hash[..HALF_BYTES]);
    Ok(out)
}

fn half_digits(half: &[u8; HALF_BYTES]) -> String {
    let mut s = String::with_capacity(30);
    for g in half.chunks_exact(5) {
        let v = g.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        s.push_str(&format!("{:05}", v % 100_000));
    }
    s
}

/// The safety number of two people, the same whichever is `a` and `b`.
///
/// Fails with [`ErrorKind::InvalidInput`] when either has no device, a key is
/// not 32 bytes, a device or key appears twice, or both are the same user.
pub fn safety_number(a: &PersonKeys, b: &PersonKeys) -> Result<SafetyNumber> {
    if a.user == b.user {
        return Err(err(ErrorKind::InvalidInput, "safety number of one person"));
    }
    let ha = half(a)?;
    let hb = half(b)?;
    let (da, db) = (half_digits(&ha), half_digits(&hb));
    let ((d1, h1), (d2, h2)) = if (&da, &ha) <= (&db, &hb) {
        ((da, ha), (db, hb))
    } else {
        ((db, hb), (da, ha))
    };
    let mut qr = Vec::with_capacity(1 + 2 * HALF_BYTES);
    qr.push(VERSION as u8);
    qr.extend_from_slice(&h1);
    qr.extend_from_slice(&h2);
    Ok(SafetyNumber {
        digits: d1 + &d2,
        qr,
    })
}
