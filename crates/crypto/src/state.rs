//! A device's state at rest: serialised, then encrypted under a 32-byte
//! device key, behind a small storage trait.
//!
//! # Format
//!
//! ```text
//! sealed = "ALCS" ‖ version:u8 (= 1) ‖ nonce[24] ‖ XChaCha20-Poly1305(key, nonce, aad = "ALCS" ‖ version, state)
//! state  = "ALCD" ‖ version:u8 (= 1)
//!          ‖ bytes credential identity ‖ bytes signature public key
//!          ‖ u32 n ‖ n × bytes key package ref ‖ u8 has_last_resort ‖ [bytes last-resort ref]
//!          ‖ u32 n ‖ n × bytes conversation id
//!          ‖ u32 n ‖ n × (bytes conversation id ‖ bytes pending commit)
//!          ‖ u32 n ‖ n × (bytes key ‖ bytes value)      (the OpenMLS storage, sorted by key)
//! ```
//!
//! `bytes` is `len:u32 ‖ bytes`. The nonce is random for every save. The
//! plaintext is wiped from memory after sealing and after restoring.
//!
//! The trait is synchronous and moves one opaque blob; a browser keeps the
//! blob in IndexedDB through the wasm façade (which calls
//! [`crate::Device::export_state`] and [`crate::Device::restore_state`]
//! directly and awaits IndexedDB itself).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

use chacha20poly1305::aead::{Aead, KeyInit, Payload as AeadPayload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use openmls::prelude::{GroupId, MlsGroup};
use openmls_basic_credential::SignatureKeyPair;
use openmls_traits::types::SignatureScheme;
use rand_core::{OsRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::codec::{Reader, Writer};
use crate::conversation::ConversationId;
use crate::device::{Device, Provider};
use crate::error::{err, ErrorKind, Result};
use crate::identity::DeviceIdentity;

const SEAL_MAGIC: &[u8; 4] = b"ALCS";
const STATE_MAGIC: &[u8; 4] = b"ALCD";
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

/// The 32-byte key a device's state is encrypted under at rest. Wiped from
/// memory when dropped, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct StateKey([u8; 32]);

impl StateKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        OsRng.fill_bytes(&mut k);
        StateKey(k)
    }

    /// Wraps key bytes (for example derived by the platform's key store).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        StateKey(bytes)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StateKey(..)")
    }
}

/// Where a device keeps its sealed state: one opaque, already encrypted blob.
pub trait StateStore {
    /// The last blob stored, if any.
    fn load(&self) -> Result<Option<Vec<u8>>>;
    /// Replaces the stored blob (atomically where the medium allows it).
    fn store(&self, sealed: &[u8]) -> Result<()>;
}

/// A [`StateStore`] in memory (tests, and a device that must leave no trace).
#[derive(Default)]
pub struct MemoryStateStore {
    blob: Mutex<Option<Vec<u8>>>,
}

impl MemoryStateStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl StateStore for MemoryStateStore {
    fn load(&self) -> Result<Option<Vec<u8>>> {
        let guard = self
            .blob
            .lock()
            .map_err(|_| err(ErrorKind::Storage, "memory store lock"))?;
        Ok(guard.clone())
    }

    fn store(&self, sealed: &[u8]) -> Result<()> {
        let mut guard = self
            .blob
            .lock()
            .map_err(|_| err(ErrorKind::Storage, "memory store lock"))?;
        *guard = Some(sealed.to_vec());
        Ok(())
    }
}

/// A [`StateStore`] in one file (native targets only). Writes go to a
/// temporary file beside it, are synced, then renamed over it.
#[cfg(not(target_arch = "wasm32"))]
pub struct FileStateStore {
    path: std::path::PathBuf,
}

#[cfg(not(target_arch = "wasm32"))]
impl FileStateStore {
    /// A store at `path` (the file need not exist yet).
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        FileStateStore { path: path.into() }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl StateStore for FileStateStore {
    fn load(&self) -> Result<Option<Vec<u8>>> {
        match std::fs::read(&self.path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(_) => Err(err(ErrorKind::Storage, "read state file")),
        }
    }

    fn store(&self, sealed: &[u8]) -> Result<()> {
        use std::io::Write as _;
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        let io = |_| err(ErrorKind::Storage, "write state file");
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(sealed).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, &self.path).map_err(io)?;
        Ok(())
    }
}

fn seal(key: &StateKey, plaintext: &[u8]) -> Result<Vec<u8>> {
    let mut header = Vec::with_capacity(5 + NONCE_LEN);
    header.extend_from_slice(SEAL_MAGIC);
    header.push(VERSION);
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let ct = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            AeadPayload {
                msg: plaintext,
                aad: &header,
            },
        )
        .map_err(|_| err(ErrorKind::Internal, "seal state"))?;
    let mut out = header;
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

fn unseal(key: &StateKey, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut r = Reader::new(sealed, "sealed state");
    if r.take(4)? != SEAL_MAGIC {
        return Err(err(ErrorKind::Malformed, "sealed state magic"));
    }
    if r.u8()? != VERSION {
        return Err(err(ErrorKind::UnsupportedVersion, "sealed state"));
    }
    let nonce: [u8; NONCE_LEN] = r.array()?;
    let ct = r.rest();
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let aad = [SEAL_MAGIC.as_slice(), &[VERSION]].concat();
    cipher
        .decrypt(
            XNonce::from_slice(&nonce),
            AeadPayload { msg: ct, aad: &aad },
        )
        .map(Zeroizing::new)
        .map_err(|_| err(ErrorKind::WrongKey, "unseal state"))
}

impl Device {
    /// Serialises this device's whole state (its keys, its key packages' and
    /// conversations' MLS state) and encrypts it under `key`.
    pub fn export_state(&self, key: &StateKey) -> Result<Vec<u8>> {
        seal(key, &self.serialize_state()?)
    }

    fn serialize_state(&self) -> Result<Zeroizing<Vec<u8>>> {
        let mut w = Writer::default();
        w.raw(STATE_MAGIC);
        w.u8(VERSION);
        w.bytes(&self.identity.to_credential_bytes());
        w.bytes(self.signer.public());
        w.u32(self.key_packages.len() as u32);
        for r in &self.key_packages {
            w.bytes(r);
        }
        match &self.last_resort {
            Some(r) => {
                w.u8(1);
                w.bytes(r);
            }
            None => w.u8(0),
        }
        w.u32(self.groups.len() as u32);
        for id in self.groups.keys() {
            w.bytes(id.as_bytes());
        }
        w.u32(self.pending.len() as u32);
        for (id, commit) in &self.pending {
            w.bytes(id.as_bytes());
            w.bytes(commit);
        }
        {
            let values = self
                .provider
                .storage
                .values
                .read()
                .map_err(|_| err(ErrorKind::Storage, "storage lock"))?;
            let sorted: BTreeMap<&Vec<u8>, &Vec<u8>> = values.iter().collect();
            w.u32(sorted.len() as u32);
            for (k, v) in sorted {
                w.bytes(k);
                w.bytes(v);
            }
        }
        Ok(Zeroizing::new(std::mem::take(&mut w.buf)))
    }

    /// Decrypts and restores a device exported by [`Device::export_state`].
    /// A wrong key or altered bytes give [`ErrorKind::WrongKey`].
    pub fn restore_state(sealed: &[u8], key: &StateKey) -> Result<Device> {
        let plaintext = unseal(key, sealed)?;
        let bad = |_| err(ErrorKind::Storage, "stored state is inconsistent");
        let mut r = Reader::new(&plaintext, "device state");
        if r.take(4)? != STATE_MAGIC || r.u8()? != VERSION {
            return Err(err(ErrorKind::UnsupportedVersion, "device state"));
        }
        let identity = DeviceIdentity::from_credential_bytes(r.bytes()?).map_err(bad)?;
        let public = r.bytes()?.to_vec();
        let mut key_packages = Vec::new();
        for _ in 0..r.u32()? {
            key_packages.push(r.bytes()?.to_vec());
        }
        let last_resort = match r.u8()? {
            0 => None,
            _ => Some(r.bytes()?.to_vec()),
        };
        let mut ids = Vec::new();
        for _ in 0..r.u32()? {
            ids.push(ConversationId::from_bytes(r.bytes()?).map_err(bad)?);
        }
        let mut pending = BTreeMap::new();
        for _ in 0..r.u32()? {
            let id = ConversationId::from_bytes(r.bytes()?).map_err(bad)?;
            pending.insert(id, r.bytes()?.to_vec());
        }
        let provider = Provider::default();
        {
            let mut values = provider
                .storage
                .values
                .write()
                .map_err(|_| err(ErrorKind::Storage, "storage lock"))?;
            for _ in 0..r.u32()? {
                let k = r.bytes()?.to_vec();
                let v = r.bytes()?.to_vec();
                values.insert(k, v);
            }
        }
        r.finish()?;
        // The signature key pair is one of the OpenMLS storage's entries.
        let signer = SignatureKeyPair::read(&provider.storage, &public, SignatureScheme::ED25519)
            .ok_or_else(|| err(ErrorKind::Storage, "stored signature key missing"))?;
        let mut groups = BTreeMap::new();
        for id in ids {
            let group = MlsGroup::load(&provider.storage, &GroupId::from_slice(id.as_bytes()))
                .map_err(|_| err(ErrorKind::Storage, "load group"))?
                .ok_or_else(|| err(ErrorKind::Storage, "stored group missing"))?;
            groups.insert(id, group);
        }
        Ok(Device {
            identity,
            signer,
            provider,
            groups,
            pending,
            key_packages,
            last_resort,
        })
    }

    /// Seals the state and writes it to `store`.
    pub fn save(&self, store: &dyn StateStore, key: &StateKey) -> Result<()> {
        store.store(&self.export_state(key)?)
    }

    /// Reads and restores the state from `store`; `None` when it is empty.
    pub fn load(store: &dyn StateStore, key: &StateKey) -> Result<Option<Device>> {
        store
            .load()?
            .map(|sealed| Device::restore_state(&sealed, key))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConversationKind, DeviceId, UserId};

    #[test]
    fn sealed_state_contains_no_stored_secret() {
        let id = DeviceIdentity::new(
            UserId::new("user-1").expect("user"),
            DeviceId::new("device-1").expect("device"),
        );
        let mut d = Device::new(id).expect("device");
        d.create_conversation(ConversationKind::CareRelationship)
            .expect("create");
        d.key_packages(2).expect("key packages");
        let plain = d.serialize_state().expect("serialize");
        let key = StateKey::generate();
        let sealed = seal(&key, &plain).expect("seal");
        // Every value of the OpenMLS storage (signature private key, HPKE
        // private keys, group secrets) is in the plaintext and nowhere in
        // the sealed bytes, not even a 16-byte piece of it.
        let values = d.provider.storage.values.read().expect("lock");
        assert!(values.len() >= 4);
        for v in values.values() {
            assert!(plain.windows(v.len()).any(|w| w == v.as_slice()));
            for piece in v.chunks_exact(16) {
                assert!(!sealed.windows(16).any(|w| w == piece), "secret at rest");
            }
        }
        assert_eq!(
            unseal(&key, &sealed).expect("unseal").as_slice(),
            plain.as_slice()
        );
        assert_eq!(
            unseal(&StateKey::generate(), &sealed)
                .map(|_| ())
                .map_err(|e| e.kind()),
            Err(ErrorKind::WrongKey)
        );
    }
}
