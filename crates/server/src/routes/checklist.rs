//! The secureness checklist: per client, how safe the relationship actually is — not whether
//! encryption is on — with a plain status and a next step per item; the clinician can mark an
//! item as discussed in session; an admin sees practice-wide counts without names.
//!
//! An item this version of Alcove cannot check yet (the notification channel; the device of a
//! sign-in made before devices were recorded) is `not_available`, which never counts as done: nothing here
//! says "secure" while anything is missing.

use crate::audit::Event;
use crate::auth::{AdminSession, ClinicianSession};
use crate::consent;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use alcove_audit::{EventKind, ObjectKind};
use alcove_store::PersonRow;
use alcove_types::api::{
    Checklist, ChecklistCount, ChecklistItem, ChecklistList, ChecklistState, ChecklistSummary,
    Empty, ErrorBody,
};
use alcove_types::{ErrorCode, Role, UserId};
use axum::extract::{Path, State};
use axum::Json;

use super::ApiJson;

/// The items, in the order they are shown: (stable name, title).
pub const ITEMS: [(&str, &str); 7] = [
    ("consent_current", "Consent to the current version"),
    ("comprehension", "Comprehension questions completed"),
    ("second_passkey", "A second passkey registered"),
    ("safety_numbers", "Safety numbers verified with you"),
    ("shared_device", "Shared-device answer and protections"),
    (
        "notifications",
        "Notification channel and anti-phishing phrase",
    ),
    ("last_sign_in_device", "Device used at last sign-in"),
];

fn item(
    name: &str,
    state: ChecklistState,
    detail: impl Into<String>,
    next_step: impl Into<String>,
) -> ChecklistItem {
    let title = ITEMS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| (*t).to_owned())
        .unwrap_or_default();
    let next_step = if state == ChecklistState::Done {
        String::new()
    } else {
        next_step.into()
    };
    ChecklistItem {
        item: name.to_owned(),
        title,
        state,
        detail: detail.into(),
        next_step,
        discussed_at: None,
    }
}

/// "Safety numbers verified": done only while a verification the client made still matches the
/// conversation's current devices.
async fn safety_item(state: &AppState, client: &PersonRow) -> ApiResult<ChecklistItem> {
    let verifications = state.store.safety_verifications_of(&client.id).await?;
    for v in &verifications {
        let devices = state
            .store
            .conversation_device_keys(&v.conversation_id)
            .await?;
        if super::safety::current_safety_number(&devices).as_deref() == Some(&v.safety_number) {
            return Ok(item(
                "safety_numbers",
                ChecklistState::Done,
                "Compared safety numbers in Alcove; they still match everyone's devices.",
                "",
            ));
        }
    }
    Ok(if verifications.is_empty() {
        item(
            "safety_numbers",
            ChecklistState::Missing,
            "Has not compared safety numbers with you yet.",
            "Compare them together in a session: Messages, Check the safety number.",
        )
    } else {
        item(
            "safety_numbers",
            ChecklistState::Missing,
            "Compared safety numbers before, but a device has changed since.",
            "Compare them again in your next session.",
        )
    })
}

/// Builds one client's checklist from what the store knows now.
pub async fn checklist_for(state: &AppState, client: &PersonRow) -> ApiResult<Checklist> {
    use ChecklistState::{Done, Missing, NotAvailable};
    let status = consent::status(state, &client.id).await?;
    let current = consent::current_document(state).await?;
    let records = state.store.consent_records_of(&client.id).await?;
    let protections = state.store.client_protections(&client.id).await?;
    let discussions = state.store.discussions_of(&client.id).await?;

    let mut items = Vec::with_capacity(ITEMS.len());
    items.push(if !status.required {
        item(
            "consent_current",
            Done,
            format!(
                "Accepted version {} with a passkey signature.",
                current.version
            ),
            "",
        )
    } else if records.is_empty() {
        item(
            "consent_current",
            Missing,
            "Has not accepted the consent document yet, so cannot send messages.",
            "Ask them to sign in: Alcove walks them through it before their first message.",
        )
    } else {
        item(
            "consent_current",
            Missing,
            format!(
                "Accepted an earlier version; version {} is current, so they cannot send messages.",
                current.version
            ),
            "Ask them to sign in: Alcove shows them the new version first.",
        )
    });
    items.push(if records.is_empty() {
        item(
            "comprehension",
            Missing,
            "Has not answered the comprehension questions.",
            "Go through the questions together in your next session.",
        )
    } else {
        item(
            "comprehension",
            Done,
            "Answered every question correctly.",
            "",
        )
    });
    items.push(if client.passkey_count >= 2 {
        item(
            "second_passkey",
            Done,
            format!("{} passkeys registered.", client.passkey_count),
            "",
        )
    } else {
        item(
            "second_passkey",
            Missing,
            "Only one passkey: losing that device locks them out.",
            "Suggest adding a passkey on a second device (Account, Add a passkey).",
        )
    });
    items.push(safety_item(state, client).await?);
    items.push(match protections {
        Some(p) => {
            let shared = p.others_use_device || !p.device_is_mine;
            let who = match (p.others_use_device, p.device_is_mine) {
                (false, true) => "Their own device; nobody else uses it.",
                (true, true) => "Their own device, but others use it too.",
                (false, false) => "Not their own device (for example work or family).",
                (true, false) => "Not their own device, and others use it.",
            };
            let minutes = p.idle_timeout_secs / 60;
            let detail = format!(
                "{who} In force: locks after {minutes} min idle; discreet mode {}; messages {}kept on the device.",
                if p.discreet_mode { "on" } else { "off" },
                if p.local_history { "" } else { "not " },
            );
            let next = if shared {
                "Talk through quick exit and signing out on a shared device."
            } else {
                ""
            };
            item("shared_device", Done, detail, next)
        }
        None => item(
            "shared_device",
            Missing,
            "Has not said whether others use their device.",
            "They answer during the consent walk-through; ask about their device in session.",
        ),
    });
    items.push(item(
        "notifications",
        NotAvailable,
        "Anti-phishing phrase chosen. Notifications are not available in this version, so none are sent.",
        "Once notifications exist, help them choose a channel nobody else reads.",
    ));
    let device = state.store.sign_in_device(&client.id).await?;
    items.push(match (client.last_sign_in_at, device) {
        (Some(_), Some((kind, _))) if kind == "unknown device" => item(
            "last_sign_in_device",
            NotAvailable,
            "The device of the last sign-in did not say what kind it is.",
            "Ask which device they use for Alcove and whether others can open it.",
        ),
        (Some(_), Some((kind, _))) => item(
            "last_sign_in_device",
            Done,
            format!("Last signed in from: {kind}."),
            if kind.ends_with("phone") || kind.ends_with("tablet") {
                "Ask whether anyone else can unlock that phone or tablet."
            } else {
                "Ask whether anyone else uses that computer; if so, talk through quick exit."
            },
        ),
        (Some(_), None) => item(
            "last_sign_in_device",
            NotAvailable,
            "Signed in before this version recorded the kind of device.",
            "Ask which device they use for Alcove and whether others can open it.",
        ),
        (None, _) => item(
            "last_sign_in_device",
            Missing,
            "Has never signed in.",
            "Check that their invitation reached them.",
        ),
    });
    for it in &mut items {
        it.discussed_at = discussions
            .iter()
            .find(|d| d.item == it.item)
            .map(|d| d.discussed_at);
    }
    let done = items.iter().filter(|i| i.state == Done).count();
    Ok(Checklist {
        client_id: client.id.clone(),
        display_name: client.display_name.clone(),
        done: u32::try_from(done).unwrap_or(u32::MAX),
        total: u32::try_from(items.len()).unwrap_or(u32::MAX),
        items,
    })
}

async fn log_viewed(state: &AppState, clinician: &UserId, clients: &[&UserId]) -> ApiResult<()> {
    let now = state.now();
    let events: Vec<_> = clients
        .iter()
        .map(|c| {
            Event::new(EventKind::RecordViewed, now)
                .actor(clinician)
                .subject(c)
                .object(ObjectKind::User, c.as_str())
                .done()
        })
        .collect();
    if !events.is_empty() {
        state.store.log_events(&events).await?;
    }
    Ok(())
}

/// The checklists of the signed-in clinician's clients.
#[utoipa::path(get, path = "/api/v1/clients/checklists", tag = "people",
    responses((status = 200, body = ChecklistList), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ClinicianSession(session): ClinicianSession,
) -> ApiResult<Json<ChecklistList>> {
    let clients = state.store.clients_of(&session.user.id).await?;
    let ids: Vec<&UserId> = clients.iter().map(|c| &c.id).collect();
    log_viewed(&state, &session.user.id, &ids).await?;
    let mut out = Vec::with_capacity(clients.len());
    for c in &clients {
        out.push(checklist_for(&state, c).await?);
    }
    Ok(Json(ChecklistList { clients: out }))
}

async fn own_client(state: &AppState, clinician: &UserId, id: &str) -> ApiResult<PersonRow> {
    let id = UserId::parse(id).ok_or_else(ApiError::not_found)?;
    state
        .store
        .clients_of(clinician)
        .await?
        .into_iter()
        .find(|c| c.id == id && c.role == Role::Client)
        .ok_or_else(ApiError::not_found)
}

/// One client's checklist (only the clinician's own clients).
#[utoipa::path(get, path = "/api/v1/clients/{id}/checklist", tag = "people",
    params(("id" = String, Path, description = "The client's user id")),
    responses((status = 200, body = Checklist), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    ClinicianSession(session): ClinicianSession,
    Path(id): Path<String>,
) -> ApiResult<Json<Checklist>> {
    let client = own_client(&state, &session.user.id, &id).await?;
    log_viewed(&state, &session.user.id, &[&client.id]).await?;
    Ok(Json(checklist_for(&state, &client).await?))
}

/// Marks an item as discussed with the client in session.
#[utoipa::path(post, path = "/api/v1/clients/{id}/checklist/{item}/discussed", tag = "people",
    request_body = Empty,
    params(("id" = String, Path, description = "The client's user id"),
           ("item" = String, Path, description = "The item's stable name")),
    responses((status = 200, body = Checklist), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn discussed(
    State(state): State<AppState>,
    ClinicianSession(session): ClinicianSession,
    Path((id, name)): Path<(String, String)>,
    ApiJson(_empty): ApiJson<Empty>,
) -> ApiResult<Json<Checklist>> {
    if !ITEMS.iter().any(|(n, _)| *n == name) {
        return Err(ApiError::invalid(
            ErrorCode::InvalidChecklistItem,
            "There is no such checklist item.",
        ));
    }
    let client = own_client(&state, &session.user.id, &id).await?;
    state
        .store
        .mark_discussed(&client.id, &name, &session.user.id, state.now())
        .await?;
    Ok(Json(checklist_for(&state, &client).await?))
}

/// Practice-wide counts for admins: how many clients have each item done (no names).
#[utoipa::path(get, path = "/api/v1/checklist/summary", tag = "people",
    responses((status = 200, body = ChecklistSummary), (status = 403, body = ErrorBody)))]
pub async fn summary(
    State(state): State<AppState>,
    AdminSession(_session): AdminSession,
) -> ApiResult<Json<ChecklistSummary>> {
    let clients: Vec<PersonRow> = state
        .store
        .people()
        .await?
        .into_iter()
        .filter(|p| p.role == Role::Client)
        .collect();
    let mut counts = [0u32; ITEMS.len()];
    for c in &clients {
        let list = checklist_for(&state, c).await?;
        for (i, it) in list.items.iter().enumerate() {
            if it.state == ChecklistState::Done {
                if let Some(n) = counts.get_mut(i) {
                    *n += 1;
                }
            }
        }
    }
    Ok(Json(ChecklistSummary {
        clients: u32::try_from(clients.len()).unwrap_or(u32::MAX),
        items: ITEMS
            .iter()
            .zip(counts)
            .map(|((item, title), done)| ChecklistCount {
                item: (*item).to_owned(),
                title: (*title).to_owned(),
                done,
            })
            .collect(),
    }))
}
