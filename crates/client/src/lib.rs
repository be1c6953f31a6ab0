//! A native Alcove client: everything a device does, outside a browser.
//!
//! An [`Account`] is a signed-in session on a server, obtained by redeeming an invitation or
//! signing in with a passkey ([`Authenticator`]; [`alcove_testkit::SoftAuthenticator`] is a
//! software one). A [`Client`] is one device of that account: it holds the device's MLS state
//! ([`alcove_crypto::Device`]), registers its signature key, publishes key packages, creates
//! conversations, sends and receives end-to-end encrypted messages and attachments, and keeps a
//! cursor per conversation. Live delivery rides on the WebSocket ([`Client::connect`]); without
//! it, [`Client::sync`] fetches what is waiting.
//!
//! Before a client adds another device to a conversation it checks that device's key against
//! the server's key-transparency log ([`Client::verify_device`]): the registration must be a
//! leaf of the signed log and the log must be consistent with the last checkpoint this client
//! saw. A failure is a hard error ([`ErrorKind::Transparency`]).
//!
//! The server sees only ciphertext. This crate never logs anything.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
mod http;
mod transparency;

pub use error::{Error, ErrorKind, Result};
pub use http::{Account, Authenticator};

use alcove_crypto::{
    AttachmentRef, ConversationKind, Device, DeviceIdentity, Incoming, Payload, PayloadKind,
};
use alcove_types::delivery::{
    ClaimedKeyPackages, ClientFrame, Conversation, ConversationList, DeliveredMessage,
    Device as DeviceView, DeviceList, MessageKind, MessagePage, PostMessageRequest, PostedMessage,
    ServerFrame, WelcomeList,
};
use alcove_types::{BlobId, ConversationId, DeviceId, ErrorCode, UserId};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite;

/// One-time key packages a new device publishes.
pub const INITIAL_KEY_PACKAGES: usize = 20;
/// How often a commit is rebased after losing the race for its epoch before giving up.
const MAX_REBASES: usize = 8;
/// How long a send over the WebSocket waits for the server's answer.
const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Something that happened in one of the device's conversations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The device was added to a conversation.
    Joined {
        /// The conversation.
        conversation: ConversationId,
    },
    /// A message from another device.
    Message {
        /// The conversation.
        conversation: ConversationId,
        /// Its sequence number.
        seq: u64,
        /// The sending device, as MLS authenticated it.
        sender: DeviceIdentity,
        /// What it says.
        payload: Payload,
    },
    /// Devices were added to or removed from a conversation.
    Membership {
        /// The conversation.
        conversation: ConversationId,
        /// Added devices.
        added: Vec<DeviceIdentity>,
        /// Removed devices.
        removed: Vec<DeviceIdentity>,
        /// Whether this device was removed.
        removed_self: bool,
    },
    /// A device of someone this person shares a conversation with (or their own) was added or
    /// removed: show it, and re-verify safety numbers.
    DeviceChanged {
        /// Whose.
        user: UserId,
        /// Which.
        device: DeviceId,
        /// Whether it was removed.
        removed: bool,
    },
}

type Waiters = Arc<Mutex<HashMap<u64, oneshot::Sender<ServerFrame>>>>;

struct Live {
    outgoing: mpsc::UnboundedSender<String>,
    incoming: mpsc::UnboundedReceiver<ServerFrame>,
    waiters: Waiters,
}

/// One device of an [`Account`].
pub struct Client {
    account: Account,
    device: Device,
    device_id: DeviceId,
    cursors: HashMap<ConversationId, u64>,
    live: Option<Live>,
    next_ref: u64,
    checkpoint: transparency::Memory,
}

fn crypto_ids(user: &UserId, device: &DeviceId) -> Result<DeviceIdentity> {
    Ok(DeviceIdentity::new(
        alcove_crypto::UserId::new(user.as_str())?,
        alcove_crypto::DeviceId::new(device.as_str())?,
    ))
}

fn conv_bytes(id: &ConversationId) -> Result<alcove_crypto::ConversationId> {
    Ok(alcove_crypto::ConversationId::from_hex(id.as_str())?)
}

fn conv_id(id: &alcove_crypto::ConversationId) -> Result<ConversationId> {
    ConversationId::parse(&id.to_hex())
        .ok_or_else(|| Error::new(ErrorKind::Protocol, "conversation id"))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(s: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| Error::new(ErrorKind::Protocol, "base64 from server"))
}

impl Client {
    /// Makes this process a new device of `account`: creates its MLS identity, registers its
    /// signature key (a key-transparency leaf) and publishes key packages.
    pub async fn register(account: Account, label: &str) -> Result<Client> {
        Self::register_with(account, label, INITIAL_KEY_PACKAGES).await
    }

    /// Like [`Client::register`], publishing `key_packages` one-time key packages (plus the
    /// last-resort one).
    pub async fn register_with(
        account: Account,
        label: &str,
        key_packages: usize,
    ) -> Result<Client> {
        let device_id = DeviceId::from_random(rand::random());
        let mut device = Device::new(crypto_ids(&account.user_id, &device_id)?)?;
        let registered: DeviceView = account
            .call(
                reqwest::Method::POST,
                "/api/v1/devices",
                Some(json!({
                    "id": device_id,
                    "signature_key": b64(device.signature_public_key()),
                    "label": label,
                })),
                None,
            )
            .await?;
        if registered.id != device_id {
            return Err(Error::new(ErrorKind::Protocol, "device id"));
        }
        let mut packages: Vec<String> = device
            .key_packages(key_packages)?
            .iter()
            .map(|k| b64(k))
            .collect();
        packages.push(b64(&device.last_resort_key_package()?));
        let _: serde_json::Value = account
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/devices/{device_id}/key-packages"),
                Some(json!({ "key_packages": packages })),
                None,
            )
            .await?;
        Ok(Client {
            account,
            device,
            device_id,
            cursors: HashMap::new(),
            live: None,
            next_ref: 1,
            checkpoint: transparency::Memory::default(),
        })
    }

    /// This device's id.
    pub fn device_id(&self) -> &DeviceId {
        &self.device_id
    }

    /// The account.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The MLS device (for safety numbers and member lists).
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The last sequence number processed in a conversation.
    pub fn cursor(&self, conversation: &ConversationId) -> u64 {
        self.cursors.get(conversation).copied().unwrap_or(0)
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T> {
        self.account
            .call(method, path, body, Some(&self.device_id))
            .await
    }

    /// Devices of a person this one may reach, removed ones included.
    pub async fn devices_of(&self, user: &UserId) -> Result<Vec<DeviceView>> {
        let list: DeviceList = self
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/users/{user}/devices"),
                None,
            )
            .await?;
        Ok(list.devices)
    }

    /// Checks a device's registration against the key-transparency log: its `DeviceAdded` leaf
    /// must be included in a checkpoint signed by the server's log key, name the device and
    /// the fingerprint of `signature_key`, and that checkpoint must be consistent with the
    /// last one this client saw.
    pub async fn verify_device(&mut self, device: &DeviceView, signature_key: &[u8]) -> Result<()> {
        transparency::verify_device(&self.account, &mut self.checkpoint, device, signature_key)
            .await
    }

    /// Checks that the server's log is consistent with the last checkpoint this client saw
    /// (done on every [`Client::connect`]).
    pub async fn check_log_consistency(&mut self) -> Result<()> {
        transparency::refresh(&self.account, &mut self.checkpoint).await
    }

    /// Starts the conversation with `peer` (the caller's client or clinician), adding every
    /// current device of theirs and the caller's other devices, each checked against the
    /// key-transparency log first.
    pub async fn start_conversation(&mut self, peer: &UserId) -> Result<ConversationId> {
        let group = self
            .device
            .create_conversation(ConversationKind::CareRelationship)?;
        let conversation = conv_id(&group)?;
        let _: Conversation = self
            .call(
                reqwest::Method::POST,
                "/api/v1/conversations",
                Some(json!({ "conversation_id": conversation, "peer": peer })),
            )
            .await?;
        self.cursors.insert(conversation.clone(), 0);
        let users = vec![peer.clone(), self.account.user_id.clone()];
        self.add_people(&conversation, &users).await?;
        Ok(conversation)
    }

    /// Adds every device of `users` that is not yet in the conversation (after verifying each
    /// key), in one commit. Returns the number of devices added.
    pub async fn add_people(
        &mut self,
        conversation: &ConversationId,
        users: &[UserId],
    ) -> Result<usize> {
        let group = conv_bytes(conversation)?;
        let claimed: ClaimedKeyPackages = self
            .call(
                reqwest::Method::POST,
                "/api/v1/key-packages/claim",
                Some(json!({ "user_ids": users })),
            )
            .await?;
        let present: Vec<String> = self
            .device
            .members(&group)?
            .iter()
            .map(|m| m.identity.device.as_str().to_owned())
            .collect();
        let mut packages = Vec::new();
        for claimed in claimed.key_packages {
            if claimed.device_id == self.device_id
                || present.contains(&claimed.device_id.to_string())
            {
                continue;
            }
            let data = unb64(&claimed.key_package)?;
            let info = alcove_crypto::inspect_key_package(&data)?;
            if info.identity.user.as_str() != claimed.user_id.as_str()
                || info.identity.device.as_str() != claimed.device_id.as_str()
            {
                return Err(Error::new(
                    ErrorKind::Transparency,
                    "a key package names another device than the server says",
                ));
            }
            let view = self
                .devices_of(&claimed.user_id)
                .await?
                .into_iter()
                .find(|d| d.id == claimed.device_id)
                .ok_or_else(|| Error::new(ErrorKind::Transparency, "unlisted device"))?;
            self.verify_device(&view, &info.signature_key).await?;
            packages.push(data);
        }
        if packages.is_empty() {
            return Ok(0);
        }
        let count = packages.len();
        self.commit_with_rebase(
            conversation,
            |device, group| device.add_devices(group, &packages),
            Vec::new(),
        )
        .await?;
        Ok(count)
    }

    /// Removes devices from a conversation (for example a lost laptop): they can read nothing
    /// sent afterwards.
    pub async fn remove_devices(
        &mut self,
        conversation: &ConversationId,
        devices: &[DeviceId],
    ) -> Result<()> {
        let ids: Vec<DeviceIdentity> = {
            let group = conv_bytes(conversation)?;
            self.device
                .members(&group)?
                .into_iter()
                .filter(|m| {
                    devices
                        .iter()
                        .any(|d| d.as_str() == m.identity.device.as_str())
                })
                .map(|m| m.identity)
                .collect()
        };
        if ids.len() != devices.len() {
            return Err(Error::new(ErrorKind::Protocol, "device is not a member"));
        }
        self.commit_with_rebase(
            conversation,
            |device, group| device.remove_devices(group, &ids),
            devices.to_vec(),
        )
        .await
    }

    /// Updates this device's keys in a conversation (post-compromise security).
    pub async fn self_update(&mut self, conversation: &ConversationId) -> Result<()> {
        self.commit_with_rebase(
            conversation,
            |device, group| device.self_update(group),
            Vec::new(),
        )
        .await
    }

    /// Makes a commit, posts it, and merges it when accepted; when another commit of the same
    /// epoch won, discards it, catches up and makes it again.
    async fn commit_with_rebase<F>(
        &mut self,
        conversation: &ConversationId,
        make: F,
        removed_devices: Vec<DeviceId>,
    ) -> Result<()>
    where
        F: Fn(
            &mut Device,
            &alcove_crypto::ConversationId,
        ) -> alcove_crypto::Result<alcove_crypto::OutgoingCommit>,
    {
        let group = conv_bytes(conversation)?;
        for _ in 0..MAX_REBASES {
            let commit = make(&mut self.device, &group)?;
            let request = PostMessageRequest {
                message: b64(&commit.message),
                welcome: commit.welcome.as_deref().map(b64),
                removed_devices: removed_devices.clone(),
            };
            match self.post(conversation, request).await {
                Ok(posted) => {
                    self.device.merge_pending_commit(&group)?;
                    self.advance(conversation, posted.seq);
                    return Ok(());
                }
                Err(e) if e.code() == Some(ErrorCode::EpochConflict) => {
                    self.device.discard_pending_commit(&group)?;
                    self.fetch(conversation).await?;
                }
                Err(e) => {
                    self.device.discard_pending_commit(&group)?;
                    return Err(e);
                }
            }
        }
        Err(Error::new(
            ErrorKind::Protocol,
            "commit kept losing its epoch",
        ))
    }

    fn advance(&mut self, conversation: &ConversationId, seq: u64) {
        let cursor = self.cursors.entry(conversation.clone()).or_insert(0);
        if seq == *cursor + 1 {
            *cursor = seq;
        }
    }

    async fn post(
        &mut self,
        conversation: &ConversationId,
        request: PostMessageRequest,
    ) -> Result<PostedMessage> {
        if let Some(live) = &self.live {
            let ref_id = self.next_ref;
            self.next_ref += 1;
            let (tx, rx) = oneshot::channel();
            if let Ok(mut w) = live.waiters.lock() {
                w.insert(ref_id, tx);
            }
            let frame = ClientFrame::Send {
                ref_id,
                conversation_id: conversation.clone(),
                message: request.message,
                welcome: request.welcome,
                removed_devices: request.removed_devices,
            };
            let frame = serde_json::to_string(&frame)
                .map_err(|_| Error::new(ErrorKind::Protocol, "frame"))?;
            live.outgoing
                .send(frame)
                .map_err(|_| Error::new(ErrorKind::Network, "connection closed"))?;
            let answer = tokio::time::timeout(ANSWER_TIMEOUT, rx)
                .await
                .map_err(|_| Error::new(ErrorKind::Network, "no answer from the server"))?;
            return match answer {
                Ok(ServerFrame::Sent { seq, epoch, .. }) => Ok(PostedMessage { seq, epoch }),
                Ok(ServerFrame::Error { code, message, .. }) => Err(Error::api(0, &code, &message)),
                _ => Err(Error::new(ErrorKind::Network, "connection closed")),
            };
        }
        self.call(
            reqwest::Method::POST,
            &format!("/api/v1/conversations/{conversation}/messages"),
            Some(
                serde_json::to_value(&request)
                    .map_err(|_| Error::new(ErrorKind::Protocol, "request"))?,
            ),
        )
        .await
    }

    /// Sends a payload; returns its sequence number.
    pub async fn send(&mut self, conversation: &ConversationId, payload: &Payload) -> Result<u64> {
        let group = conv_bytes(conversation)?;
        let message = self.device.encrypt(&group, payload)?;
        let posted = self
            .post(
                conversation,
                PostMessageRequest {
                    message: b64(&message),
                    welcome: None,
                    removed_devices: Vec::new(),
                },
            )
            .await?;
        self.advance(conversation, posted.seq);
        Ok(posted.seq)
    }

    /// Sends a text message; returns its sequence number.
    pub async fn send_text(&mut self, conversation: &ConversationId, text: &str) -> Result<u64> {
        self.send(conversation, &Payload::text(text)).await
    }

    /// Encrypts an attachment on this device, uploads the ciphertext, and sends its reference
    /// (key and hash) inside an MLS message. Returns the reference.
    pub async fn send_attachment(
        &mut self,
        conversation: &ConversationId,
        bytes: &[u8],
        name: &str,
        mime: &str,
    ) -> Result<AttachmentRef> {
        let (key, blob, sha256) = alcove_crypto::encrypt_attachment(bytes)?;
        let info: alcove_types::delivery::BlobInfo = self
            .account
            .upload(
                &format!("/api/v1/conversations/{conversation}/blobs"),
                blob,
                &self.device_id,
            )
            .await?;
        if info.sha256 != hex::encode(sha256) {
            return Err(Error::new(
                ErrorKind::Protocol,
                "the server stored other bytes",
            ));
        }
        let reference = AttachmentRef {
            blob_id: info.id.to_string(),
            key,
            sha256,
            size: bytes.len() as u64,
            name: name.to_owned(),
            mime: mime.to_owned(),
        };
        self.send(
            conversation,
            &Payload::new(PayloadKind::AttachmentRef(reference.clone())),
        )
        .await?;
        Ok(reference)
    }

    /// Downloads, checks and decrypts an attachment.
    pub async fn download_attachment(&self, reference: &AttachmentRef) -> Result<Vec<u8>> {
        let id = BlobId::parse(&reference.blob_id)
            .ok_or_else(|| Error::new(ErrorKind::Protocol, "blob id"))?;
        let blob = self
            .account
            .download(&format!("/api/v1/blobs/{id}"), &self.device_id)
            .await?;
        Ok(alcove_crypto::verify_and_decrypt_attachment(
            &reference.key,
            &reference.sha256,
            &blob,
        )?)
    }

    /// The device's conversations as the server lists them.
    pub async fn conversations(&self) -> Result<Vec<Conversation>> {
        let list: ConversationList = self
            .call(reqwest::Method::GET, "/api/v1/conversations", None)
            .await?;
        Ok(list.conversations)
    }

    /// Fetches and processes everything waiting: welcomes, then every conversation's messages
    /// after this device's cursor.
    pub async fn sync(&mut self) -> Result<Vec<Event>> {
        let mut events = self.join_welcomes().await?;
        // The server lists the conversations the device is in; a device that was removed from
        // one still reads up to the commit that removed it, so known ones are fetched too.
        let mut ids: Vec<ConversationId> = self.cursors.keys().cloned().collect();
        for conversation in self.conversations().await? {
            if !ids.contains(&conversation.id) {
                ids.push(conversation.id);
            }
        }
        ids.sort();
        for id in ids {
            events.extend(self.fetch(&id).await?);
        }
        Ok(events)
    }

    async fn join_welcomes(&mut self) -> Result<Vec<Event>> {
        let list: WelcomeList = self
            .call(reqwest::Method::GET, "/api/v1/welcomes", None)
            .await?;
        let mut events = Vec::new();
        for welcome in list.welcomes {
            events.extend(
                self.join(
                    &welcome.conversation_id,
                    welcome.seq,
                    &welcome.data,
                    welcome.id,
                )
                .await?,
            );
        }
        Ok(events)
    }

    async fn join(
        &mut self,
        conversation: &ConversationId,
        seq: u64,
        data: &str,
        welcome_id: u64,
    ) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        if !self.cursors.contains_key(conversation) {
            let joined = self.device.join(&unb64(data)?)?;
            if conv_id(&joined)? != *conversation {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    "welcome for another conversation",
                ));
            }
            self.cursors.insert(conversation.clone(), seq);
            events.push(Event::Joined {
                conversation: conversation.clone(),
            });
        }
        let _: serde_json::Value = self
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/welcomes/{welcome_id}"),
                None,
            )
            .await?;
        Ok(events)
    }

    /// Fetches and processes one conversation's messages after the cursor, and acknowledges
    /// them.
    pub async fn fetch(&mut self, conversation: &ConversationId) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        loop {
            let after = self.cursor(conversation);
            let page: MessagePage = self
                .call(
                    reqwest::Method::GET,
                    &format!("/api/v1/conversations/{conversation}/messages?after={after}"),
                    None,
                )
                .await?;
            if page.messages.is_empty() {
                break;
            }
            for message in page.messages {
                events.extend(self.process(message)?);
            }
        }
        let seq = self.cursor(conversation);
        if seq > 0 {
            self.ack(conversation, seq).await?;
        }
        Ok(events)
    }

    async fn ack(&mut self, conversation: &ConversationId, seq: u64) -> Result<()> {
        if let Some(live) = &self.live {
            let frame = ClientFrame::Ack {
                conversation_id: conversation.clone(),
                seq,
            };
            let text = serde_json::to_string(&frame)
                .map_err(|_| Error::new(ErrorKind::Protocol, "frame"))?;
            return live
                .outgoing
                .send(text)
                .map_err(|_| Error::new(ErrorKind::Network, "connection closed"));
        }
        let _: serde_json::Value = self
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/conversations/{conversation}/ack"),
                Some(json!({ "seq": seq })),
            )
            .await?;
        Ok(())
    }

    /// Processes one delivered message in order (a duplicate is skipped). The caller makes
    /// sure messages arrive in sequence; [`Client::fetch`] does.
    fn process(&mut self, message: DeliveredMessage) -> Result<Vec<Event>> {
        let cursor = self.cursor(&message.conversation_id);
        if message.seq <= cursor {
            return Ok(Vec::new());
        }
        if message.seq != cursor + 1 {
            return Err(Error::new(ErrorKind::Protocol, "gap in the message log"));
        }
        let group = conv_bytes(&message.conversation_id)?;
        let data = unb64(&message.data)?;
        let outcome = self.device.process(&group, &data);
        self.cursors
            .insert(message.conversation_id.clone(), message.seq);
        let events = match outcome? {
            Incoming::Application {
                payload, sender, ..
            } => vec![Event::Message {
                conversation: message.conversation_id,
                seq: message.seq,
                sender,
                payload,
            }],
            Incoming::Commit {
                added,
                removed,
                removed_self,
                ..
            } => vec![Event::Membership {
                conversation: message.conversation_id,
                added,
                removed,
                removed_self,
            }],
            _ => Vec::new(),
        };
        Ok(events)
    }

    /// Opens the live connection: pushes arrive through [`Client::next_events`], and sends go
    /// over it. Checks the log's consistency with the last checkpoint first.
    pub async fn connect(&mut self) -> Result<()> {
        self.check_log_consistency().await?;
        let (outgoing, mut to_send) = mpsc::unbounded_channel::<String>();
        let (deliver, incoming) = mpsc::unbounded_channel();
        let waiters: Waiters = Arc::default();
        let socket = self.account.websocket(&self.device_id).await?;
        let (mut sink, mut stream) = socket.split();
        tokio::spawn(async move {
            while let Some(text) = to_send.recv().await {
                if sink
                    .send(tungstenite::Message::Text(text.into()))
                    .await
                    .is_err()
                {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        let route = waiters.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                let tungstenite::Message::Text(text) = msg else {
                    if matches!(msg, tungstenite::Message::Close(_)) {
                        break;
                    }
                    continue;
                };
                let Ok(frame) = serde_json::from_str::<ServerFrame>(text.as_str()) else {
                    continue;
                };
                let ref_id = match &frame {
                    ServerFrame::Sent { ref_id, .. } => Some(*ref_id),
                    ServerFrame::Error { ref_id, .. } => *ref_id,
                    _ => None,
                };
                if let Some(ref_id) = ref_id {
                    let waiter = route.lock().ok().and_then(|mut w| w.remove(&ref_id));
                    if let Some(waiter) = waiter {
                        let _ = waiter.send(frame);
                        continue;
                    }
                }
                if deliver.send(frame).is_err() {
                    break;
                }
            }
            // Wake everyone still waiting for an answer.
            if let Ok(mut w) = route.lock() {
                w.clear();
            }
        });
        self.live = Some(Live {
            outgoing,
            incoming,
            waiters,
        });
        Ok(())
    }

    /// Closes the live connection.
    pub fn disconnect(&mut self) {
        self.live = None;
    }

    /// Waits for the next pushed frame (at most `timeout`) and processes it, fetching whatever
    /// was missed when sequence numbers jump. Returns no events on timeout.
    pub async fn next_events(&mut self, timeout: std::time::Duration) -> Result<Vec<Event>> {
        let frame = {
            let live = self
                .live
                .as_mut()
                .ok_or_else(|| Error::new(ErrorKind::Network, "not connected"))?;
            match tokio::time::timeout(timeout, live.incoming.recv()).await {
                Err(_) => return Ok(Vec::new()),
                Ok(None) => return Err(Error::new(ErrorKind::Network, "connection closed")),
                Ok(Some(frame)) => frame,
            }
        };
        self.handle_frame(frame).await
    }

    async fn handle_frame(&mut self, frame: ServerFrame) -> Result<Vec<Event>> {
        match frame {
            ServerFrame::Message(message) => {
                let conversation = message.conversation_id.clone();
                if !self.cursors.contains_key(&conversation) {
                    return self.join_welcomes().await;
                }
                let cursor = self.cursor(&conversation);
                if message.seq == cursor + 1 {
                    let events = self.process(message)?;
                    Ok(events)
                } else if message.seq > cursor + 1 {
                    self.fetch(&conversation).await
                } else {
                    Ok(Vec::new())
                }
            }
            ServerFrame::Welcome(welcome) => {
                let mut events = self
                    .join(
                        &welcome.conversation_id,
                        welcome.seq,
                        &welcome.data,
                        welcome.id,
                    )
                    .await?;
                events.extend(self.fetch(&welcome.conversation_id).await?);
                Ok(events)
            }
            ServerFrame::DeviceChanged {
                user_id,
                device_id,
                removed,
            } => Ok(vec![Event::DeviceChanged {
                user: user_id,
                device: device_id,
                removed,
            }]),
            ServerFrame::Sent { .. } | ServerFrame::Error { .. } => Ok(Vec::new()),
        }
    }

    /// Acknowledges everything processed so far in every conversation.
    pub async fn ack_all(&mut self) -> Result<()> {
        let cursors: Vec<(ConversationId, u64)> =
            self.cursors.iter().map(|(c, s)| (c.clone(), *s)).collect();
        for (conversation, seq) in cursors {
            if seq > 0 {
                self.ack(&conversation, seq).await?;
            }
        }
        Ok(())
    }

    /// The message kinds the server reported, for tests that look at the raw log.
    pub async fn raw_messages(
        &self,
        conversation: &ConversationId,
        after: u64,
    ) -> Result<Vec<(u64, MessageKind)>> {
        let page: MessagePage = self
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/conversations/{conversation}/messages?after={after}"),
                None,
            )
            .await?;
        Ok(page.messages.iter().map(|m| (m.seq, m.kind)).collect())
    }
}
