//! The canonical, versioned binary encoding of an audit event (a leaf).
//!
//! An event records who did what to whom and when, by identifier only: no
//! names, no free text, no content. Version 1 is this byte layout, all
//! integers big-endian:
//!
//! | field     | bytes                                                         |
//! |-----------|---------------------------------------------------------------|
//! | version   | `u8`, 1                                                       |
//! | kind      | `u16`, the [`EventKind`] code                                 |
//! | at_ms     | `i64`, milliseconds since the Unix epoch                      |
//! | actor     | `u8` 0 (absent) or 1 (present), then `u8` length and id bytes |
//! | subject   | as actor                                                      |
//! | objects   | `u8` count (≤ [`MAX_OBJECTS`]), then per object: `u16` [`ObjectKind`] code, `u8` length, id bytes |
//!
//! Ids are 1 to [`MAX_ID_LEN`] bytes of `[A-Za-z0-9_-]`. Every event has
//! exactly one encoding: decoding refuses unknown versions or codes, flags
//! other than 0 or 1, invalid ids and trailing bytes, so
//! `encode(decode(b)) == b` for every accepted `b`.

use core::fmt;

use crate::hash::{leaf_hash, Hash};

/// Longest id, in bytes.
pub const MAX_ID_LEN: usize = 128;
/// Most objects one event may reference.
pub const MAX_OBJECTS: usize = 32;

/// Why an event could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// An id is empty, too long, or holds a byte outside `[A-Za-z0-9_-]`.
    #[error("ids are 1 to 128 characters of A-Z, a-z, 0-9, '_' and '-'")]
    InvalidId,
    /// More than [`MAX_OBJECTS`] objects.
    #[error("an event references at most 32 objects")]
    TooManyObjects,
    /// The encoding ends early.
    #[error("the encoded event is truncated")]
    Truncated,
    /// Bytes follow a complete event.
    #[error("bytes follow the encoded event")]
    TrailingBytes,
    /// The version byte is not one this library knows.
    #[error("unknown event encoding version {0}")]
    UnknownVersion(u8),
    /// The event kind code is not known.
    #[error("unknown event kind {0}")]
    UnknownKind(u16),
    /// An object kind code is not known.
    #[error("unknown object kind {0}")]
    UnknownObjectKind(u16),
    /// A presence flag is neither 0 nor 1.
    #[error("invalid presence flag")]
    InvalidFlag,
}

macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = ($code:expr, $text:expr), )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name { $( $(#[$vmeta])* $variant, )* }

        impl $name {
            /// Every variant, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable numeric code used in the encoding.
            pub const fn code(self) -> u16 {
                match self { $($name::$variant => $code,)* }
            }

            /// The variant with this code.
            pub const fn from_code(code: u16) -> Option<Self> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }

            /// The stable snake_case name, for the API and CSV exports.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// The variant with this snake_case name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

coded_enum! {
    /// What happened. Codes are part of the log's format: never reuse or
    /// renumber one; add new kinds with new codes.
    pub enum EventKind {
        /// The practice's first administrator finished setup.
        SetupCompleted = (1, "setup_completed"),
        /// An invitation was created.
        InvitationCreated = (2, "invitation_created"),
        /// An invitation was redeemed.
        InvitationRedeemed = (3, "invitation_redeemed"),
        /// An invitation was revoked.
        InvitationRevoked = (4, "invitation_revoked"),
        /// A user signed in.
        SignIn = (5, "sign_in"),
        /// A user signed out of one session.
        SignOut = (6, "sign_out"),
        /// A user ended all their sessions.
        SignOutEverywhere = (7, "sign_out_everywhere"),
        /// A passkey was registered.
        PasskeyAdded = (8, "passkey_added"),
        /// A passkey was revoked.
        PasskeyRevoked = (9, "passkey_revoked"),
        /// A device (and its signature key) was registered: the
        /// key-transparency leaf.
        DeviceAdded = (10, "device_added"),
        /// A device was removed.
        DeviceRemoved = (11, "device_removed"),
        /// A device published an MLS key package.
        KeyPackagePublished = (12, "key_package_published"),
        /// A conversation was created.
        ConversationCreated = (13, "conversation_created"),
        /// Members of a conversation changed.
        MembershipChanged = (14, "membership_changed"),
        /// Someone opened a client's record or conversation.
        RecordViewed = (15, "record_viewed"),
        /// Data was exported.
        Export = (16, "export"),
        /// A consent was recorded.
        ConsentRecorded = (17, "consent_recorded"),
        /// A practice policy changed.
        PolicyChanged = (18, "policy_changed"),
        /// An action was refused for lack of authorisation.
        AuthorizationFailed = (19, "authorization_failed"),
    }
}

coded_enum! {
    /// What kind of thing an object id names.
    pub enum ObjectKind {
        /// A user account.
        User = (1, "user"),
        /// A device.
        Device = (2, "device"),
        /// A device's signature key, by fingerprint (base64url, no padding).
        DeviceKey = (3, "device_key"),
        /// A passkey credential.
        Passkey = (4, "passkey"),
        /// A sign-in session.
        Session = (5, "session"),
        /// An invitation.
        Invitation = (6, "invitation"),
        /// A conversation (MLS group).
        Conversation = (7, "conversation"),
        /// A care relationship between a clinician and a client.
        CareRelationship = (8, "care_relationship"),
        /// A consultation between a clinician and a supervisor.
        Consultation = (9, "consultation"),
        /// An MLS key package, by reference hash.
        KeyPackage = (10, "key_package"),
        /// A message.
        Message = (11, "message"),
        /// An attachment blob.
        Attachment = (12, "attachment"),
        /// An export.
        Export = (13, "export"),
        /// A consent record.
        ConsentRecord = (14, "consent_record"),
        /// A practice policy.
        Policy = (15, "policy"),
    }
}

fn valid_id_bytes(s: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn valid_id(s: &str) -> bool {
    valid_id_bytes(s.as_bytes())
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// 1 to [`MAX_ID_LEN`] characters of `[A-Za-z0-9_-]`. Its Debug
        /// output hides the value, so it cannot leak into a log line.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Checks and wraps an id.
            pub fn new(id: impl Into<String>) -> Result<Self, EventError> {
                let id = id.into();
                if valid_id(&id) { Ok($name(id)) } else { Err(EventError::InvalidId) }
            }

            /// The id.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<{} chars>)"), self.0.len())
            }
        }
    };
}

id_type!(
    /// Who acted: a user id, or a service id for actions by the system.
    ActorId
);
id_type!(
    /// Whose record the event concerns: the client (or other user) it is
    /// about. Clients list events by subject ("who accessed my record").
    SubjectId
);
id_type!(
    /// The id of an object the event touched.
    ObjectId
);

/// Versions of the event encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum EventVersion {
    /// The layout in this module's documentation.
    #[default]
    V1,
}

impl EventVersion {
    const fn byte(self) -> u8 {
        match self {
            EventVersion::V1 => 1,
        }
    }
}

/// One security-relevant event: a leaf of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Encoding version.
    pub version: EventVersion,
    /// What happened.
    pub kind: EventKind,
    /// Who did it; `None` for the system itself.
    pub actor: Option<ActorId>,
    /// Whose record it concerns, if anyone's.
    pub subject: Option<SubjectId>,
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// What it touched, in a meaningful order (kept as given).
    pub objects: Vec<(ObjectKind, ObjectId)>,
}

impl AuditEvent {
    /// An event of `kind` at `at_ms` with no actor, subject or objects.
    pub fn new(kind: EventKind, at_ms: i64) -> Self {
        AuditEvent {
            version: EventVersion::V1,
            kind,
            actor: None,
            subject: None,
            at_ms,
            objects: Vec::new(),
        }
    }

    /// Sets the actor.
    pub fn with_actor(mut self, actor: ActorId) -> Self {
        self.actor = Some(actor);
        self
    }

    /// Sets the subject.
    pub fn with_subject(mut self, subject: SubjectId) -> Self {
        self.subject = Some(subject);
        self
    }

    /// Adds an object.
    pub fn with_object(mut self, kind: ObjectKind, id: ObjectId) -> Self {
        self.objects.push((kind, id));
        self
    }

    /// The canonical encoding: the leaf data.
    pub fn encode(&self) -> Result<Vec<u8>, EventError> {
        if self.objects.len() > MAX_OBJECTS {
            return Err(EventError::TooManyObjects);
        }
        let mut out = Vec::with_capacity(16 + 40 * (2 + self.objects.len()));
        out.push(self.version.byte());
        out.extend_from_slice(&self.kind.code().to_be_bytes());
        out.extend_from_slice(&self.at_ms.to_be_bytes());
        put_optional(&mut out, self.actor.as_ref().map(ActorId::as_str));
        put_optional(&mut out, self.subject.as_ref().map(SubjectId::as_str));
        // MAX_OBJECTS fits in a u8.
        out.push(self.objects.len() as u8);
        for (kind, id) in &self.objects {
            out.extend_from_slice(&kind.code().to_be_bytes());
            put_id(&mut out, id.as_str());
        }
        Ok(out)
    }

    /// The leaf hash of the encoding.
    pub fn leaf_hash(&self) -> Result<Hash, EventError> {
        Ok(leaf_hash(&self.encode()?))
    }

    /// Decodes leaf data strictly (see the module documentation).
    pub fn decode(bytes: &[u8]) -> Result<Self, EventError> {
        let mut objects = Vec::new();
        let head = parse(bytes, |kind, id| {
            objects.push((kind, ObjectId(id.to_owned())))
        })?;
        Ok(AuditEvent {
            version: head.version,
            kind: head.kind,
            actor: head.actor.map(|id| ActorId(id.to_owned())),
            subject: head.subject.map(|id| SubjectId(id.to_owned())),
            at_ms: head.at_ms,
            objects,
        })
    }

    /// Checks that `bytes` is a canonical event without building it (no
    /// allocation): what the full verifier runs on every leaf.
    pub fn validate(bytes: &[u8]) -> Result<(), EventError> {
        parse(bytes, |_, _| {}).map(|_| ())
    }
}

/// The fixed part of an event, borrowing its ids from the input.
struct Head<'a> {
    version: EventVersion,
    kind: EventKind,
    at_ms: i64,
    actor: Option<&'a str>,
    subject: Option<&'a str>,
}

/// Parses an encoding strictly, handing each object to `object`.
fn parse<'a>(
    bytes: &'a [u8],
    mut object: impl FnMut(ObjectKind, &'a str),
) -> Result<Head<'a>, EventError> {
    let mut r = Reader(bytes);
    let version = match r.u8()? {
        1 => EventVersion::V1,
        v => return Err(EventError::UnknownVersion(v)),
    };
    let code = r.u16()?;
    let kind = EventKind::from_code(code).ok_or(EventError::UnknownKind(code))?;
    let at_ms = i64::from_be_bytes(r.array::<8>()?);
    let actor = r.optional_id()?;
    let subject = r.optional_id()?;
    let count = usize::from(r.u8()?);
    if count > MAX_OBJECTS {
        return Err(EventError::TooManyObjects);
    }
    for _ in 0..count {
        let code = r.u16()?;
        let kind = ObjectKind::from_code(code).ok_or(EventError::UnknownObjectKind(code))?;
        object(kind, r.id()?);
    }
    if !r.0.is_empty() {
        return Err(EventError::TrailingBytes);
    }
    Ok(Head {
        version,
        kind,
        at_ms,
        actor,
        subject,
    })
}

fn put_id(out: &mut Vec<u8>, id: &str) {
    // Ids are validated at construction to be at most MAX_ID_LEN (< 256).
    out.push(id.len() as u8);
    out.extend_from_slice(id.as_bytes());
}

fn put_optional(out: &mut Vec<u8>, id: Option<&str>) {
    match id {
        None => out.push(0),
        Some(id) => {
            out.push(1);
            put_id(out, id);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], EventError> {
        if self.0.len() < n {
            return Err(EventError::Truncated);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], EventError> {
        <[u8; N]>::try_from(self.take(N)?).map_err(|_| EventError::Truncated)
    }

    fn u8(&mut self) -> Result<u8, EventError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, EventError> {
        Ok(u16::from_be_bytes(self.array::<2>()?))
    }

    fn id(&mut self) -> Result<&'a str, EventError> {
        let len = usize::from(self.u8()?);
        let bytes = self.take(len)?;
        if !valid_id_bytes(bytes) {
            return Err(EventError::InvalidId);
        }
        // Valid ids are ASCII, so this conversion cannot fail.
        core::str::from_utf8(bytes).map_err(|_| EventError::InvalidId)
    }

    fn optional_id(&mut self) -> Result<Option<&'a str>, EventError> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.id().map(Some),
            _ => Err(EventError::InvalidFlag),
        }
    }
}
