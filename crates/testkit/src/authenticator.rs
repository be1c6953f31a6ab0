//! The software authenticator: a browser plus a platform authenticator that
//! holds discoverable ES256 passkeys in memory.

use std::fmt;

use ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use rand::rngs::OsRng;
use rand::RngCore as _;
use serde_json::{json, Value};

use crate::encoding::{self, b64url, flags};
use crate::error::{Error, ErrorKind};
use crate::options::{parse_creation, parse_request};
use crate::origin::{check_rp_id, parse_origin};

/// Length of the random credential ids this authenticator makes.
const CREDENTIAL_ID_LEN: usize = 32;

/// One passkey held by a [`SoftAuthenticator`]: an ES256 private key bound to
/// a relying party id and a user handle, with its signature counter.
///
/// `Clone` copies the private key too: a clone used elsewhere behaves like a
/// cloned authenticator, which is what counter-regression tests need.
/// `Debug` shows neither the key nor the ids.
#[derive(Clone)]
pub struct Credential {
    id: Vec<u8>,
    rp_id: String,
    user_handle: Vec<u8>,
    key: SigningKey,
    counter: u32,
}

impl Credential {
    /// The credential id (`rawId`).
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The credential id as unpadded base64url, as it appears in `id` and
    /// `rawId` of the JSON responses.
    pub fn id_b64url(&self) -> String {
        b64url(&self.id)
    }

    /// The relying party id this credential is scoped to.
    pub fn rp_id(&self) -> &str {
        &self.rp_id
    }

    /// The user handle (`user.id`) stored at registration and returned as
    /// `userHandle` at sign-in.
    pub fn user_handle(&self) -> &[u8] {
        &self.user_handle
    }

    /// The signature counter: the value the last assertion carried, or the
    /// value the next one will exceed.
    pub fn counter(&self) -> u32 {
        self.counter
    }

    /// The public key as an uncompressed SEC1 point (`04 || x || y`).
    pub fn public_key_sec1(&self) -> Vec<u8> {
        self.key
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec()
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("id", &"<redacted>")
            .field("rp_id", &self.rp_id)
            .field("user_handle", &"<redacted>")
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

/// A software passkey authenticator standing in for a browser and a
/// platform authenticator in tests without a browser.
///
/// It takes the options JSON a relying party sends (webauthn-rs'
/// `CreationChallengeResponse` / `RequestChallengeResponse`, serialised with
/// `serde_json::to_value`) and answers with the JSON a browser would post back,
/// which webauthn-rs deserialises as `RegisterPublicKeyCredential` /
/// `PublicKeyCredential`.
///
/// Like a browser it refuses a relying party id that does not belong to its
/// [origin](Self::set_origin), so a test that moves it to a look-alike origin
/// sees the phishing attempt fail. The knobs `with_*` and `set_*` make it
/// misbehave on purpose for negative tests.
///
/// `Clone` copies every credential with its private key and counter.
#[derive(Clone)]
pub struct SoftAuthenticator {
    origin: String,
    credentials: Vec<Credential>,
    user_present: bool,
    user_verified: bool,
    backup_eligible: bool,
    backed_up: bool,
    counter_step: u32,
    browser_checks: bool,
    selected: Option<Vec<u8>>,
}

impl fmt::Debug for SoftAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftAuthenticator")
            .field("origin", &self.origin)
            .field("credentials", &self.credentials.len())
            .field("user_present", &self.user_present)
            .field("user_verified", &self.user_verified)
            .field("backup_eligible", &self.backup_eligible)
            .field("backed_up", &self.backed_up)
            .field("counter_step", &self.counter_step)
            .field("browser_checks", &self.browser_checks)
            .finish_non_exhaustive()
    }
}

impl SoftAuthenticator {
    /// An authenticator with no credentials, used from a page on `origin`
    /// (for example `https://alcove.example` or `http://localhost:8080`).
    ///
    /// The origin is checked when a ceremony starts, as a browser would:
    /// an origin that is not a secure context makes `register` and
    /// `authenticate` fail with [`ErrorKind::InvalidOrigin`].
    ///
    /// Defaults: user present and verified, not backup eligible, counter
    /// step 1, browser checks on.
    pub fn new(origin: &str) -> Self {
        SoftAuthenticator {
            origin: origin.to_owned(),
            credentials: Vec::new(),
            user_present: true,
            user_verified: true,
            backup_eligible: false,
            backed_up: false,
            counter_step: 1,
            browser_checks: true,
            selected: None,
        }
    }

    /// Whether responses carry the user-verified (UV) flag. With `false`
    /// the authenticator still answers (a real browser would refuse when UV
    /// is required), so the relying party's own check can be tested.
    pub fn with_user_verified(mut self, verified: bool) -> Self {
        self.user_verified = verified;
        self
    }

    /// Whether responses carry the user-present (UP) flag; see
    /// [`with_user_verified`](Self::with_user_verified).
    pub fn with_user_present(mut self, present: bool) -> Self {
        self.user_present = present;
        self
    }

    /// The backup flags: `eligible` (BE, a synced passkey) and `backed_up`
    /// (BS). Both default to `false`, like a device-bound key.
    pub fn with_backup_flags(mut self, eligible: bool, backed_up: bool) -> Self {
        self.backup_eligible = eligible;
        self.backed_up = backed_up;
        self
    }

    /// How much each assertion adds to a credential's counter. `0` keeps
    /// counters at zero forever, as many synced passkey providers do.
    pub fn with_counter_step(mut self, step: u32) -> Self {
        self.counter_step = step;
        self
    }

    /// With `false`, skips the browser's origin checks (secure context,
    /// relying party id belongs to the origin) and uses the origin string
    /// verbatim in `clientDataJSON`: a compromised or hand-written client,
    /// for testing the relying party's own origin check.
    pub fn with_browser_checks(mut self, enabled: bool) -> Self {
        self.browser_checks = enabled;
        self
    }

    /// Changes the user-verified flag for later ceremonies.
    pub fn set_user_verified(&mut self, verified: bool) {
        self.user_verified = verified;
    }

    /// Moves the authenticator to another origin, for example a look-alike
    /// site that relays the real site's options.
    pub fn set_origin(&mut self, origin: &str) {
        origin.clone_into(&mut self.origin);
    }

    /// The origin the authenticator believes it is used from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Every credential, oldest first.
    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
    }

    /// The ids of every credential, oldest first.
    pub fn credential_ids(&self) -> Vec<Vec<u8>> {
        self.credentials.iter().map(|c| c.id.clone()).collect()
    }

    /// The credential with this id.
    pub fn credential(&self, credential_id: &[u8]) -> Option<&Credential> {
        self.credentials.iter().find(|c| c.id == credential_id)
    }

    /// A copy of the credential with this id, private key and counter
    /// included, to be used later or [imported](Self::import_credential)
    /// into another authenticator: a cloned authenticator.
    pub fn export_credential(&self, credential_id: &[u8]) -> Option<Credential> {
        self.credential(credential_id).cloned()
    }

    /// Adds a credential, replacing one with the same id.
    pub fn import_credential(&mut self, credential: Credential) {
        self.credentials.retain(|c| c.id != credential.id);
        self.credentials.push(credential);
    }

    /// Deletes a credential; `false` if there was none with this id.
    pub fn remove_credential(&mut self, credential_id: &[u8]) -> bool {
        let before = self.credentials.len();
        self.credentials.retain(|c| c.id != credential_id);
        if self.selected.as_deref() == Some(credential_id) {
            self.selected = None;
        }
        before != self.credentials.len()
    }

    /// Sets a credential's counter; the next assertion carries
    /// `value + step`.
    pub fn set_counter(&mut self, credential_id: &[u8], value: u32) -> Result<(), Error> {
        let credential = self.credential_mut(credential_id)?;
        credential.counter = value;
        Ok(())
    }

    /// Replaces the user handle a credential reports at sign-in. The handle
    /// is not covered by the signature, so a hostile client can do this: a
    /// server must check that the credential it verified belongs to the
    /// user the handle names.
    pub fn set_user_handle(
        &mut self,
        credential_id: &[u8],
        user_handle: &[u8],
    ) -> Result<(), Error> {
        let credential = self.credential_mut(credential_id)?;
        credential.user_handle = user_handle.to_vec();
        Ok(())
    }

    /// The user's choice in the account picker: discoverable sign-in (an
    /// empty `allowCredentials`) and sign-ins that allow several
    /// credentials use this one when it fits the request. Without a
    /// choice the newest fitting credential is used.
    pub fn select(&mut self, credential_id: &[u8]) -> Result<(), Error> {
        self.credential_mut(credential_id)?;
        self.selected = Some(credential_id.to_vec());
        Ok(())
    }

    /// Forgets the choice made with [`select`](Self::select).
    pub fn clear_selection(&mut self) {
        self.selected = None;
    }

    fn credential_mut(&mut self, credential_id: &[u8]) -> Result<&mut Credential, Error> {
        self.credentials
            .iter_mut()
            .find(|c| c.id == credential_id)
            .ok_or_else(|| Error::new(ErrorKind::UnknownCredential, ""))
    }

    /// The origin for `clientDataJSON` and the relying party id to use,
    /// after the browser's checks (when enabled).
    fn origin_and_rp_id(&self, requested_rp_id: Option<String>) -> Result<(String, String), Error> {
        if !self.browser_checks {
            let rp_id = match requested_rp_id {
                Some(rp_id) => rp_id,
                None => parse_origin(&self.origin)?.host,
            };
            return Ok((self.origin.clone(), rp_id));
        }
        let origin = parse_origin(&self.origin)?;
        let rp_id = requested_rp_id.unwrap_or_else(|| origin.host.clone());
        check_rp_id(&rp_id, &origin)?;
        Ok((origin.serialized, rp_id))
    }

    fn flag_bits(&self) -> u8 {
        let mut bits = 0;
        if self.user_present {
            bits |= flags::UP;
        }
        if self.user_verified {
            bits |= flags::UV;
        }
        if self.backup_eligible {
            bits |= flags::BE;
        }
        if self.backed_up {
            bits |= flags::BS;
        }
        bits
    }

    /// Creates a discoverable passkey, like `navigator.credentials.create`.
    ///
    /// `creation_options` is webauthn-rs' `CreationChallengeResponse` as
    /// JSON (`{"publicKey": {...}}`) or its inner `publicKey` object. The
    /// answer is the JSON of a `RegisterPublicKeyCredential` with `none`
    /// attestation and flags UP, UV (see the knobs) and AT.
    ///
    /// A credential for the same relying party and user handle is replaced,
    /// as authenticators do with resident keys.
    pub fn register(&mut self, creation_options: &Value) -> Result<Value, Error> {
        let options = parse_creation(creation_options)?;
        let (origin, rp_id) = self.origin_and_rp_id(options.rp_id)?;

        let excluded = self
            .credentials
            .iter()
            .any(|c| c.rp_id == rp_id && options.exclude_credentials.contains(&c.id));
        if excluded {
            return Err(Error::new(ErrorKind::CredentialExcluded, ""));
        }

        let key = SigningKey::random(&mut OsRng);
        let mut id = vec![0u8; CREDENTIAL_ID_LEN];
        OsRng.fill_bytes(&mut id);

        let cose_key = encoding::cose_public_key(key.verifying_key())?;
        let counter = 0;
        let auth_data = encoding::attested_authenticator_data(
            &rp_id,
            self.flag_bits(),
            counter,
            &id,
            &cose_key,
        )?;
        let attestation_object = encoding::none_attestation_object(auth_data)?;
        let client_data =
            encoding::client_data_json("webauthn.create", &options.challenge, &origin);

        let mut extensions = json!({});
        if options.wants_cred_props {
            extensions = json!({ "credProps": { "rk": true } });
        }
        let response = json!({
            "id": b64url(&id),
            "rawId": b64url(&id),
            "type": "public-key",
            "response": {
                "attestationObject": b64url(&attestation_object),
                "clientDataJSON": b64url(&client_data),
            },
            "extensions": extensions,
        });

        self.credentials
            .retain(|c| !(c.rp_id == rp_id && c.user_handle == options.user_handle));
        self.credentials.push(Credential {
            id,
            rp_id,
            user_handle: options.user_handle,
            key,
            counter,
        });
        Ok(response)
    }

    /// Signs in with a passkey, like `navigator.credentials.get`.
    ///
    /// `request_options` is webauthn-rs' `RequestChallengeResponse` as JSON
    /// or its inner `publicKey` object. With an empty `allowCredentials`
    /// (discoverable sign-in) any credential of the relying party may
    /// answer; otherwise only a listed one. Which one: see
    /// [`select`](Self::select). The credential's counter grows by the
    /// counter step before signing. The answer is the JSON of a
    /// `PublicKeyCredential`, `userHandle` included.
    pub fn authenticate(&mut self, request_options: &Value) -> Result<Value, Error> {
        let options = parse_request(request_options)?;
        let (origin, rp_id) = self.origin_and_rp_id(options.rp_id)?;
        let flag_bits = self.flag_bits();
        let step = self.counter_step;

        let fits = |c: &Credential| {
            c.rp_id == rp_id
                && (options.allow_credentials.is_empty()
                    || options.allow_credentials.contains(&c.id))
        };
        let selected = self.selected.as_deref();
        let index = self
            .credentials
            .iter()
            .position(|c| fits(c) && selected == Some(c.id.as_slice()))
            .or_else(|| self.credentials.iter().rposition(fits))
            .ok_or_else(|| Error::new(ErrorKind::NoCredential, ""))?;
        let credential = self
            .credentials
            .get_mut(index)
            .ok_or_else(|| Error::new(ErrorKind::NoCredential, ""))?;

        credential.counter = credential.counter.wrapping_add(step);
        let auth_data = encoding::authenticator_data(&rp_id, flag_bits, credential.counter);
        let client_data = encoding::client_data_json("webauthn.get", &options.challenge, &origin);

        let mut signed = auth_data.clone();
        signed.extend_from_slice(&encoding::sha256(&client_data));
        let signature: Signature = credential.key.sign(&signed);

        Ok(json!({
            "id": b64url(&credential.id),
            "rawId": b64url(&credential.id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64url(&auth_data),
                "clientDataJSON": b64url(&client_data),
                "signature": b64url(signature.to_der().as_bytes()),
                "userHandle": b64url(&credential.user_handle),
            },
            "extensions": {},
        }))
    }
}
