//! The `Device` class: one MLS device of one user with its conversations,
//! wrapping `alcove_crypto::Device` for JavaScript.

use alcove_crypto::{
    ConversationId, ConversationKind, DeviceId, DeviceIdentity, PersonKeys, StateKey, UserId,
};
use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::error::{Error, Result};
use crate::value::{from_u64, In, Js, Out};
use crate::views;

/// Parses a conversation kind: `"care"` (a clinician and a client) or
/// `"consultation"` (a clinician and a supervisor).
pub fn parse_kind(kind: &str) -> Result<ConversationKind> {
    match kind {
        "care" => Ok(ConversationKind::CareRelationship),
        "consultation" => Ok(ConversationKind::Consultation),
        _ => Err(Error::invalid("conversation kind")),
    }
}

/// The name [`parse_kind`] reads.
pub fn kind_name(kind: ConversationKind) -> &'static str {
    match kind {
        ConversationKind::Consultation => "consultation",
        _ => "care",
    }
}

/// Parses a conversation id given as 34 hex digits.
pub fn conversation(hex: &str) -> Result<ConversationId> {
    Ok(ConversationId::from_hex(hex)?)
}

/// A 32-byte state key from JavaScript bytes.
pub fn state_key(bytes: &[u8]) -> Result<StateKey> {
    let arr: [u8; 32] = bytes.try_into().map_err(|_| Error::invalid("key"))?;
    Ok(StateKey::from_bytes(arr))
}

/// `{ userId, deviceId }` read from JavaScript.
pub fn identity_from<V: In>(v: &V) -> Result<DeviceIdentity> {
    let user = v
        .field("userId")
        .and_then(|f| f.as_string())
        .ok_or(Error::invalid("userId"))?;
    let device = v
        .field("deviceId")
        .and_then(|f| f.as_string())
        .ok_or(Error::invalid("deviceId"))?;
    Ok(DeviceIdentity::new(
        UserId::new(user)?,
        DeviceId::new(device)?,
    ))
}

fn js_items(array: &Array) -> Vec<Js> {
    array.iter().map(Js).collect()
}

/// One device of one user: its signature key, key packages and
/// conversations. Every method that changes state (key packages, commits,
/// merges, joins, processing) must be followed by `exportState` and storing
/// the result, or the device's ratchets go out of step with its storage.
#[wasm_bindgen]
pub struct Device {
    inner: alcove_crypto::Device,
}

impl Device {
    /// The wrapped crypto device (for Rust callers and tests).
    pub fn inner(&self) -> &alcove_crypto::Device {
        &self.inner
    }

    /// The wrapped crypto device, mutably.
    pub fn inner_mut(&mut self) -> &mut alcove_crypto::Device {
        &mut self.inner
    }

    /// The safety number between this device's user and `peer_user` over
    /// the devices both have in the conversation.
    pub fn safety_number_plain(
        &self,
        conv: &str,
        peer_user: &str,
    ) -> Result<alcove_crypto::SafetyNumber> {
        let members = self.inner.members(&conversation(conv)?)?;
        let own = PersonKeys::from_members(&self.inner.identity().user, &members);
        let peer = PersonKeys::from_members(&UserId::new(peer_user)?, &members);
        Ok(alcove_crypto::safety_number(&own, &peer)?)
    }
}

#[wasm_bindgen]
impl Device {
    /// A new device with a fresh signature key. Identifiers are 1 to 64
    /// characters from `[A-Za-z0-9._-]`.
    pub fn create(user_id: &str, device_id: &str) -> Result<Device> {
        let identity = DeviceIdentity::new(UserId::new(user_id)?, DeviceId::new(device_id)?);
        Ok(Device {
            inner: alcove_crypto::Device::new(identity)?,
        })
    }

    /// Restores a device from `exportState`'s bytes and the same 32-byte key.
    /// A wrong key or altered bytes throw `wrong_key`.
    pub fn restore(state: &[u8], key: &[u8]) -> Result<Device> {
        Ok(Device {
            inner: alcove_crypto::Device::restore_state(state, &state_key(key)?)?,
        })
    }

    /// The whole device state, encrypted under a 32-byte key (XChaCha20-Poly1305).
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self, key: &[u8]) -> Result<Vec<u8>> {
        Ok(self.inner.export_state(&state_key(key)?)?)
    }

    /// The user this device belongs to.
    #[wasm_bindgen(getter, js_name = userId)]
    pub fn user_id(&self) -> String {
        self.inner.identity().user.as_str().to_string()
    }

    /// This device's identifier.
    #[wasm_bindgen(getter, js_name = deviceId)]
    pub fn device_id(&self) -> String {
        self.inner.identity().device.as_str().to_string()
    }

    /// The Ed25519 signature public key (32 bytes) the server lists.
    #[wasm_bindgen(getter, js_name = signatureKey)]
    pub fn signature_key(&self) -> Vec<u8> {
        self.inner.signature_public_key().to_vec()
    }

    /// `count` fresh key packages to upload.
    #[wasm_bindgen(js_name = keyPackages, unchecked_return_type = "Uint8Array[]")]
    pub fn key_packages(&mut self, count: u32) -> Result<JsValue> {
        let kps = self.inner.key_packages(count as usize)?;
        Ok(Js::array(kps.iter().map(|k| Js::bytes(k)).collect()).0)
    }

    /// A fresh last-resort key package (replaces the previous one).
    #[wasm_bindgen(js_name = lastResortKeyPackage)]
    pub fn last_resort_key_package(&mut self) -> Result<Vec<u8>> {
        Ok(self.inner.last_resort_key_package()?)
    }

    /// Forgets every earlier key package and returns `count` new ones plus a
    /// new last-resort one: `{ regular: Uint8Array[], lastResort: Uint8Array }`.
    #[wasm_bindgen(js_name = rotateKeyPackages, unchecked_return_type = "KeyPackageBatch")]
    pub fn rotate_key_packages(&mut self, count: u32) -> Result<JsValue> {
        let batch = self.inner.rotate_key_packages(count as usize)?;
        Ok(Js::object()
            .with(
                "regular",
                Js::array(batch.regular.iter().map(|k| Js::bytes(k)).collect()),
            )
            .with("lastResort", Js::bytes(&batch.last_resort))
            .0)
    }

    /// Creates a conversation (`"care"` or `"consultation"`) with this device
    /// as its only member; returns its id (34 hex digits).
    #[wasm_bindgen(js_name = createConversation)]
    pub fn create_conversation(&mut self, kind: &str) -> Result<String> {
        Ok(self.inner.create_conversation(parse_kind(kind)?)?.to_hex())
    }

    /// The ids of every conversation this device knows.
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn conversations(&self) -> JsValue {
        Js::array(
            self.inner
                .conversations()
                .iter()
                .map(|c| Js::string(&c.to_hex()))
                .collect(),
        )
        .0
    }

    /// `"care"` or `"consultation"`.
    #[wasm_bindgen(js_name = conversationKind)]
    pub fn conversation_kind(conv: &str) -> Result<String> {
        Ok(kind_name(conversation(conv)?.kind()).to_string())
    }

    /// The conversation's current epoch.
    pub fn epoch(&self, conv: &str) -> Result<f64> {
        Ok(from_u64(self.inner.epoch(&conversation(conv)?)?))
    }

    /// Whether this device is (still) a member.
    #[wasm_bindgen(js_name = isMember)]
    pub fn is_member(&self, conv: &str) -> Result<bool> {
        Ok(self.inner.is_member(&conversation(conv)?))
    }

    /// Whether an own commit awaits the delivery service's answer.
    #[wasm_bindgen(js_name = hasPendingCommit)]
    pub fn has_pending_commit(&self, conv: &str) -> Result<bool> {
        Ok(self.inner.has_pending_commit(&conversation(conv)?))
    }

    /// The epoch authenticator: equal on every member in the same epoch.
    #[wasm_bindgen(js_name = epochAuthenticator)]
    pub fn epoch_authenticator(&self, conv: &str) -> Result<Vec<u8>> {
        Ok(self.inner.epoch_authenticator(&conversation(conv)?)?)
    }

    /// Every member device: `[{ userId, deviceId, signatureKey }]`.
    #[wasm_bindgen(unchecked_return_type = "Member[]")]
    pub fn members(&self, conv: &str) -> Result<JsValue> {
        let members = self.inner.members(&conversation(conv)?)?;
        Ok(Js::array(members.iter().map(views::member).collect()).0)
    }

    /// Adds devices from their key packages. Returns `{ commit, welcome,
    /// epoch }`: post the commit; when the delivery service accepts it call
    /// `mergePendingCommit` and deliver the welcome, else `discardPendingCommit`.
    #[wasm_bindgen(js_name = addDevices, unchecked_return_type = "OutgoingCommit")]
    pub fn add_devices(
        &mut self,
        conv: &str,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array[]")] key_packages: Array,
    ) -> Result<JsValue> {
        let kps = js_items(&key_packages)
            .iter()
            .map(|v| v.as_bytes().ok_or(Error::invalid("key package")))
            .collect::<Result<Vec<_>>>()?;
        let out = self.inner.add_devices(&conversation(conv)?, &kps)?;
        Ok(views::outgoing_commit::<Js>(&out).0)
    }

    /// Removes devices (`[{ userId, deviceId }]`). Returns a commit as `addDevices`.
    #[wasm_bindgen(js_name = removeDevices, unchecked_return_type = "OutgoingCommit")]
    pub fn remove_devices(
        &mut self,
        conv: &str,
        #[wasm_bindgen(unchecked_param_type = "DeviceRef[]")] devices: Array,
    ) -> Result<JsValue> {
        let ids = js_items(&devices)
            .iter()
            .map(identity_from)
            .collect::<Result<Vec<_>>>()?;
        let out = self.inner.remove_devices(&conversation(conv)?, &ids)?;
        Ok(views::outgoing_commit::<Js>(&out).0)
    }

    /// Removes every device of a user. Returns a commit as `addDevices`.
    #[wasm_bindgen(js_name = removeUser, unchecked_return_type = "OutgoingCommit")]
    pub fn remove_user(&mut self, conv: &str, user_id: &str) -> Result<JsValue> {
        let out = self
            .inner
            .remove_user(&conversation(conv)?, &UserId::new(user_id)?)?;
        Ok(views::outgoing_commit::<Js>(&out).0)
    }

    /// Replaces this device's leaf keys (post-compromise security). Returns a
    /// commit as `addDevices` (without a welcome).
    #[wasm_bindgen(js_name = selfUpdate, unchecked_return_type = "OutgoingCommit")]
    pub fn self_update(&mut self, conv: &str) -> Result<JsValue> {
        let out = self.inner.self_update(&conversation(conv)?)?;
        Ok(views::outgoing_commit::<Js>(&out).0)
    }

    /// Merges the pending own commit (the delivery service accepted it);
    /// returns the new epoch.
    #[wasm_bindgen(js_name = mergePendingCommit)]
    pub fn merge_pending_commit(&mut self, conv: &str) -> Result<f64> {
        Ok(from_u64(
            self.inner.merge_pending_commit(&conversation(conv)?)?,
        ))
    }

    /// Drops the pending own commit (the delivery service refused it).
    #[wasm_bindgen(js_name = discardPendingCommit)]
    pub fn discard_pending_commit(&mut self, conv: &str) -> Result<()> {
        Ok(self.inner.discard_pending_commit(&conversation(conv)?)?)
    }

    /// Joins a conversation from a welcome; returns its id.
    pub fn join(&mut self, welcome: &[u8]) -> Result<String> {
        Ok(self.inner.join(welcome)?.to_hex())
    }

    /// Forgets a conversation and deletes its keys.
    #[wasm_bindgen(js_name = forgetConversation)]
    pub fn forget_conversation(&mut self, conv: &str) -> Result<()> {
        Ok(self.inner.forget_conversation(&conversation(conv)?)?)
    }

    /// Encrypts a text message; returns the MLS message to post.
    #[wasm_bindgen(js_name = encryptText)]
    pub fn encrypt_text(&mut self, conv: &str, text: &str) -> Result<Vec<u8>> {
        Ok(self
            .inner
            .encrypt(&conversation(conv)?, &alcove_crypto::Payload::text(text))?)
    }

    /// Encrypts a payload object (`{ kind: "text", text }`, `{ kind:
    /// "attachment", ... }`, ...; see `Payload`); returns the MLS message.
    pub fn encrypt(
        &mut self,
        conv: &str,
        #[wasm_bindgen(unchecked_param_type = "Payload")] payload: JsValue,
    ) -> Result<Vec<u8>> {
        let payload = views::payload_from(&Js(payload))?;
        Ok(self.inner.encrypt(&conversation(conv)?, &payload)?)
    }

    /// Processes one message the delivery service delivered; returns what it
    /// was (see `Incoming`). Rejections throw with a `code` (`tampered`,
    /// `replayed`, `stale_epoch`, `future_epoch`, `malformed`, ...) and leave
    /// the conversation unchanged.
    #[wasm_bindgen(unchecked_return_type = "Incoming")]
    pub fn process(&mut self, conv: &str, message: &[u8]) -> Result<JsValue> {
        let incoming = self.inner.process(&conversation(conv)?, message)?;
        Ok(views::incoming::<Js>(&incoming).0)
    }

    /// The safety number between this device's user and `peerUserId` over
    /// both people's devices in the conversation: `{ digits, display, qr }`.
    #[wasm_bindgen(js_name = safetyNumber, unchecked_return_type = "SafetyNumber")]
    pub fn safety_number(&self, conv: &str, peer_user_id: &str) -> Result<JsValue> {
        let sn = self.safety_number_plain(conv, peer_user_id)?;
        Ok(views::safety_number::<Js>(&sn).0)
    }
}

/// 32 random bytes from the platform's generator: a key for `exportState`.
#[wasm_bindgen(js_name = generateStateKey)]
pub fn generate_state_key() -> Vec<u8> {
    StateKey::generate().as_bytes().to_vec()
}

/// What a key package says about itself, without any key: `{ userId, deviceId, signatureKey,
/// lastResort }`. Check it against the device's logged registration before adding it.
#[wasm_bindgen(js_name = inspectKeyPackage, unchecked_return_type = "KeyPackageInfo")]
pub fn inspect_key_package(bytes: &[u8]) -> Result<JsValue> {
    let info = alcove_crypto::inspect_key_package(bytes)?;
    Ok(views::key_package_info::<Js>(&info).0)
}
