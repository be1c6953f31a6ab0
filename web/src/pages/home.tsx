// `/`: the home page for each role. Administrators see the people of the practice and staff
// invitations; clinicians see their clients and client invitations; supervisors and clients get
// a simple page for now.

import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, describeError, type CreatedInvitation, type Invitation, type Me, type Person, type Role } from "../api";
import { useApp } from "../app-context";
import { ClientChecklists, PracticeSummary } from "../components/checklist";
import { AppLink, Field, formatTime, OneTimeLink, PageTitle, roleName } from "../components/common";

export function HomePage({ me }: { me: Me }): JSX.Element {
  return (
    <>
      <PageTitle>Hello, {me.display_name}</PageTitle>
      <p class="muted">
        {roleName(me.role)} at {me.practice_name}
      </p>
      {me.passkey_count === 1 ? <SecondPasskeyNudge /> : null}
      {me.role === "admin" ? <StaffHome me={me} /> : null}
      {me.role === "clinician" ? <StaffHome me={me} /> : null}
      {me.role === "supervisor" ? (
        <section class="card">
          <h2>Consultations</h2>
          <p>Case consultations from clinicians will appear here. There is nothing to review yet.</p>
        </section>
      ) : null}
      {me.role === "client" ? <ClientConsentCard me={me} /> : null}
      {me.role === "client" ? (
        <section class="card">
          <h2>Your space</h2>
          <p>
            Messages and sessions with your clinician will appear here. Only you and your clinician can read what you
            write.
          </p>
        </section>
      ) : null}
    </>
  );
}

function ClientConsentCard({ me }: { me: Me }): JSX.Element {
  const consent = me.consent;
  if (consent === null) return <></>;
  if (consent.required) {
    return (
      <aside class="nudge" aria-label="Before your first message">
        <p>
          <strong>{consent.accepted_hash === null ? "Before your first message" : "There is a new version of how Alcove protects you"}</strong>
          : please read how Alcove protects you and what it cannot protect. It takes about five minutes. You cannot send
          messages until you accept it.
        </p>
        <p>
          <AppLink href="/consent">Start</AppLink>
        </p>
      </aside>
    );
  }
  const p = me.protections;
  return (
    <section class="card" aria-labelledby="consent-card-title">
      <h2 id="consent-card-title">Your consent and protections</h2>
      <p>
        You accepted the current version{consent.accepted_at !== null ? ` on ${formatTime(consent.accepted_at)}` : ""}.{" "}
        <AppLink href="/consent/mine">Read or download what you agreed to</AppLink>.
      </p>
      {p !== null ? (
        <p>
          Alcove locks after {Math.round(p.idle_timeout_secs / 60)} minutes without activity; discreet mode is{" "}
          {p.discreet_mode ? "on" : "off"}; messages are {p.local_history ? "" : "not "}kept on this device.
        </p>
      ) : null}
    </section>
  );
}

function SecondPasskeyNudge(): JSX.Element {
  return (
    <aside class="nudge" aria-label="Add a second passkey">
      <p>
        <strong>You have only one passkey.</strong> Add a second one, for example on your phone, so you can still sign
        in if this device is lost or broken.
      </p>
      <p>
        <AppLink href="/account">Add a passkey</AppLink>
      </p>
    </aside>
  );
}

/** The roles this person may invite; clients are invited by clinicians only. */
function invitableRoles(role: Role): Role[] {
  if (role === "admin") return ["clinician", "supervisor", "admin"];
  if (role === "clinician") return ["client"];
  return [];
}

function StaffHome({ me }: { me: Me }): JSX.Element {
  const { announce } = useApp();
  const [people, setPeople] = useState<Person[] | null>(null);
  const [invitations, setInvitations] = useState<Invitation[] | null>(null);

  const reload = useCallback(() => {
    api
      .people()
      .then((r) => setPeople(r.people))
      .catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
    api
      .invitations()
      .then((r) => setInvitations(r.invitations))
      .catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
  }, [announce]);

  useEffect(reload, [reload]);

  const admin = me.role === "admin";
  return (
    <>
      {admin ? (
        <section class="card" aria-labelledby="summary-title">
          <h2 id="summary-title">How safe are clients' relationships?</h2>
          <PracticeSummary />
          <p>
            <AppLink href="/admin/consent">Edit the consent document</AppLink>
          </p>
        </section>
      ) : (
        <section class="card" aria-labelledby="checklists-title">
          <h2 id="checklists-title">Secureness checklist</h2>
          <p class="muted">What is in place for each client, and what to do next. Items not checked yet do not count as done.</p>
          <ClientChecklists />
        </section>
      )}
      <section class="card" aria-labelledby="people-title">
        <h2 id="people-title">{admin ? "People" : "Your clients"}</h2>
        <PeopleTable me={me} people={people} onChange={reload} />
      </section>
      <section class="card" aria-labelledby="invitations-title">
        <h2 id="invitations-title">{admin ? "Invitations" : "Client invitations"}</h2>
        <InvitationsPanel roles={invitableRoles(me.role)} invitations={invitations} onChange={reload} />
      </section>
    </>
  );
}

function PeopleTable({ me, people, onChange }: { me: Me; people: Person[] | null; onChange: () => void }): JSX.Element {
  const [recoveryFor, setRecoveryFor] = useState<Person | null>(null);
  if (people === null) return <p class="loading">Loading…</p>;
  const others = people.filter((p) => p.id !== me.id);
  if (others.length === 0) {
    return <p>{me.role === "admin" ? "Nobody else has joined yet. Invite your colleagues below." : "No clients yet. Invite a client below."}</p>;
  }
  return (
    <>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Passkeys</th>
              <th scope="col">Last sign-in</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <tr key={person.id}>
                <td>{person.display_name}</td>
                <td>{roleName(person.role)}</td>
                <td>{person.passkey_count}</td>
                <td>{person.last_sign_in_at === null ? "Never" : formatTime(person.last_sign_in_at)}</td>
                <td>
                  {person.id === me.id ? (
                    <span class="muted">You</span>
                  ) : (
                    <button type="button" class="secondary small" onClick={() => setRecoveryFor(person)}>
                      Recovery invitation<span class="visually-hidden"> for {person.display_name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {recoveryFor !== null ? (
        <RecoveryPanel
          key={recoveryFor.id}
          person={recoveryFor}
          onClose={() => {
            setRecoveryFor(null);
            onChange();
          }}
        />
      ) : null}
    </>
  );
}

function RecoveryPanel({ person, onClose }: { person: Person; onClose: () => void }): JSX.Element {
  const { announce } = useApp();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const create = async (): Promise<void> => {
    setBusy(true);
    try {
      const result = await api.recoveryInvitation(person.id);
      setCreated(result);
      announce({ kind: "success", text: "Recovery invitation created. Copy the link now: it is shown only once." });
    } catch (e) {
      announce({ kind: "error", text: describeError(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="recovery-title">
      <h3 id="recovery-title">Recovery invitation for {person.display_name}</h3>
      {created === null ? (
        <>
          <p class="warning">
            <strong>Only issue this after you have confirmed who the person is, by voice or in a session.</strong> Anyone
            holding the link can add a passkey to this account. Never send it in reply to an e-mail or message asking for
            it.
          </p>
          <p>The link lets them register a new passkey. It removes nothing and is recorded.</p>
          <div class="actions">
            <button type="button" onClick={() => void create()} disabled={busy}>
              I have confirmed who they are: create the link
            </button>
            <button type="button" class="secondary" onClick={onClose} disabled={busy}>
              Cancel
            </button>
          </div>
        </>
      ) : (
        <OneTimeLink link={created.link} expiresAt={created.invitation.expires_at} who={person.display_name} onDone={onClose} />
      )}
    </section>
  );
}

const STATUS_NAMES: Record<Invitation["status"], string> = {
  pending: "Waiting",
  redeemed: "Used",
  expired: "Expired",
  revoked: "Revoked",
};

function InvitationsPanel(props: { roles: Role[]; invitations: Invitation[] | null; onChange: () => void }): JSX.Element {
  const { announce } = useApp();
  const [role, setRole] = useState<Role>(props.roles[0] ?? "client");
  const [label, setLabel] = useState("");
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedInvitation | null>(null);

  const create = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const trimmed = label.trim();
      const result = await api.createInvitation(role, trimmed.length > 0 ? trimmed : null);
      setCreated(result);
      setLabel("");
      announce({ kind: "success", text: "Invitation created. Copy the link now: it is shown only once." });
      props.onChange();
    } catch (e) {
      announce({ kind: "error", text: describeError(e) });
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (invitation: Invitation): Promise<void> => {
    try {
      await api.revokeInvitation(invitation.id);
      announce({ kind: "success", text: "The invitation was revoked. Its link no longer works." });
      props.onChange();
    } catch (e) {
      announce({ kind: "error", text: describeError(e) });
    }
  };

  return (
    <>
      {created !== null ? (
        <OneTimeLink
          link={created.link}
          expiresAt={created.invitation.expires_at}
          who={created.invitation.role === "client" ? "your client" : "your colleague"}
          onDone={() => setCreated(null)}
        />
      ) : (
        <form class="invite-form" onSubmit={(e) => void create(e)}>
          {props.roles.length > 1 ? (
            <div class="field">
              <label for="invite-role">Role</label>
              <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
                {props.roles.map((r) => (
                  <option key={r} value={r}>
                    {roleName(r)}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <Field
            label="Note for yourself (optional)"
            value={label}
            onInput={setLabel}
            hint="Helps you recognise this invitation in the list below, for example a first name or initials."
            maxLength={80}
          />
          <button type="submit" disabled={busy}>
            {props.roles.length === 1 && props.roles[0] === "client" ? "Create client invitation" : "Create invitation"}
          </button>
        </form>
      )}
      <InvitationList invitations={props.invitations} onRevoke={(i) => void revoke(i)} />
    </>
  );
}

function InvitationList({ invitations, onRevoke }: { invitations: Invitation[] | null; onRevoke: (i: Invitation) => void }): JSX.Element {
  if (invitations === null) return <p class="loading">Loading…</p>;
  const visible = invitations.filter((i) => i.kind !== "setup");
  if (visible.length === 0) return <p class="muted">No invitations yet.</p>;
  const sorted = [...visible].sort((a, b) => b.created_at - a.created_at);
  return (
    <div class="table-wrap">
      <table>
        <caption>Invitations you can see, newest first</caption>
        <thead>
          <tr>
            <th scope="col">For</th>
            <th scope="col">Note</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((invitation) => (
            <tr key={invitation.id}>
              <td>
                {roleName(invitation.role)}
                {invitation.kind === "recovery" ? " (recovery)" : ""}
              </td>
              <td>{invitation.label ?? ""}</td>
              <td>{formatTime(invitation.created_at)}</td>
              <td>{formatTime(invitation.expires_at)}</td>
              <td>
                <span class={`badge badge-${invitation.status}`}>{STATUS_NAMES[invitation.status]}</span>
              </td>
              <td>
                {invitation.status === "pending" ? (
                  <button type="button" class="secondary small" onClick={() => onRevoke(invitation)}>
                    Revoke<span class="visually-hidden"> invitation created {formatTime(invitation.created_at)}</span>
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
