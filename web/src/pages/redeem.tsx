// `/setup` and `/invite`: redeem a first-run setup link, an invitation, or a recovery invitation.
// The token arrives in the URL fragment; it is read once and removed from the address bar
// before anything else happens, and it only ever lives in this page's memory.

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, describeError, INVITATION_GONE_CODES, type InspectedInvitation, type Role } from "../api";
import { useApp } from "../app-context";
import { AppLink, charLength, Field, formatTime, PageTitle, roleWithArticle } from "../components/common";
import { createPasskey } from "../webauthn";

type Phase =
  | { phase: "loading" }
  | { phase: "missing"; alreadySetUp: boolean }
  | { phase: "gone"; code: string; message: string; role: Role | null }
  | { phase: "form"; invitation: InspectedInvitation };

/** Reads the token from the fragment and removes it from the address bar and history entry. */
function takeToken(): string {
  const raw = location.hash.startsWith("#") ? location.hash.slice(1) : location.hash;
  if (raw.length > 0) history.replaceState(history.state, "", location.pathname + location.search);
  try {
    return decodeURIComponent(raw).trim();
  } catch {
    return raw.trim();
  }
}

export function RedeemPage({ kind }: { kind: "setup" | "invite" }): JSX.Element {
  const token = useRef<string | null>(null);
  if (token.current === null) token.current = takeToken();
  const [phase, setPhase] = useState<Phase>({ phase: "loading" });

  useEffect(() => {
    const t = token.current ?? "";
    if (t.length === 0) {
      if (kind === "setup") {
        api
          .setupStatus()
          .then((s) => setPhase({ phase: "missing", alreadySetUp: !s.setup_required }))
          .catch(() => setPhase({ phase: "missing", alreadySetUp: false }));
      } else {
        setPhase({ phase: "missing", alreadySetUp: false });
      }
      return;
    }
    api
      .inspect(t)
      .then((invitation) => setPhase({ phase: "form", invitation }))
      .catch((error: unknown) => {
        if (error instanceof ApiError && INVITATION_GONE_CODES.includes(error.code)) {
          setPhase({ phase: "gone", code: error.code, message: error.message, role: null });
        } else {
          setPhase({ phase: "gone", code: "unavailable", message: describeError(error), role: null });
        }
      });
  }, [kind]);

  switch (phase.phase) {
    case "loading":
      return <p class="loading">Checking your link…</p>;
    case "missing":
      return <MissingToken kind={kind} alreadySetUp={phase.alreadySetUp} />;
    case "gone":
      return <GonePage kind={kind} code={phase.code} message={phase.message} role={phase.role} />;
    case "form":
      return (
        <RedeemForm
          token={token.current ?? ""}
          invitation={phase.invitation}
          onGone={(code, message, role) => setPhase({ phase: "gone", code, message, role })}
        />
      );
  }
}

function MissingToken({ kind, alreadySetUp }: { kind: "setup" | "invite"; alreadySetUp: boolean }): JSX.Element {
  if (kind === "setup" && alreadySetUp) {
    return (
      <section class="card">
        <PageTitle>This practice is already set up</PageTitle>
        <p>The first administrator account exists. If it is yours, sign in with your passkey.</p>
        <p>
          <AppLink href="/signin" className="button">
            Go to sign in
          </AppLink>
        </p>
      </section>
    );
  }
  return (
    <section class="card">
      <PageTitle>This link is incomplete</PageTitle>
      <p>
        {kind === "setup"
          ? "Open the complete setup link that the Alcove server printed when it started. It ends with a # sign followed by a long code."
          : "Open the complete invitation link you received. It ends with a # sign followed by a long code; some apps cut it off, so copy the whole link."}
      </p>
      <p>
        Already have an account? <AppLink href="/signin">Sign in</AppLink>.
      </p>
    </section>
  );
}

const GONE_TITLES: Record<string, string> = {
  invitation_expired: "This invitation has expired",
  invitation_used: "This invitation has already been used",
  invitation_revoked: "This invitation was withdrawn",
  invitation_not_found: "This link is not valid",
};

function nextStep(kind: "setup" | "invite", role: Role | null): string {
  if (kind === "setup") {
    return "A setup link works once and for one hour. If the first account was not created, ask the person who installed Alcove to restart it: it prints a new setup link.";
  }
  if (role === "client") return "Ask your clinician for a new one.";
  if (role !== null) return "Ask your practice administrator for a new one.";
  return "If you are a client, ask your clinician for a new one. If you work at the practice, ask your practice administrator.";
}

function GonePage(props: { kind: "setup" | "invite"; code: string; message: string; role: Role | null }): JSX.Element {
  const title = GONE_TITLES[props.code] ?? "This link cannot be used right now";
  return (
    <section class="card gone">
      <PageTitle>{title}</PageTitle>
      <p>{props.message}</p>
      <p class="next-step">{props.code === "unavailable" ? "Reload the page to try again." : nextStep(props.kind, props.role)}</p>
      <p>
        Already have an account? <AppLink href="/signin">Sign in</AppLink>.
      </p>
    </section>
  );
}

interface FormProps {
  token: string;
  invitation: InspectedInvitation;
  onGone: (code: string, message: string, role: Role) => void;
}

function RedeemForm({ token, invitation, onGone }: FormProps): JSX.Element {
  const { setMe, navigate, announce } = useApp();
  const recovery = invitation.kind === "recovery";
  const [displayName, setDisplayName] = useState("");
  const [phrase, setPhrase] = useState("");
  const [passkeyName, setPasskeyName] = useState("Passkey on this device");
  const [errors, setErrors] = useState<{ name?: string; phrase?: string; passkey?: string }>({});
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const phraseRef = useRef<HTMLInputElement>(null);
  const passkeyRef = useRef<HTMLInputElement>(null);

  const validate = (): boolean => {
    const found: { name?: string; phrase?: string; passkey?: string } = {};
    if (!recovery) {
      const n = charLength(displayName);
      if (n < 1 || n > 80) found.name = "Enter a name between 1 and 80 characters.";
      const p = charLength(phrase);
      if (p < 3 || p > 64) found.phrase = "Choose a phrase between 3 and 64 characters.";
    }
    const k = charLength(passkeyName);
    if (k < 1 || k > 80) found.passkey = "Give the passkey a name between 1 and 80 characters.";
    setErrors(found);
    const first = found.name ? nameRef : found.phrase ? phraseRef : found.passkey ? passkeyRef : null;
    first?.current?.focus();
    return first === null;
  };

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy || !validate()) return;
    setBusy(true);
    announce({ kind: "info", text: "Follow your browser's prompt to create the passkey." });
    try {
      const ceremony = await api.redeemStart(token, recovery ? "" : displayName.trim(), recovery ? "" : phrase.trim());
      const credential = await createPasskey(ceremony.public_key);
      const me = await api.redeemFinish(ceremony.ceremony_id, credential, passkeyName.trim());
      setMe(me);
      navigate("/");
      announce({
        kind: "success",
        text: recovery ? "Your new passkey is ready and you are signed in." : "Your passkey is ready and you are signed in. Welcome to Alcove.",
      });
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && INVITATION_GONE_CODES.includes(error.code)) {
        announce(null);
        onGone(error.code, error.message, invitation.role);
        return;
      }
      if (error instanceof ApiError && error.code === "invalid_display_name") {
        setErrors({ name: error.message });
        nameRef.current?.focus();
        announce(null);
        return;
      }
      if (error instanceof ApiError && error.code === "invalid_anti_phishing_phrase") {
        setErrors({ phrase: error.message });
        phraseRef.current?.focus();
        announce(null);
        return;
      }
      announce({ kind: "error", text: describeError(error) });
    }
  };

  const intro =
    invitation.kind === "setup" ? (
      <p>
        You are creating the first practice administrator account for <strong>{invitation.practice_name}</strong>.
      </p>
    ) : recovery ? (
      <p>
        This recovery link lets you register a new passkey for your existing account at{" "}
        <strong>{invitation.practice_name}</strong>. Nothing else changes: your name, your phrase and any passkeys you
        still have stay as they are.
      </p>
    ) : (
      <p>
        {invitation.inviter_name !== null ? (
          <>
            <strong>{invitation.inviter_name}</strong> invited you
          </>
        ) : (
          "You are invited"
        )}{" "}
        to join <strong>{invitation.practice_name}</strong> as {roleWithArticle(invitation.role)}.
      </p>
    );

  return (
    <section class="card">
      <PageTitle>{invitation.kind === "setup" ? "Set up Alcove" : recovery ? "Add a new passkey" : "Welcome to Alcove"}</PageTitle>
      {intro}
      <p class="muted">This link works once and expires on {formatTime(invitation.expires_at)}.</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {recovery ? null : (
          <>
            <Field
              label="Display name"
              value={displayName}
              onInput={setDisplayName}
              hint="How people at the practice will see you. A first name is enough."
              error={errors.name ?? null}
              maxLength={80}
              required
              autoComplete="nickname"
              inputRef={nameRef}
            />
            <Field
              label="Anti-phishing phrase"
              value={phrase}
              onInput={setPhrase}
              hint={
                <>
                  A few words only you know, for example “blue kettle by the window”. We show this phrase on every genuine
                  Alcove page after you sign in and in every genuine e-mail. If you don't see it, don't continue.
                </>
              }
              error={errors.phrase ?? null}
              maxLength={64}
              required
              inputRef={phraseRef}
            />
          </>
        )}
        <Field
          label="Passkey name"
          value={passkeyName}
          onInput={setPasskeyName}
          hint="Helps you tell your passkeys apart later, for example “Work laptop” or “My phone”."
          error={errors.passkey ?? null}
          maxLength={80}
          required
          inputRef={passkeyRef}
        />
        <p class="muted">
          A passkey replaces a password. Your device keeps a secret that works only on this site, unlocked with your
          fingerprint, face, screen lock or security key. Nobody can phish it from you.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? "Waiting for your passkey…" : "Create my passkey"}
        </button>
      </form>
    </section>
  );
}
