// "Who opened my record": every audit-log event whose subject is the signed-in client, newest
// first, in plain language, each checked in the browser: the fields shown must be those of the
// leaf, the leaf must be included in the page's checkpoint (RFC 9162 inclusion proofs, WebCrypto
// SHA-256), that checkpoint must carry the log key's Ed25519 signature, and the log must still
// contain the checkpoint this browser saw last (a consistency proof; `../audit-log.ts`). A bad
// signature or a rewritten history is shown as such, never as "checked".

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, describeError, type AuditEventPage, type AuditEventView, type CareTeamMember, type Me } from "../api";
import { checkHistory, equalBytes, fetchLogKey, fromBase64, sha256, verifyCheckpointNote, type LogKey, type NoteCheck, type TreeHead } from "../audit-log";
import { formatTime, PageTitle } from "../components/common";

/** At most this many pages of events are fetched (100 events each). */
const MAX_PAGES = 50;

interface Entry {
  event: AuditEventView;
  verified: boolean;
  checkpointSize: number;
}

/** What is wrong with the log as a whole: its checkpoint's signature, or its history. */
type LogProblem = "signature" | "fork";

type Load =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "done"; entries: Entry[]; sizes: number[]; problem: LogProblem | null; previous: TreeHead | null };

/** RFC 9162 section 2.1.3.2: does `proof` lead from the leaf at `index` to `root` in a tree of `size`? */
export async function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: Uint8Array[], root: Uint8Array): Promise<boolean> {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = await sha256(new Uint8Array([0]), leaf);
  const node = new Uint8Array([1]);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(node, p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await sha256(node, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

/** The codes of the leaf encoding (`crates/audit/src/event.rs`; codes never change). */
const KIND_CODES: Record<string, number> = {
  setup_completed: 1,
  invitation_created: 2,
  invitation_redeemed: 3,
  invitation_revoked: 4,
  sign_in: 5,
  sign_out: 6,
  sign_out_everywhere: 7,
  passkey_added: 8,
  passkey_revoked: 9,
  device_added: 10,
  device_removed: 11,
  key_package_published: 12,
  conversation_created: 13,
  membership_changed: 14,
  record_viewed: 15,
  export: 16,
  consent_recorded: 17,
  policy_changed: 18,
  authorization_failed: 19,
};
const OBJECT_CODES: Record<string, number> = {
  user: 1,
  device: 2,
  device_key: 3,
  passkey: 4,
  session: 5,
  invitation: 6,
  conversation: 7,
  care_relationship: 8,
  consultation: 9,
  key_package: 10,
  message: 11,
  attachment: 12,
  export: 13,
  consent_record: 14,
  policy: 15,
};

interface Leaf {
  kind: number;
  at: number;
  actor: string | null;
  subject: string | null;
  objects: { kind: number; id: string }[];
}

/** Decodes a version 1 leaf (big-endian: u8 version, u16 kind, i64 time, optional actor and
 * subject, u8 object count, then u16 kind and id per object); null when malformed. */
export function decodeLeaf(bytes: Uint8Array): Leaf | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number): boolean => at + n <= bytes.length;
  const id = (): string | null => {
    if (!need(1)) return null;
    const len = bytes[at] ?? 0;
    at += 1;
    if (len === 0 || !need(len)) return null;
    const text = String.fromCharCode(...bytes.subarray(at, at + len));
    at += len;
    return /^[A-Za-z0-9_-]+$/.test(text) ? text : null;
  };
  const optional = (): { ok: boolean; value: string | null } => {
    if (!need(1)) return { ok: false, value: null };
    const flag = bytes[at];
    at += 1;
    if (flag === 0) return { ok: true, value: null };
    if (flag !== 1) return { ok: false, value: null };
    const value = id();
    return { ok: value !== null, value };
  };
  if (!need(11) || bytes[0] !== 1) return null;
  const kind = view.getUint16(1);
  const time = Number(view.getBigInt64(3));
  at = 11;
  const actor = optional();
  const subject = optional();
  if (!actor.ok || !subject.ok || !need(1)) return null;
  const count = bytes[at] ?? 0;
  at += 1;
  const objects: { kind: number; id: string }[] = [];
  for (let i = 0; i < count; i += 1) {
    if (!need(2)) return null;
    const objectKind = view.getUint16(at);
    at += 2;
    const objectId = id();
    if (objectId === null) return null;
    objects.push({ kind: objectKind, id: objectId });
  }
  if (at !== bytes.length) return null;
  return { kind, at: time, actor: actor.value, subject: subject.value, objects };
}

/** Whether the fields shown are exactly the ones in the proven leaf. */
function matchesLeaf(event: AuditEventView, leaf: Leaf): boolean {
  return (
    KIND_CODES[event.kind] === leaf.kind &&
    event.at === leaf.at &&
    event.actor === leaf.actor &&
    event.subject === leaf.subject &&
    event.objects.length === leaf.objects.length &&
    event.objects.every((o, i) => OBJECT_CODES[o.kind] === leaf.objects[i]?.kind && o.id === leaf.objects[i]?.id)
  );
}

/** Checks each event of `page` against `head`, the page's checkpoint once its signature holds
 * (null when it does not: then nothing on the page counts as checked). */
async function verifyPage(page: AuditEventPage, head: TreeHead | null): Promise<Entry[]> {
  return Promise.all(
    page.events.map(async (event) => {
      let verified = false;
      if (head !== null && head.size === page.checkpoint.size) {
        try {
          const leaf = fromBase64(event.leaf);
          const decoded = decodeLeaf(leaf);
          verified =
            decoded !== null &&
            matchesLeaf(event, decoded) &&
            (await verifyInclusion(leaf, event.index, head.size, event.proof.map(fromBase64), head.root));
        } catch {
          verified = false;
        }
      }
      return { event, verified, checkpointSize: page.checkpoint.size };
    }),
  );
}

/** Who did it, as the client may know them. */
function actorName(actor: string | null, me: Me, team: CareTeamMember[]): { who: string; you: boolean } {
  if (actor === null) return { who: "The system", you: false };
  if (actor === me.id) return { who: "You", you: true };
  const member = team.find((p) => p.id === actor);
  if (member !== undefined) {
    const role = member.role === "clinician" ? "Your clinician" : "Your care team member";
    return { who: `${role} ${member.display_name}`, you: false };
  }
  return { who: "Someone at the practice", you: false };
}

/** One plain-language sentence for an event whose subject is the client. */
export function describeEvent(event: AuditEventView, me: Me, team: CareTeamMember[]): string {
  const { who, you } = actorName(event.actor, me, team);
  const your = "your";
  const opened = event.objects.some((o) => o.kind === "conversation") ? `${your} conversation` : `${your} record`;
  switch (event.kind) {
    case "record_viewed":
      return `${who} opened ${opened}.`;
    case "export":
      return `${who} exported ${opened}.`;
    case "sign_in":
      return you ? "You signed in." : `${who} signed you in.`;
    case "sign_out":
      return you ? "You signed out." : "You were signed out.";
    case "sign_out_everywhere":
      return you ? "You signed out on every device." : "You were signed out on every device.";
    case "passkey_added":
      return you ? "You added a passkey to your account." : "A passkey was added to your account.";
    case "passkey_revoked":
      return you ? "You removed a passkey from your account." : "A passkey was removed from your account.";
    case "device_added":
      return "A new device was added to your account.";
    case "device_removed":
      return "A device was removed from your account.";
    case "key_package_published":
      return "One of your devices published new encryption keys.";
    case "invitation_created":
      return you ? "You created an invitation." : `${who} invited you to Alcove.`;
    case "invitation_redeemed":
      return "You accepted your invitation and created your account.";
    case "invitation_revoked":
      return `${who} withdrew an invitation for you.`;
    case "conversation_created":
      return `${who} started a conversation with you.`;
    case "membership_changed":
      return "The people in your conversation changed.";
    case "consent_recorded":
      return you ? "You gave your informed consent." : "Your informed consent was recorded.";
    case "policy_changed":
      return `${who} changed a setting that concerns you.`;
    case "authorization_failed":
      return you ? "Something you tried was refused because it is not allowed." : `${who} was refused access to ${your} record.`;
    default:
      return `${who}: an event of kind “${event.kind}” was recorded.`;
  }
}

export function RecordAccessPage({ me }: { me: Me }): JSX.Element {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [team, setTeam] = useState<CareTeamMember[]>([]);

  useEffect(() => {
    let cancelled = false;
    const run = async (): Promise<void> => {
      const [{ people }, key] = await Promise.all([api.careTeam(), fetchLogKey()]);
      const entries: Entry[] = [];
      const sizes: number[] = [];
      const heads: TreeHead[] = [];
      const notes = new Map<string, NoteCheck>();
      let problem: LogProblem | null = null;
      const checkNote = async (note: string, logKey: LogKey): Promise<NoteCheck> => {
        const known = notes.get(note);
        if (known !== undefined) return known;
        const check = await verifyCheckpointNote(note, logKey);
        notes.set(note, check);
        if (check.ok) heads.push(check.head);
        return check;
      };
      let cursor = 0;
      for (let i = 0; i < MAX_PAGES; i += 1) {
        const page = await api.auditEvents(cursor);
        const check = key === null ? null : await checkNote(page.checkpoint.note, key);
        if (check === null || !check.ok) problem = "signature";
        entries.push(...(await verifyPage(page, check?.ok === true ? check.head : null)));
        if (!sizes.includes(page.checkpoint.size)) sizes.push(page.checkpoint.size);
        // Stop at the last page, and when the newest events wait for the next checkpoint.
        if (page.next_cursor === null || page.events.length === 0 || page.next_cursor <= cursor) break;
        cursor = page.next_cursor;
      }
      // Only signed checkpoints may move the remembered one; a forked one never does.
      let previous: TreeHead | null = null;
      if (problem === null) {
        const history = await checkHistory(heads);
        if (history.ok) previous = history.previous;
        else problem = "fork";
      }
      if (problem !== null) for (const entry of entries) entry.verified = false;
      entries.sort((a, b) => b.event.index - a.event.index);
      if (!cancelled) {
        setTeam(people);
        setLoad({ state: "done", entries, sizes, problem, previous });
      }
    };
    run().catch((error: unknown) => {
      if (!cancelled) setLoad({ state: "error", message: describeError(error) });
    });
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <section class="card record-access">
      <PageTitle>Who opened my record</PageTitle>
      <p class="muted">
        Every time someone opens your record or something changes on your account, Alcove writes it to a tamper-evident
        log. This page lists every entry about you, newest first. The log only grows: each entry is sealed into a signed
        summary of the whole log, so an entry cannot be quietly removed or changed without the change being detected.
      </p>
      {load.state === "loading" ? <p class="loading">Loading…</p> : null}
      {load.state === "error" ? (
        <p role="alert" class="notice notice-error">
          {load.message}
        </p>
      ) : null}
      {load.state === "done" && load.problem !== null ? <LogProblemNotice problem={load.problem} /> : null}
      {load.state === "done" ? (
        <EntryList entries={load.entries} sizes={load.sizes} previous={load.problem === null ? load.previous : null} trusted={load.problem === null} me={me} team={team} />
      ) : null}
    </section>
  );
}

/** A calm, plain notice that the list could not be confirmed, and what to do. */
function LogProblemNotice({ problem }: { problem: LogProblem }): JSX.Element {
  return (
    <div role="alert" class="notice notice-error" data-log-check={problem}>
      <p>
        <strong>Your browser could not confirm this list.</strong>
      </p>
      {problem === "signature" ? (
        <p>
          The summary of the practice's log that came with it does not carry the practice's valid signature, so the
          entries below cannot be checked. This can mean the log or the connection to the practice was tampered with.
        </p>
      ) : (
        <p>
          The practice's log no longer matches what your browser checked on an earlier visit: entries that were there
          may have been changed or removed since. This can mean the log was altered.
        </p>
      )}
      <p>Nothing on your account has changed because of this. Please tell your practice about this message so they can look into it.</p>
    </div>
  );
}

function EntryList({
  entries,
  sizes,
  previous,
  trusted,
  me,
  team,
}: {
  entries: Entry[];
  sizes: number[];
  previous: TreeHead | null;
  trusted: boolean;
  me: Me;
  team: CareTeamMember[];
}): JSX.Element {
  if (entries.length === 0) return <p>There are no entries about you yet.</p>;
  const failed = entries.filter((e) => !e.verified).length;
  const checkpoints = sizes.map((s) => `${s} entries`).join(", ");
  return (
    <>
      {!trusted ? null : failed === 0 ? (
        <p class="verified-summary" data-verified="all">
          Checked in your browser: all {entries.length} entries below are exactly as recorded in the practice's log, and
          included in it as of its latest checkpoint ({checkpoints}), which carries the practice's signature.
          {previous === null
            ? " Your browser now remembers this checkpoint, and on your next visit it will check that the log still contains everything in it."
            : ` The log still contains everything it held when your browser last checked it (${previous.size} entries).`}
        </p>
      ) : (
        <p role="alert" class="notice notice-error" data-verified="failed">
          {failed} of {entries.length} entries could not be checked against the log's checkpoint. Tell your practice: this
          can mean the log was altered.
        </p>
      )}
      <ol class="record-events">
        {entries.map(({ event, verified }) => (
          <li key={event.index} data-index={event.index} data-kind={event.kind} data-verified={verified ? "yes" : "no"}>
            <span class="record-event-text">{describeEvent(event, me, team)}</span>{" "}
            <time dateTime={new Date(event.at).toISOString()}>{formatTime(event.at)}</time>
            {verified ? null : <span class="record-event-unverified"> (not verified)</span>}
          </li>
        ))}
      </ol>
    </>
  );
}
