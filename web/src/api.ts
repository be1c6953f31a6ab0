// The HTTP API of the Alcove server, as the web UI uses it.
//
// Every call goes through `request`, which turns a non-2xx answer into an `ApiError` carrying the
// server's stable code and plain-language message. Two answers are handled here for every page:
// 401 (no session, or the session ended) hands over to the `onSignedOut` hook, and
// 403 `reauth_required` asks the person to confirm with a passkey, then retries the request once.

export type Role = "admin" | "clinician" | "supervisor" | "client";
export type InvitationKind = "setup" | "invitation" | "recovery";
export type InvitationStatus = "pending" | "redeemed" | "expired" | "revoked";

/** Milliseconds since the Unix epoch. */
export type Millis = number;

export interface SessionInfo {
  idle_timeout_secs: number;
  expires_at: Millis;
  reauth_until: Millis | null;
  /** Seconds without activity before this browser locks its conversations. */
  auto_lock_secs: number;
}

export interface Me {
  id: string;
  role: Role;
  display_name: string;
  anti_phishing_phrase: string;
  passkey_count: number;
  practice_name: string;
  session: SessionInfo;
  /** Clients only: where their informed consent stands. */
  consent: ConsentStatus | null;
  /** Clients only: the protections their shared-device answers set. */
  protections: Protections | null;
}

export interface ConsentQuestion {
  id: string;
  prompt: string;
  choices: string[];
  correct: number;
  explanation: string;
}

export interface ConsentDocument {
  hash: string;
  version: number;
  body: string;
  questions: ConsentQuestion[];
  text: string;
  published_at: Millis;
  published_by: string | null;
  current: boolean;
}

export interface ConsentStatus {
  required: boolean;
  current_hash: string;
  accepted_hash: string | null;
  accepted_at: Millis | null;
}

export interface DeviceAnswers {
  others_use_device: boolean;
  device_is_mine: boolean;
}

export interface Protections {
  device: DeviceAnswers;
  idle_timeout_secs: number;
  discreet_mode: boolean;
  local_history: boolean;
}

export interface ConsentAnswer {
  question_id: string;
  choice: number;
}

export interface ConsentRecord {
  id: string;
  document_hash: string;
  version: number;
  statement_hash: string;
  challenge: string;
  passkey_id: string;
  accepted_at: Millis;
  device: DeviceAnswers;
}

export type ChecklistState = "done" | "missing" | "not_available";

export interface ChecklistItem {
  item: string;
  title: string;
  state: ChecklistState;
  detail: string;
  next_step: string;
  discussed_at: Millis | null;
}

export interface Checklist {
  client_id: string;
  display_name: string;
  done: number;
  total: number;
  items: ChecklistItem[];
}

export interface ChecklistSummary {
  clients: number;
  items: { item: string; title: string; done: number }[];
}

export interface Passkey {
  id: string;
  name: string;
  created_at: Millis;
  last_used_at: Millis | null;
}

export interface Invitation {
  id: string;
  kind: InvitationKind;
  role: Role;
  label: string | null;
  created_at: Millis;
  expires_at: Millis;
  status: InvitationStatus;
  inviter_id: string;
}

export interface CreatedInvitation {
  invitation: Invitation;
  link: string;
}

export interface Person {
  id: string;
  role: Role;
  display_name: string;
  created_at: Millis;
  passkey_count: number;
  last_sign_in_at: Millis | null;
}

export interface InspectedInvitation {
  kind: InvitationKind;
  role: Role;
  inviter_name: string | null;
  expires_at: Millis;
  practice_name: string;
}

export interface SetupStatus {
  setup_required: boolean;
  practice_name: string;
}

export interface AuditEventView {
  index: number;
  kind: string;
  at: Millis;
  actor: string | null;
  subject: string | null;
  objects: { kind: string; id: string }[];
  /** The leaf data, base64. */
  leaf: string;
  /** Inclusion proof against the page's checkpoint, base64 hashes. */
  proof: string[];
}

export interface AuditEventPage {
  checkpoint: { size: number; note: string };
  events: AuditEventView[];
  next_cursor: number | null;
}

export interface CareTeamMember {
  id: string;
  role: Role;
  display_name: string;
}

/** A WebAuthn ceremony started by the server: the options are opaque JSON until converted. */
export interface Ceremony {
  ceremony_id: string;
  public_key: unknown;
}

/** A JSON value sent to the server. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Codes that mean an invitation link can no longer be used. */
export const INVITATION_GONE_CODES: readonly string[] = [
  "invitation_not_found",
  "invitation_expired",
  "invitation_used",
  "invitation_revoked",
];

/** A failed API call: the server's stable code and a sentence fit to show to a person. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds to wait before trying again (429 answers only). */
  readonly retryAfterSecs: number | null;

  constructor(status: number, code: string, message: string, retryAfterSecs: number | null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfterSecs = retryAfterSecs;
  }
}

/** Hooks the application installs so every request handles session loss and re-authentication. */
export interface ApiHooks {
  /** Called on 401: the person has no session (any more). */
  onSignedOut: (code: string) => void;
  /** Called on 403 `reauth_required`: resolves true once the person confirmed with a passkey. */
  reauthenticate: () => Promise<boolean>;
}

let hooks: ApiHooks | null = null;

/** Installs the hooks used by every later request. */
export function installApiHooks(h: ApiHooks): void {
  hooks = h;
}

interface RequestOptions {
  /** When false, a 401 is returned to the caller instead of signing the person out (sign-in pages). */
  handleUnauthenticated?: boolean;
  /** When false, a 403 `reauth_required` is returned to the caller as is. */
  handleReauth?: boolean;
}

const NETWORK_MESSAGE =
  "Alcove could not be reached. Check your internet connection, then try again.";
const UNREADABLE_MESSAGE =
  "Something went wrong on the server. Wait a moment, then try again.";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export async function toApiError(response: Response): Promise<ApiError> {
  let code = "http_" + String(response.status);
  let message = UNREADABLE_MESSAGE;
  try {
    const body: unknown = await response.json();
    if (isRecord(body) && isRecord(body.error)) {
      if (typeof body.error.code === "string") code = body.error.code;
      if (typeof body.error.message === "string" && body.error.message.length > 0) {
        message = body.error.message;
      }
    }
  } catch {
    // Not JSON (a proxy page, for example): keep the generic message.
  }
  const retryHeader = response.headers.get("Retry-After");
  const retry = retryHeader === null ? NaN : Number.parseInt(retryHeader, 10);
  const retryAfterSecs = Number.isFinite(retry) && retry >= 0 ? retry : null;
  if (response.status === 429) {
    const wait = retryAfterSecs === null ? "a minute" : plural(retryAfterSecs, "second");
    message = `Too many attempts in a short time. Wait ${wait}, then try again.`;
  }
  return new ApiError(response.status, code, message, retryAfterSecs);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

async function send(method: string, path: string, body: Json | undefined): Promise<Response> {
  const init: RequestInit = {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json" },
  };
  if (method !== "GET") {
    init.headers = { Accept: "application/json", "Content-Type": "application/json" };
    init.body = JSON.stringify(body ?? {});
  }
  try {
    return await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", NETWORK_MESSAGE, null);
  }
}

/** Sends one API request and returns the parsed JSON body (undefined for 204). */
export async function request<T>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: Json,
  options: RequestOptions = {},
): Promise<T> {
  const handleUnauthenticated = options.handleUnauthenticated ?? true;
  const handleReauth = options.handleReauth ?? true;
  let response = await send(method, path, body);
  let error = response.ok ? null : await toApiError(response);

  if (error !== null && error.status === 403 && error.code === "reauth_required" && handleReauth && hooks !== null) {
    const confirmed = await hooks.reauthenticate();
    if (!confirmed) {
      throw new ApiError(403, "reauth_cancelled", "This action needs you to confirm with your passkey. Try again when you are ready.", null);
    }
    response = await send(method, path, body);
    error = response.ok ? null : await toApiError(response);
  }

  if (error !== null) {
    if (error.status === 401 && handleUnauthenticated && hooks !== null) {
      hooks.onSignedOut(error.code);
    }
    throw error;
  }
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(response.status, "bad_response", UNREADABLE_MESSAGE, null);
  }
}

/** Describes any thrown value as a plain-language sentence. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.name === "PasskeyError") return error.message;
  return "Something unexpected went wrong. Reload the page, then try again.";
}

/** Where a consent version's complete text can be downloaded (a Markdown file). */
export function consentDownloadUrl(hash: string): string {
  return `/api/v1/consent/versions/${encodeURIComponent(hash)}/download`;
}

export const api = {
  setupStatus: () => request<SetupStatus>("GET", "/api/v1/setup/status", undefined, { handleUnauthenticated: false }),
  inspect: (token: string) =>
    request<InspectedInvitation>("POST", "/api/v1/invitations/inspect", { token }, { handleUnauthenticated: false }),
  redeemStart: (token: string, displayName: string, phrase: string) =>
    request<Ceremony>(
      "POST",
      "/api/v1/invitations/redeem/start",
      { token, display_name: displayName, anti_phishing_phrase: phrase },
      { handleUnauthenticated: false },
    ),
  redeemFinish: (ceremonyId: string, credential: Json, passkeyName: string) =>
    request<Me>(
      "POST",
      "/api/v1/invitations/redeem/finish",
      { ceremony_id: ceremonyId, credential, passkey_name: passkeyName },
      { handleUnauthenticated: false },
    ),
  authStart: () => request<Ceremony>("POST", "/api/v1/auth/start", {}, { handleUnauthenticated: false }),
  authFinish: (ceremonyId: string, credential: Json) =>
    request<Me>("POST", "/api/v1/auth/finish", { ceremony_id: ceremonyId, credential }, { handleUnauthenticated: false }),
  reauthStart: () => request<Ceremony>("POST", "/api/v1/auth/reauth/start", {}, { handleReauth: false }),
  reauthFinish: (ceremonyId: string, credential: Json) =>
    request<Me>("POST", "/api/v1/auth/reauth/finish", { ceremony_id: ceremonyId, credential }, { handleReauth: false }),
  signOut: () => request<undefined>("POST", "/api/v1/auth/signout", {}, { handleUnauthenticated: false }),
  signOutEverywhere: () => request<undefined>("POST", "/api/v1/auth/signout-everywhere", {}),
  me: (handleUnauthenticated = true) => request<Me>("GET", "/api/v1/me", undefined, { handleUnauthenticated }),
  setPhrase: (phrase: string) => request<Me>("PUT", "/api/v1/me/anti-phishing-phrase", { phrase }),
  passkeys: () => request<{ passkeys: Passkey[] }>("GET", "/api/v1/me/passkeys"),
  passkeyStart: () => request<Ceremony>("POST", "/api/v1/me/passkeys/start", {}),
  passkeyFinish: (ceremonyId: string, credential: Json, name: string) =>
    request<Passkey>("POST", "/api/v1/me/passkeys/finish", { ceremony_id: ceremonyId, credential, name }),
  renamePasskey: (id: string, name: string) =>
    request<Passkey>("PATCH", `/api/v1/me/passkeys/${encodeURIComponent(id)}`, { name }),
  revokePasskey: (id: string) => request<undefined>("DELETE", `/api/v1/me/passkeys/${encodeURIComponent(id)}`),
  invitations: () => request<{ invitations: Invitation[] }>("GET", "/api/v1/invitations"),
  createInvitation: (role: Role, label: string | null) =>
    request<CreatedInvitation>("POST", "/api/v1/invitations", { role, label }),
  revokeInvitation: (id: string) =>
    request<Invitation>("POST", `/api/v1/invitations/${encodeURIComponent(id)}/revoke`, {}),
  people: () => request<{ people: Person[] }>("GET", "/api/v1/people"),
  consentCurrent: () => request<ConsentDocument>("GET", "/api/v1/consent/current"),
  consentVersions: () => request<{ versions: ConsentDocument[] }>("GET", "/api/v1/consent/versions"),
  consentVersion: (hash: string) => request<ConsentDocument>("GET", `/api/v1/consent/versions/${encodeURIComponent(hash)}`),
  publishConsent: (body: string, questions: ConsentQuestion[]) =>
    request<ConsentDocument>("POST", "/api/v1/consent/versions", {
      body,
      questions: questions.map((q) => ({
        id: q.id,
        prompt: q.prompt,
        choices: [...q.choices],
        correct: q.correct,
        explanation: q.explanation,
      })),
    }),
  consentAcceptStart: (documentHash: string, answers: ConsentAnswer[], device: DeviceAnswers) =>
    request<Ceremony>("POST", "/api/v1/consent/accept/start", {
      document_hash: documentHash,
      answers: answers.map((a) => ({ question_id: a.question_id, choice: a.choice })),
      device: { others_use_device: device.others_use_device, device_is_mine: device.device_is_mine },
    }),
  consentAcceptFinish: (ceremonyId: string, credential: Json) =>
    request<ConsentRecord>("POST", "/api/v1/consent/accept/finish", { ceremony_id: ceremonyId, credential }),
  myConsent: () => request<{ status: ConsentStatus; records: ConsentRecord[] }>("GET", "/api/v1/me/consent"),
  auditEvents: (cursor: number) => request<AuditEventPage>("GET", `/api/v1/audit/events?cursor=${cursor}`),
  careTeam: () => request<{ people: CareTeamMember[] }>("GET", "/api/v1/me/care-team"),
  checklists: () => request<{ clients: Checklist[] }>("GET", "/api/v1/clients/checklists"),
  markDiscussed: (clientId: string, item: string) =>
    request<Checklist>(
      "POST",
      `/api/v1/clients/${encodeURIComponent(clientId)}/checklist/${encodeURIComponent(item)}/discussed`,
      {},
    ),
  checklistSummary: () => request<ChecklistSummary>("GET", "/api/v1/checklist/summary"),
  removeDevice: (deviceId: string) => request<undefined>("DELETE", `/api/v1/devices/${encodeURIComponent(deviceId)}`),
  recoveryInvitation: (personId: string) =>
    request<CreatedInvitation>("POST", `/api/v1/people/${encodeURIComponent(personId)}/recovery-invitation`, {}),
};
