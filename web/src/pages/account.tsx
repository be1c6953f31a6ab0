// `/account`: the person's passkeys (list, rename, remove, add), their anti-phishing phrase,
// and signing out here or everywhere.

import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, ApiError, describeError, type Me, type Passkey } from "../api";
import { useApp } from "../app-context";
import { charLength, Field, formatTime, PageTitle } from "../components/common";
import { createPasskey } from "../webauthn";

export function AccountPage({ me }: { me: Me }): JSX.Element {
  const { announce, setMe } = useApp();
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null);

  const reload = useCallback(() => {
    api
      .passkeys()
      .then((r) => setPasskeys(r.passkeys))
      .catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
    // The passkey count shown elsewhere (the nudge) comes from `Me`.
    api
      .me()
      .then(setMe)
      .catch(() => undefined);
  }, [announce, setMe]);

  useEffect(() => {
    api
      .passkeys()
      .then((r) => setPasskeys(r.passkeys))
      .catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
  }, [announce]);

  return (
    <>
      <PageTitle>Your account</PageTitle>
      <p class="muted">
        {me.display_name} at {me.practice_name}
      </p>
      <PasskeysSection passkeys={passkeys} onChange={reload} />
      <PhraseSection me={me} />
      <SignOutSection />
    </>
  );
}

function PasskeysSection({ passkeys, onChange }: { passkeys: Passkey[] | null; onChange: () => void }): JSX.Element {
  const { announce } = useApp();
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    const n = charLength(name);
    if (n < 1 || n > 80) {
      setNameError("Give the new passkey a name between 1 and 80 characters, for example “My phone”.");
      return;
    }
    setNameError(null);
    setBusy(true);
    announce({ kind: "info", text: "Follow your browser's prompt to create the passkey." });
    try {
      const ceremony = await api.passkeyStart();
      const credential = await createPasskey(ceremony.public_key);
      await api.passkeyFinish(ceremony.ceremony_id, credential, name.trim());
      setName("");
      announce({ kind: "success", text: "The new passkey was added. You can sign in with it from now on." });
      onChange();
    } catch (e) {
      announce({ kind: "error", text: describeError(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      {passkeys !== null && passkeys.length === 1 ? (
        <p class="nudge">
          <strong>You have only one passkey.</strong> Add a second one, for example on your phone, so you can still sign
          in if this device is lost or broken.
        </p>
      ) : null}
      {passkeys === null ? (
        <p class="loading">Loading…</p>
      ) : (
        <ul class="passkeys">
          {passkeys.map((passkey) => (
            <PasskeyItem key={passkey.id} passkey={passkey} onChange={onChange} />
          ))}
        </ul>
      )}
      <form onSubmit={(e) => void add(e)} noValidate>
        <h3>Add a passkey</h3>
        <p class="muted">
          To add a passkey on your phone, open this page on the phone, or choose “use a phone” in your browser's prompt.
        </p>
        <Field
          label="Name for the new passkey"
          value={name}
          onInput={setName}
          hint="For example “My phone” or “Security key”."
          error={nameError}
          maxLength={80}
        />
        <button type="submit" disabled={busy}>
          {busy ? "Waiting for your passkey…" : "Add a passkey"}
        </button>
      </form>
    </section>
  );
}

function PasskeyItem({ passkey, onChange }: { passkey: Passkey; onChange: () => void }): JSX.Element {
  const { announce } = useApp();
  const [renaming, setRenaming] = useState(false);
  const [confirmingRemoval, setConfirmingRemoval] = useState(false);
  const [name, setName] = useState(passkey.name);
  const [busy, setBusy] = useState(false);

  const rename = async (event: Event): Promise<void> => {
    event.preventDefault();
    const n = charLength(name);
    if (n < 1 || n > 80) {
      announce({ kind: "error", text: "A passkey name must be between 1 and 80 characters." });
      return;
    }
    setBusy(true);
    try {
      await api.renamePasskey(passkey.id, name.trim());
      setRenaming(false);
      announce({ kind: "success", text: "The passkey was renamed." });
      onChange();
    } catch (e) {
      announce({ kind: "error", text: describeError(e) });
    } finally {
      setBusy(false);
    }
  };

  const remove = async (): Promise<void> => {
    setBusy(true);
    try {
      await api.revokePasskey(passkey.id);
      announce({ kind: "success", text: "The passkey was removed. It can no longer sign in to your account." });
      onChange();
    } catch (e) {
      if (e instanceof ApiError && e.code === "last_passkey") {
        announce({ kind: "error", text: `${e.message} Add another passkey first, then remove this one.` });
      } else {
        announce({ kind: "error", text: describeError(e) });
      }
      setBusy(false);
      setConfirmingRemoval(false);
    }
  };

  return (
    <li class="passkey">
      <div>
        <strong class="passkey-name">{passkey.name}</strong>
        <p class="muted">
          Added {formatTime(passkey.created_at)}.{" "}
          {passkey.last_used_at === null ? "Not used yet." : `Last used ${formatTime(passkey.last_used_at)}.`}
        </p>
      </div>
      {renaming ? (
        <form class="inline-form" onSubmit={(e) => void rename(e)} noValidate>
          <Field label={`New name for “${passkey.name}”`} value={name} onInput={setName} maxLength={80} />
          <div class="actions">
            <button type="submit" disabled={busy}>
              Save name
            </button>
            <button type="button" class="secondary" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : confirmingRemoval ? (
        <div class="panel">
          <p>Remove “{passkey.name}”? You will no longer be able to sign in with it.</p>
          <div class="actions">
            <button type="button" class="danger" onClick={() => void remove()} disabled={busy}>
              Yes, remove it
            </button>
            <button type="button" class="secondary" onClick={() => setConfirmingRemoval(false)} disabled={busy}>
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <div class="actions">
          <button type="button" class="secondary small" onClick={() => setRenaming(true)}>
            Rename<span class="visually-hidden"> {passkey.name}</span>
          </button>
          <button type="button" class="secondary small" onClick={() => setConfirmingRemoval(true)}>
            Remove<span class="visually-hidden"> {passkey.name}</span>
          </button>
        </div>
      )}
    </li>
  );
}

function PhraseSection({ me }: { me: Me }): JSX.Element {
  const { announce, setMe } = useApp();
  const [phrase, setPhrase] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    const n = charLength(phrase);
    if (n < 3 || n > 64) {
      setError("Choose a phrase between 3 and 64 characters.");
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const updated = await api.setPhrase(phrase.trim());
      setMe(updated);
      setPhrase("");
      announce({ kind: "success", text: "Your anti-phishing phrase was changed. Look for the new one from now on." });
    } catch (e) {
      if (e instanceof ApiError && e.code === "invalid_anti_phishing_phrase") setError(e.message);
      else announce({ kind: "error", text: describeError(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="phrase-title">
      <h2 id="phrase-title">Anti-phishing phrase</h2>
      <p>
        Your phrase is <strong>{me.anti_phishing_phrase}</strong>. We show it on every genuine Alcove page after you sign
        in and in every genuine e-mail. If you don't see it, don't continue.
      </p>
      <form onSubmit={(e) => void save(e)} noValidate>
        <Field label="New phrase" value={phrase} onInput={setPhrase} hint="3 to 64 characters." error={error} maxLength={64} />
        <button type="submit" disabled={busy}>
          Change phrase
        </button>
      </form>
    </section>
  );
}

function SignOutSection(): JSX.Element {
  const { leave, announce } = useApp();
  const [busy, setBusy] = useState(false);
  const everywhere = async (): Promise<void> => {
    setBusy(true);
    try {
      await api.signOutEverywhere();
      leave("You are signed out on all your devices.");
    } catch (e) {
      announce({ kind: "error", text: describeError(e) });
      setBusy(false);
    }
  };
  const here = async (): Promise<void> => {
    setBusy(true);
    await api.signOut().catch(() => undefined);
    leave("You are signed out.");
  };
  return (
    <section class="card" aria-labelledby="signout-title">
      <h2 id="signout-title">Signing out</h2>
      <p>Sign out when you are done, especially on a shared computer.</p>
      <div class="actions">
        <button type="button" onClick={() => void here()} disabled={busy}>
          Sign out
        </button>
      </div>
      <p>
        If you think someone else may be signed in as you, for example on a device you lost, sign out everywhere. This
        ends every session on all your devices, including this one.
      </p>
      <div class="actions">
        <button type="button" class="danger" onClick={() => void everywhere()} disabled={busy}>
          Sign out everywhere
        </button>
      </div>
    </section>
  );
}
