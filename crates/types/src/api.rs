//! Request and response bodies of the HTTP API under `/api/v1`.
//!
//! Every request type rejects unknown fields, so a typo in a client is a clear `bad_request`
//! rather than a silently ignored setting. Times are milliseconds since the Unix epoch.

use crate::{ConsentRecordId, InvitationId, InvitationKind, PasskeyId, Role, UserId};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The body of every error answer: `{"error": {"code": …, "message": …}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// A stable code for programs and a plain-language message for people.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorDetail {
    /// Stable snake_case code (see [`crate::ErrorCode`]).
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
}

/// Whether the instance still waits for its first admin.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SetupStatus {
    /// True until the setup link has been redeemed.
    pub setup_required: bool,
    /// The practice's name as configured.
    pub practice_name: String,
}

/// A link's secret token, sent in a body so it never appears in a URL or log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// The token from the link's `#fragment`.
    pub token: String,
}

/// What a setup, invitation or recovery link is for, before it is redeemed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationPreview {
    /// Setup, invitation or recovery.
    pub kind: InvitationKind,
    /// The role the new account will have (or has, for recovery).
    pub role: Role,
    /// The display name of the person who issued it (none for the setup link).
    pub inviter_name: Option<String>,
    /// When the link stops working.
    pub expires_at: i64,
    /// The practice's name.
    pub practice_name: String,
}

/// Starts redeeming a link: the person's chosen name and phrase (ignored for recovery).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedeemStartRequest {
    /// The token from the link's `#fragment`.
    pub token: String,
    /// How the person wants to be called (1–80 characters).
    #[serde(default)]
    pub display_name: String,
    /// Shown back on every genuine page and e-mail (3–64 characters).
    #[serde(default)]
    pub anti_phishing_phrase: String,
}

/// A WebAuthn ceremony to run in the browser.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CeremonyChallenge {
    /// Identifies the ceremony when finishing it.
    pub ceremony_id: String,
    /// The options for `navigator.credentials.create` or `.get` (binary fields base64url).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub public_key: serde_json::Value,
}

/// Finishes redeeming a link with the new passkey.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedeemFinishRequest {
    /// From [`CeremonyChallenge`].
    pub ceremony_id: String,
    /// The browser's registration response (binary fields base64url).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
    /// A name to recognise this passkey by ("Laptop", "Phone").
    #[serde(default)]
    pub passkey_name: String,
}

/// An empty JSON object, for requests without parameters.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Finishes a sign-in or re-authentication ceremony.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssertionFinishRequest {
    /// From [`CeremonyChallenge`].
    pub ceremony_id: String,
    /// The browser's assertion (binary fields base64url).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// Finishes adding another passkey to one's account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeyFinishRequest {
    /// From [`CeremonyChallenge`].
    pub ceremony_id: String,
    /// The browser's registration response.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
    /// A name to recognise this passkey by.
    #[serde(default)]
    pub name: String,
}

/// The signed-in person, as they see themselves.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    /// Their account id.
    pub id: UserId,
    /// Their role.
    pub role: Role,
    /// Their display name.
    pub display_name: String,
    /// The phrase every genuine page shows them.
    pub anti_phishing_phrase: String,
    /// How many passkeys they have (the UI nudges towards a second one).
    pub passkey_count: i64,
    /// The practice's name.
    pub practice_name: String,
    /// Their current session.
    pub session: SessionInfo,
    /// For clients: where their informed consent stands (none for staff).
    pub consent: Option<ConsentStatus>,
    /// For clients: the protections their shared-device answers set (none before they answer).
    pub protections: Option<Protections>,
}

/// Timing facts about the current session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionInfo {
    /// The session ends after this many seconds without a request.
    pub idle_timeout_secs: i64,
    /// When the session ends regardless of activity.
    pub expires_at: i64,
    /// Until when sensitive actions are allowed without another passkey confirmation.
    pub reauth_until: Option<i64>,
    /// A browser locks its end-to-end encrypted conversations after this many seconds without
    /// activity (the practice's setting, shorter on a shared device).
    pub auto_lock_secs: i64,
}

/// Changes the anti-phishing phrase.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhraseRequest {
    /// The new phrase (3–64 characters).
    pub phrase: String,
}

/// One registered passkey.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Passkey {
    /// Its id.
    pub id: PasskeyId,
    /// The name its owner gave it.
    pub name: String,
    /// When it was registered.
    pub created_at: i64,
    /// When it last signed in.
    pub last_used_at: Option<i64>,
}

/// A person's passkeys.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasskeyList {
    /// Oldest first.
    pub passkeys: Vec<Passkey>,
}

/// Renames a passkey.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RenameRequest {
    /// The new name (1–60 characters).
    pub name: String,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Not used yet and still valid.
    Pending,
    /// Used.
    Redeemed,
    /// Its time ran out unused.
    Expired,
    /// Withdrawn by staff.
    Revoked,
}

/// An invitation as its issuer sees it (never with its token).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Invitation {
    /// Its id.
    pub id: InvitationId,
    /// Invitation or recovery.
    pub kind: InvitationKind,
    /// The role it grants.
    pub role: Role,
    /// The issuer's private note about whom it is for.
    pub label: Option<String>,
    /// When it was issued.
    pub created_at: i64,
    /// When it stops working.
    pub expires_at: i64,
    /// Where it stands now.
    pub status: InvitationStatus,
    /// Who issued it.
    pub inviter_id: Option<UserId>,
}

/// Invitations visible to the caller.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationList {
    /// Newest first.
    pub invitations: Vec<Invitation>,
}

/// Issues an invitation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationRequest {
    /// The role the new account will have.
    pub role: Role,
    /// A private note about whom it is for (at most 80 characters).
    #[serde(default)]
    pub label: Option<String>,
}

/// A freshly issued link: shown once, never retrievable again.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IssuedInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// The link to hand over; its token is in the `#fragment`.
    pub link: String,
}

/// A person as staff see them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Person {
    /// Their account id.
    pub id: UserId,
    /// Their role.
    pub role: Role,
    /// Their display name.
    pub display_name: String,
    /// When the account was created.
    pub created_at: i64,
    /// How many passkeys they have.
    pub passkey_count: i64,
    /// When they last signed in.
    pub last_sign_in_at: Option<i64>,
}

/// People visible to the caller.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonList {
    /// Oldest first.
    pub people: Vec<Person>,
}

/// Liveness and readiness answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// "ok" when healthy.
    pub status: String,
}

/// One comprehension question of a consent document, with its answer and why.
///
/// The right answer travels to the browser on purpose: the questions teach, and the feedback
/// after each answer is immediate. The server checks every answer again before accepting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentQuestion {
    /// A short stable name (`[a-z0-9-]`, 1–40 characters), unique within the document.
    pub id: String,
    /// The question as the client reads it.
    pub prompt: String,
    /// Two to six possible answers.
    pub choices: Vec<String>,
    /// The index of the right answer in `choices`.
    pub correct: u32,
    /// Shown after any answer: why the right answer is right.
    pub explanation: String,
}

/// One published, immutable version of the practice's consent document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConsentDocument {
    /// SHA-256 (hex) of `text`: the version's identity.
    pub hash: String,
    /// 1 for the first version, then counting up.
    pub version: i64,
    /// The document in Markdown, as the practice wrote it (rendered as text, never as HTML).
    pub body: String,
    /// The comprehension questions.
    pub questions: Vec<ConsentQuestion>,
    /// The complete text the hash covers: `body` followed by the questions, in Markdown. This is
    /// what the download holds, so `sha256sum` of the file gives `hash`.
    pub text: String,
    /// When it was published.
    pub published_at: i64,
    /// Who published it (none for the default Alcove ships).
    pub published_by: Option<UserId>,
    /// Whether it is the practice's current version.
    pub current: bool,
}

/// Versions of the consent document, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConsentDocumentList {
    /// Newest first.
    pub versions: Vec<ConsentDocument>,
}

/// Publishes a new version of the consent document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishConsentRequest {
    /// The document in Markdown (raw HTML is shown as text).
    pub body: String,
    /// The comprehension questions (one to twelve).
    pub questions: Vec<ConsentQuestion>,
}

/// A client's answer to one comprehension question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentAnswer {
    /// The question's id.
    pub question_id: String,
    /// The index of the chosen answer.
    pub choice: u32,
}

/// The shared-device questions, asked during the walk-through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeviceAnswers {
    /// Other people sometimes use this device.
    pub others_use_device: bool,
    /// The device belongs to the client alone (not a work, library or family computer).
    pub device_is_mine: bool,
}

/// Starts accepting a consent document: the answers, then a passkey signature over them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentAcceptRequest {
    /// The hash of the version the client read.
    pub document_hash: String,
    /// One answer per question.
    pub answers: Vec<ConsentAnswer>,
    /// The shared-device answers.
    pub device: DeviceAnswers,
}

/// The protections in force for a client, set from their shared-device answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Protections {
    /// What the client said about their device.
    pub device: DeviceAnswers,
    /// The session locks after this many seconds without activity.
    pub idle_timeout_secs: i64,
    /// Page titles and notifications say nothing about counselling.
    pub discreet_mode: bool,
    /// Messages may be kept on this device between sessions.
    pub local_history: bool,
}

/// Where a client's consent stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConsentStatus {
    /// True when the client must (re-)consent before sending messages.
    pub required: bool,
    /// The practice's current version.
    pub current_hash: String,
    /// The version the client last accepted, if any.
    pub accepted_hash: Option<String>,
    /// When they accepted it.
    pub accepted_at: Option<i64>,
}

/// A client's recorded acceptance.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConsentRecord {
    /// Its id.
    pub id: ConsentRecordId,
    /// The version accepted.
    pub document_hash: String,
    /// That version's number.
    pub version: i64,
    /// SHA-256 (hex) of the canonical statement (document hash, answers, device answers).
    pub statement_hash: String,
    /// The WebAuthn challenge the passkey signed: SHA-256(statement hash ‖ nonce), base64url.
    pub challenge: String,
    /// The passkey that signed it.
    pub passkey_id: PasskeyId,
    /// When.
    pub accepted_at: i64,
    /// The shared-device answers given then.
    pub device: DeviceAnswers,
}

/// A client's consent: where it stands and every acceptance, newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MyConsent {
    /// Where it stands.
    pub status: ConsentStatus,
    /// Newest first.
    pub records: Vec<ConsentRecord>,
}

/// How one secureness item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChecklistState {
    /// In place.
    Done,
    /// Missing: the relationship is less safe until it is done.
    Missing,
    /// This Alcove version cannot check it yet; it does not count as done.
    NotAvailable,
}

/// One item of a client's secureness checklist.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChecklistItem {
    /// Stable name (`consent_current`, `comprehension`, `second_passkey`, `safety_numbers`,
    /// `shared_device`, `notifications`, `last_sign_in_device`).
    pub item: String,
    /// A short plain title.
    pub title: String,
    /// Where it stands.
    pub state: ChecklistState,
    /// One sentence on what is true now.
    pub detail: String,
    /// What to do next (empty when done).
    pub next_step: String,
    /// When the clinician marked it as discussed in session.
    pub discussed_at: Option<i64>,
}

/// A client's secureness checklist.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Checklist {
    /// The client.
    pub client_id: UserId,
    /// Their display name.
    pub display_name: String,
    /// How many items are done.
    pub done: u32,
    /// How many items there are.
    pub total: u32,
    /// The items, in a fixed order.
    pub items: Vec<ChecklistItem>,
}

/// The checklists of a clinician's clients.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChecklistList {
    /// Oldest client first.
    pub clients: Vec<Checklist>,
}

/// How many clients have one item done, practice-wide.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChecklistCount {
    /// The item's stable name.
    pub item: String,
    /// Its title.
    pub title: String,
    /// Clients with it done.
    pub done: u32,
}

/// The practice-wide summary an admin sees (counts only, no names).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChecklistSummary {
    /// How many clients the practice has.
    pub clients: u32,
    /// Per item.
    pub items: Vec<ChecklistCount>,
}
