//! A device: its identity and signature key, its key packages, and its MLS
//! conversations.

use std::collections::BTreeMap;

use openmls::framing::errors::MessageDecryptionError;
use openmls::prelude::tls_codec::{Deserialize as _, Serialize as _};
use openmls::prelude::{
    BasicCredential, Capabilities, Ciphersuite, CredentialWithKey, ExtensionType, GroupId,
    KeyPackage, KeyPackageIn, KeyPackageRef, LeafNodeIndex, LeafNodeParameters, MlsGroup,
    MlsGroupCreateConfig, MlsGroupJoinConfig, MlsMessageBodyIn, MlsMessageIn, MlsMessageOut,
    ProcessMessageError, ProcessedMessageContent, ProtocolMessage, ProtocolVersion,
    SenderRatchetConfiguration, StagedWelcome, ValidationError, WelcomeError,
};
use openmls_basic_credential::SignatureKeyPair;
use openmls_rust_crypto::{MemoryStorage, RustCrypto};
use openmls_traits::storage::StorageProvider as _;
use openmls_traits::types::SignatureScheme;
use openmls_traits::OpenMlsProvider;

use crate::conversation::{ConversationId, ConversationKind, Incoming, OutgoingCommit};
use crate::error::{err, ErrorKind, Result};
use crate::identity::{DeviceIdentity, MemberDevice};
use crate::payload::Payload;
use crate::safety::DeviceKey;

/// The one ciphersuite Alcove uses.
pub const CIPHERSUITE: Ciphersuite =
    Ciphersuite::MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519;

/// Epochs whose secrets are kept to decrypt application messages that the
/// delivery service ordered after a commit (sent concurrently with it).
const MAX_PAST_EPOCHS: usize = 3;
/// Application messages are padded to a multiple of this many bytes.
const PADDING: usize = 64;
/// How far out of order messages of one sender may arrive.
const OUT_OF_ORDER_TOLERANCE: u32 = 16;
/// How many messages of one sender may be skipped.
const MAX_FORWARD_DISTANCE: u32 = 1000;

/// The OpenMLS provider of a device: RustCrypto plus in-memory storage that
/// [`Device::export_state`] serialises.
#[derive(Default)]
pub(crate) struct Provider {
    crypto: RustCrypto,
    pub(crate) storage: MemoryStorage,
}

impl OpenMlsProvider for Provider {
    type CryptoProvider = RustCrypto;
    type RandProvider = RustCrypto;
    type StorageProvider = MemoryStorage;

    fn storage(&self) -> &Self::StorageProvider {
        &self.storage
    }
    fn crypto(&self) -> &Self::CryptoProvider {
        &self.crypto
    }
    fn rand(&self) -> &Self::RandProvider {
        &self.crypto
    }
}

fn sender_ratchet() -> SenderRatchetConfiguration {
    SenderRatchetConfiguration::new(OUT_OF_ORDER_TOLERANCE, MAX_FORWARD_DISTANCE)
}

fn join_config() -> MlsGroupJoinConfig {
    MlsGroupJoinConfig::builder()
        .use_ratchet_tree_extension(true)
        .max_past_epochs(MAX_PAST_EPOCHS)
        .padding_size(PADDING)
        .sender_ratchet_configuration(sender_ratchet())
        .build()
}

/// Leaf capabilities: the defaults plus the `last_resort` key package
/// extension, which a key package may only carry when its leaf lists it.
fn capabilities() -> Capabilities {
    Capabilities::new(None, None, Some(&[ExtensionType::LastResort]), None, None)
}

fn create_config() -> MlsGroupCreateConfig {
    MlsGroupCreateConfig::builder()
        .ciphersuite(CIPHERSUITE)
        .capabilities(capabilities())
        .use_ratchet_tree_extension(true)
        .max_past_epochs(MAX_PAST_EPOCHS)
        .padding_size(PADDING)
        .sender_ratchet_configuration(sender_ratchet())
        .build()
}

fn serialize_out(msg: &MlsMessageOut) -> Result<Vec<u8>> {
    msg.tls_serialize_detached()
        .map_err(|_| err(ErrorKind::Internal, "serialize MLS message"))
}

/// One device of one user: an Ed25519 signature key, an MLS credential naming
/// the user and the device, key packages, and the conversations it is in.
///
/// All state lives in memory; [`Device::export_state`] and
/// [`Device::restore_state`] (or [`Device::save`] and [`Device::load`] with a
/// [`crate::StateStore`]) persist it encrypted under a [`crate::StateKey`].
/// Persist after every operation that changes state (creating key packages,
/// any commit, merge, join and processing of messages), or MLS forward
/// secrecy and ratchets go out of step.
pub struct Device {
    pub(crate) identity: DeviceIdentity,
    pub(crate) signer: SignatureKeyPair,
    pub(crate) provider: Provider,
    pub(crate) groups: BTreeMap<ConversationId, MlsGroup>,
    /// Serialised own commits not yet merged, per conversation.
    pub(crate) pending: BTreeMap<ConversationId, Vec<u8>>,
    /// Hash references of published, possibly unused key packages.
    pub(crate) key_packages: Vec<Vec<u8>>,
    /// Hash reference of the current last-resort key package.
    pub(crate) last_resort: Option<Vec<u8>>,
}

impl Device {
    /// A new device with a fresh Ed25519 signature key.
    pub fn new(identity: DeviceIdentity) -> Result<Self> {
        let signer = SignatureKeyPair::new(SignatureScheme::ED25519)
            .map_err(|_| err(ErrorKind::Internal, "generate signature key"))?;
        let provider = Provider::default();
        // The key pair also lives in the OpenMLS storage, which is what
        // `export_state` persists.
        signer
            .store(&provider.storage)
            .map_err(|_| err(ErrorKind::Storage, "store signature key"))?;
        Ok(Device {
            identity,
            signer,
            provider,
            groups: BTreeMap::new(),
            pending: BTreeMap::new(),
            key_packages: Vec::new(),
            last_resort: None,
        })
    }

    /// Whose device this is.
    pub fn identity(&self) -> &DeviceIdentity {
        &self.identity
    }

    /// The device's Ed25519 signature public key (32 bytes): what the server
    /// lists for the device and what safety numbers are computed over.
    pub fn signature_public_key(&self) -> &[u8] {
        self.signer.public()
    }

    /// This device's entry for a safety number.
    pub fn device_key(&self) -> DeviceKey {
        DeviceKey {
            device: self.identity.device.clone(),
            signature_key: self.signer.to_public_vec(),
        }
    }

    fn credential_with_key(&self) -> CredentialWithKey {
        CredentialWithKey {
            credential: BasicCredential::new(self.identity.to_credential_bytes()).into(),
            signature_key: self.signer.to_public_vec().into(),
        }
    }

    // ----- key packages -------------------------------------------------

    fn build_key_package(&mut self, last_resort: bool) -> Result<(Vec<u8>, Vec<u8>)> {
        let mut builder = KeyPackage::builder().leaf_node_capabilities(capabilities());
        if last_resort {
            builder = builder.mark_as_last_resort();
        }
        let bundle = builder
            .build(
                CIPHERSUITE,
                &self.provider,
                &self.signer,
                self.credential_with_key(),
            )
            .map_err(|_| err(ErrorKind::Internal, "build key package"))?;
        let kp = bundle.key_package();
        let hash_ref = kp
            .hash_ref(self.provider.crypto())
            .map_err(|_| err(ErrorKind::Internal, "key package hash"))?;
        let bytes = kp
            .tls_serialize_detached()
            .map_err(|_| err(ErrorKind::Internal, "serialize key package"))?;
        let hash_ref = hash_ref
            .tls_serialize_detached()
            .map_err(|_| err(ErrorKind::Internal, "serialize key package ref"))?;
        Ok((bytes, hash_ref))
    }

    /// One fresh key package (serialised `KeyPackage`) to upload. Its private
    /// part stays in this device's state until a welcome uses it.
    pub fn key_package(&mut self) -> Result<Vec<u8>> {
        let (bytes, hash_ref) = self.build_key_package(false)?;
        self.key_packages.push(hash_ref);
        Ok(bytes)
    }

    /// `count` fresh key packages to upload as a batch.
    pub fn key_packages(&mut self, count: usize) -> Result<Vec<Vec<u8>>> {
        (0..count).map(|_| self.key_package()).collect()
    }

    /// A fresh last-resort key package (RFC 9420 `last_resort` extension):
    /// the server hands it out when the regular ones are used up, and it may
    /// be used more than once. It replaces the previous last-resort one.
    pub fn last_resort_key_package(&mut self) -> Result<Vec<u8>> {
        let (bytes, hash_ref) = self.build_key_package(true)?;
        if let Some(old) = self.last_resort.replace(hash_ref) {
            self.delete_key_package(&old)?;
        }
        Ok(bytes)
    }

    /// `hash_ref` is the TLS encoding of a `KeyPackageRef`.
    fn delete_key_package(&self, hash_ref: &[u8]) -> Result<()> {
        let hash_ref = KeyPackageRef::tls_deserialize_exact(hash_ref)
            .map_err(|_| err(ErrorKind::Storage, "key package ref"))?;
        self.provider
            .storage
            .delete_key_package(&hash_ref)
            .map_err(|_| err(ErrorKind::Storage, "delete key package"))
    }

    /// Rotation: forgets the private parts of every key package generated so
    /// far (used ones are already gone) and returns `count` new ones plus a
    /// new last-resort one. Replace this device's key packages on the server
    /// with these; a welcome made from an old one will no longer be accepted.
    pub fn rotate_key_packages(&mut self, count: usize) -> Result<KeyPackageBatch> {
        for old in std::mem::take(&mut self.key_packages) {
            self.delete_key_package(&old)?;
        }
        let regular = self.key_packages(count)?;
        let last_resort = self.last_resort_key_package()?;
        Ok(KeyPackageBatch {
            regular,
            last_resort,
        })
    }

    // ----- conversations ------------------------------------------------

    /// Creates a conversation with this device as its only member (epoch 0).
    /// Add the other devices with [`Device::add_devices`].
    pub fn create_conversation(&mut self, kind: ConversationKind) -> Result<ConversationId> {
        let id = ConversationId::generate(kind);
        let group = MlsGroup::new_with_group_id(
            &self.provider,
            &self.signer,
            &create_config(),
            GroupId::from_slice(id.as_bytes()),
            self.credential_with_key(),
        )
        .map_err(|_| err(ErrorKind::Internal, "create group"))?;
        self.groups.insert(id.clone(), group);
        Ok(id)
    }

    /// The conversations this device knows (including ones it was removed
    /// from, until [`Device::forget_conversation`]).
    pub fn conversations(&self) -> Vec<ConversationId> {
        self.groups.keys().cloned().collect()
    }

    fn group(&self, conv: &ConversationId) -> Result<&MlsGroup> {
        self.groups
            .get(conv)
            .ok_or_else(|| err(ErrorKind::UnknownConversation, "conversation"))
    }

    /// The conversation's current epoch.
    pub fn epoch(&self, conv: &ConversationId) -> Result<u64> {
        Ok(self.group(conv)?.epoch().as_u64())
    }

    /// Whether this device is still a member of the conversation.
    pub fn is_member(&self, conv: &ConversationId) -> bool {
        self.groups.get(conv).is_some_and(|g| g.is_active())
    }

    /// Whether an own commit awaits the delivery service's answer.
    pub fn has_pending_commit(&self, conv: &ConversationId) -> bool {
        self.groups
            .get(conv)
            .is_some_and(|g| g.pending_commit().is_some())
    }

    /// The epoch authenticator (RFC 9420 §8.7): equal on all members in the
    /// same epoch; comparing it out of band detects a forked group.
    pub fn epoch_authenticator(&self, conv: &ConversationId) -> Result<Vec<u8>> {
        Ok(self.group(conv)?.epoch_authenticator().as_slice().to_vec())
    }

    /// Every member device of the conversation, in leaf order.
    pub fn members(&self, conv: &ConversationId) -> Result<Vec<MemberDevice>> {
        Ok(self
            .group(conv)?
            .members()
            .filter_map(|m| {
                Some(MemberDevice {
                    identity: DeviceIdentity::from_credential(&m.credential).ok()?,
                    signature_key: m.signature_key,
                })
            })
            .collect())
    }

    fn parse_key_package(&self, bytes: &[u8]) -> Result<(KeyPackage, DeviceIdentity)> {
        let kp_in = KeyPackageIn::tls_deserialize_exact(bytes)
            .map_err(|_| err(ErrorKind::Malformed, "key package"))?;
        let kp = kp_in
            .validate(self.provider.crypto(), ProtocolVersion::Mls10)
            .map_err(|_| err(ErrorKind::Tampered, "key package validation"))?;
        if kp.ciphersuite() != CIPHERSUITE {
            return Err(err(ErrorKind::InvalidInput, "key package ciphersuite"));
        }
        let identity = DeviceIdentity::from_credential(kp.leaf_node().credential())?;
        Ok((kp, identity))
    }

    /// Adds devices (of new or existing members) from their key packages.
    /// Returns the commit to post and the welcome for the new devices.
    pub fn add_devices(
        &mut self,
        conv: &ConversationId,
        key_packages: &[Vec<u8>],
    ) -> Result<OutgoingCommit> {
        if key_packages.is_empty() {
            return Err(err(ErrorKind::InvalidInput, "no key packages"));
        }
        let mut kps = Vec::with_capacity(key_packages.len());
        let mut new_ids = Vec::with_capacity(key_packages.len());
        for bytes in key_packages {
            let (kp, id) = self.parse_key_package(bytes)?;
            if new_ids.contains(&id) {
                return Err(err(ErrorKind::InvalidInput, "device added twice"));
            }
            new_ids.push(id);
            kps.push(kp);
        }
        let existing = self.members(conv)?;
        if existing.iter().any(|m| new_ids.contains(&m.identity)) {
            return Err(err(ErrorKind::InvalidInput, "device already a member"));
        }
        let (provider, signer) = (&self.provider, &self.signer);
        let group = self
            .groups
            .get_mut(conv)
            .ok_or_else(|| err(ErrorKind::UnknownConversation, "conversation"))?;
        check_can_commit(group)?;
        let epoch = group.epoch().as_u64();
        let (commit, welcome, _group_info) = group
            .add_members(provider, signer, &kps)
            .map_err(|_| err(ErrorKind::InvalidInput, "add members"))?;
        let message = serialize_out(&commit)?;
        let welcome = Some(serialize_out(&welcome)?);
        self.pending.insert(conv.clone(), message.clone());
        Ok(OutgoingCommit {
            message,
            welcome,
            epoch,
        })
    }

    /// Removes devices from the conversation (to remove a person, pass all
    /// their devices; see [`Device::remove_user`]).
    pub fn remove_devices(
        &mut self,
        conv: &ConversationId,
        devices: &[DeviceIdentity],
    ) -> Result<OutgoingCommit> {
        if devices.is_empty() {
            return Err(err(ErrorKind::InvalidInput, "no devices to remove"));
        }
        if devices.contains(&self.identity) {
            return Err(err(ErrorKind::InvalidInput, "cannot remove own device"));
        }
        let group = self.group(conv)?;
        let mut leaves: Vec<LeafNodeIndex> = Vec::with_capacity(devices.len());
        for device in devices {
            let leaf = group
                .members()
                .find(|m| {
                    DeviceIdentity::from_credential(&m.credential).ok().as_ref() == Some(device)
                })
                .map(|m| m.index)
                .ok_or_else(|| err(ErrorKind::InvalidInput, "device is not a member"))?;
            if !leaves.contains(&leaf) {
                leaves.push(leaf);
            }
        }
        let (provider, signer) = (&self.provider, &self.signer);
        let group = self
            .groups
            .get_mut(conv)
            .ok_or_else(|| err(ErrorKind::UnknownConversation, "conversation"))?;
        check_can_commit(group)?;
        let epoch = group.epoch().as_u64();
        let (commit, welcome, _group_info) = group
            .remove_members(provider, signer, &leaves)
            .map_err(|_| err(ErrorKind::InvalidInput, "remove members"))?;
        let message = serialize_out(&commit)?;
        let welcome = welcome.as_ref().map(serialize_out).transpose()?;
        self.pending.insert(conv.clone(), message.clone());
        Ok(OutgoingCommit {
            message,
            welcome,
            epoch,
        })
    }

    /// Removes every device of `user` from the conversation.
    pub fn remove_user(
        &mut self,
        conv: &ConversationId,
        user: &crate::UserId,
    ) -> Result<OutgoingCommit> {
        let devices: Vec<DeviceIdentity> = self
            .members(conv)?
            .into_iter()
            .map(|m| m.identity)
            .filter(|id| &id.user == user)
            .collect();
        self.remove_devices(conv, &devices)
    }

    /// Replaces this device's leaf keys (post-compromise security): after the
    /// commit is merged, a past compromise of this device's group secrets no
    /// longer reveals new messages.
    pub fn self_update(&mut self, conv: &ConversationId) -> Result<OutgoingCommit> {
        let (provider, signer) = (&self.provider, &self.signer);
        let group = self
            .groups
            .get_mut(conv)
            .ok_or_else(|| err(ErrorKind::UnknownConversation, "conversation"))?;
        check_can_commit(group)?;
        let epoch = group.epoch().as_u64();
        let bundle = group
            .self_update(provider, signer, LeafNodeParameters::default())
            .map_err(|_| err(ErrorKind::Internal, "self update"))?;
        let message = serialize_out(bundle.commit())?;
        self.pending.insert(conv.clone(), message.clone());
        Ok(OutgoingCommit {
            message,
            welcome: None,
            epoch,
        })
    }

    /// Merges the pending own commit after the delivery service accepted it.
    /// Returns the new epoch.
    pub fn merge_pending_commit(&mut self, conv: &ConversationId) -> Result<u64> {
        let group = self
            .groups
            .get_mut(conv)
            .ok_or_else(|| err(ErrorKind::UnknownConversation, "conversation"))?;
        if group.pending_commit().is_none() {
            return Err(err(ErrorKind::InvalidInput, "no pending commit"));
        }
        group
            .merge_pending_commit(&self.provider)
            .map_err(|_| err(ErrorKind::Storage, "merge pending commit"))?;
        self.pending.remove(conv);
        Ok(group.epoch().as_u64())
    }

    /// Drops the pending own commit after the delivery service refused it.
    pub fn discard_pending_commit(&mut self, conv: &ConversationId) -> Result<()> {
        let group = self
            .groups
            .get_mut(conv)
            .ok_or_else(|| err(ErrorKind::UnknownConversation, "conversation"))?;
        group
            .clear_pending_commit(self.provider.storage())
            .map_err(|_| err(ErrorKind::Storage, "discard pending commit"))?;
        self.pending.remove(conv);
        Ok(())
    }

    /// Encrypts a payload for the conversation. Returns the MLS message bytes
    /// to post to the delivery service.
    pub fn encrypt(&mut self, conv: &ConversationId, payload: &Payload) -> Result<Vec<u8>> {
        let plaintext = zeroize::Zeroizing::new(payload.encode());
        let (provider, signer) = (&self.provider, &self.signer);
        let group = self
            .groups
            .get_mut(conv)
            .ok_or_else(|| err(ErrorKind::UnknownConversation, "conversation"))?;
        if !group.is_active() {
            return Err(err(ErrorKind::NotAMember, "encrypt"));
        }
        if group.pending_commit().is_some() {
            return Err(err(ErrorKind::PendingCommit, "encrypt"));
        }
        let msg = group
            .create_message(provider, signer, &plaintext)
            .map_err(|_| err(ErrorKind::Internal, "encrypt"))?;
        serialize_out(&msg)
    }

    /// Joins a conversation from a welcome addressed to one of this device's
    /// key packages.
    pub fn join(&mut self, welcome: &[u8]) -> Result<ConversationId> {
        let msg = MlsMessageIn::tls_deserialize_exact(welcome)
            .map_err(|_| err(ErrorKind::Malformed, "welcome"))?;
        let welcome = match msg.extract() {
            MlsMessageBodyIn::Welcome(w) => w,
            _ => return Err(err(ErrorKind::Malformed, "not a welcome")),
        };
        let staged = StagedWelcome::new_from_welcome(&self.provider, &join_config(), welcome, None)
            .map_err(|e| match e {
                WelcomeError::NoMatchingKeyPackage | WelcomeError::NoMatchingEncryptionKey => err(
                    ErrorKind::NotAMember,
                    "welcome not addressed to this device",
                ),
                _ => err(ErrorKind::Tampered, "welcome"),
            })?;
        let id = ConversationId::from_bytes(staged.group_context().group_id().as_slice())?;
        if staged.group_context().ciphersuite() != CIPHERSUITE {
            return Err(err(ErrorKind::InvalidInput, "welcome ciphersuite"));
        }
        if staged
            .members()
            .any(|m| DeviceIdentity::from_credential(&m.credential).is_err())
        {
            return Err(err(ErrorKind::Tampered, "welcome member credential"));
        }
        if self.groups.get(&id).is_some_and(|g| g.is_active()) {
            return Err(err(ErrorKind::InvalidInput, "already a member"));
        }
        let group = staged
            .into_group(&self.provider)
            .map_err(|_| err(ErrorKind::Storage, "join"))?;
        self.pending.remove(&id);
        self.groups.insert(id.clone(), group);
        Ok(id)
    }

    /// Forgets a conversation and deletes its MLS state.
    pub fn forget_conversation(&mut self, conv: &ConversationId) -> Result<()> {
        if let Some(mut group) = self.groups.remove(conv) {
            group
                .delete(self.provider.storage())
                .map_err(|_| err(ErrorKind::Storage, "delete group"))?;
        }
        self.pending.remove(conv);
        Ok(())
    }

    /// Processes one message the delivery service delivered for `conv`.
    ///
    /// Errors: [`ErrorKind::StaleEpoch`] (a commit that lost, or a message
    /// too old), [`ErrorKind::FutureEpoch`] (fetch missing messages first),
    /// [`ErrorKind::Tampered`], [`ErrorKind::Replayed`],
    /// [`ErrorKind::Malformed`], [`ErrorKind::NotAMember`] (this device was
    /// removed), [`ErrorKind::UnknownConversation`]. A failed message leaves
    /// the conversation's state unchanged.
    pub fn process(&mut self, conv: &ConversationId, bytes: &[u8]) -> Result<Incoming> {
        let msg = MlsMessageIn::tls_deserialize_exact(bytes)
            .map_err(|_| err(ErrorKind::Malformed, "MLS message"))?;
        let proto: ProtocolMessage = msg
            .try_into_protocol_message()
            .map_err(|_| err(ErrorKind::Malformed, "not a protocol message"))?;
        if proto.group_id().as_slice() != conv.as_bytes() {
            return Err(err(ErrorKind::Tampered, "message of another conversation"));
        }
        if self
            .pending
            .get(conv)
            .is_some_and(|p| p.as_slice() == bytes)
        {
            let epoch = self.merge_pending_commit(conv)?;
            return Ok(Incoming::OwnCommitMerged { epoch });
        }
        let provider = &self.provider;
        let group = self
            .groups
            .get_mut(conv)
            .ok_or_else(|| err(ErrorKind::UnknownConversation, "conversation"))?;
        if !group.is_active() {
            return Err(err(ErrorKind::NotAMember, "process"));
        }
        let msg_epoch = proto.epoch().as_u64();
        let current = group.epoch().as_u64();
        if msg_epoch > current {
            return Err(err(ErrorKind::FutureEpoch, "process"));
        }
        let processed = group
            .process_message(provider, proto)
            .map_err(|e| map_process_error(e, msg_epoch, current))?;
        let sender_credential = processed.credential().clone();
        let epoch = processed.epoch().as_u64();
        match processed.into_content() {
            ProcessedMessageContent::ApplicationMessage(app) => {
                let sender = DeviceIdentity::from_credential(&sender_credential)
                    .map_err(|_| err(ErrorKind::Tampered, "sender credential"))?;
                // A message from an earlier epoch (kept for messages ordered
                // after a concurrent commit) is refused when its sender has
                // been removed since: a removed, perhaps stolen, device must
                // not keep talking through the old epoch's keys.
                if epoch < current && !group.members().any(|m| m.credential == sender_credential) {
                    return Err(err(ErrorKind::StaleEpoch, "sender removed since"));
                }
                let bytes = zeroize::Zeroizing::new(app.into_bytes());
                let payload = Payload::decode(&bytes)?;
                Ok(Incoming::Application {
                    payload,
                    sender,
                    epoch,
                })
            }
            ProcessedMessageContent::StagedCommitMessage(staged) => {
                let sender = DeviceIdentity::from_credential(&sender_credential)
                    .map_err(|_| err(ErrorKind::Tampered, "sender credential"))?;
                let mut added = Vec::new();
                for add in staged.add_proposals() {
                    let cred = add.add_proposal().key_package().leaf_node().credential();
                    added.push(
                        DeviceIdentity::from_credential(cred)
                            .map_err(|_| err(ErrorKind::Tampered, "added credential"))?,
                    );
                }
                let mut removed = Vec::new();
                for rem in staged.remove_proposals() {
                    let leaf = rem.remove_proposal().removed();
                    if let Some(id) = group
                        .member(leaf)
                        .and_then(|c| DeviceIdentity::from_credential(c).ok())
                    {
                        removed.push(id);
                    }
                }
                let removed_self = staged.self_removed();
                let discarded_own_commit = group.pending_commit().is_some();
                group
                    .merge_staged_commit(provider, *staged)
                    .map_err(|_| err(ErrorKind::Storage, "merge commit"))?;
                let epoch = group.epoch().as_u64();
                self.pending.remove(conv);
                Ok(Incoming::Commit {
                    epoch,
                    sender,
                    added,
                    removed,
                    removed_self,
                    discarded_own_commit,
                })
            }
            ProcessedMessageContent::OwnPrivateMessage => Ok(Incoming::OwnMessage),
            _ => Ok(Incoming::IgnoredProposal),
        }
    }
}

fn check_can_commit(group: &MlsGroup) -> Result<()> {
    if !group.is_active() {
        return Err(err(ErrorKind::NotAMember, "commit"));
    }
    if group.pending_commit().is_some() {
        return Err(err(ErrorKind::PendingCommit, "commit"));
    }
    Ok(())
}

fn map_process_error<E>(e: ProcessMessageError<E>, msg_epoch: u64, current: u64) -> crate::Error {
    use openmls::prelude::MlsGroupStateError as S;
    const CTX: &str = "process";
    let epoch_kind = if msg_epoch < current {
        ErrorKind::StaleEpoch
    } else if msg_epoch > current {
        ErrorKind::FutureEpoch
    } else {
        ErrorKind::Tampered
    };
    let kind = match e {
        ProcessMessageError::ValidationError(v) => match v {
            ValidationError::WrongEpoch | ValidationError::NoPastEpochData => epoch_kind,
            // The sender data is authenticated before the secret tree is
            // consulted, so only a member's message reaches a secret-tree
            // error; in practice that is a replay (the generation's key was
            // deleted after first use, or is older than the out-of-order
            // window). OpenMLS does not export the inner error type.
            ValidationError::UnableToDecrypt(MessageDecryptionError::SecretTreeError(_)) => {
                ErrorKind::Replayed
            }
            ValidationError::UnableToDecrypt(_) => ErrorKind::Tampered,
            _ => ErrorKind::Tampered,
        },
        ProcessMessageError::GroupStateError(S::UseAfterEviction) => ErrorKind::NotAMember,
        ProcessMessageError::StorageError(_) => ErrorKind::Storage,
        _ => ErrorKind::Tampered,
    };
    err(kind, CTX)
}

/// Key packages to upload after [`Device::rotate_key_packages`].
#[derive(Clone, Debug)]
pub struct KeyPackageBatch {
    /// Regular key packages, each to be used once.
    pub regular: Vec<Vec<u8>>,
    /// The last-resort key package.
    pub last_resort: Vec<u8>,
}
