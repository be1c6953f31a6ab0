// The frame around every page: header with navigation, the anti-phishing phrase banner, the
// live region for status messages, and the re-authentication dialog.

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, describeError } from "../api";
import { useApp, type Status } from "../app-context";
import { quickExit } from "../quick-exit";
import { assertPasskey } from "../webauthn";
import { AppLink } from "./common";

export function Header({ onSignOut }: { onSignOut: () => void }): JSX.Element {
  const { me } = useApp();
  return (
    <header class="site-header">
      <div class="bar">
        <span class="brand">{me?.protections?.discreet_mode === true ? "Notes" : "Alcove"}</span>
        {me !== null ? (
          <nav aria-label="Main">
            <ul>
              <li>
                <AppLink href="/">Home</AppLink>
              </li>
              {me.role === "client" || me.role === "clinician" ? (
                <li>
                  <AppLink href="/messages">Messages</AppLink>
                </li>
              ) : null}
              {me.role === "client" ? (
                <li>
                  <AppLink href="/consent/mine">My consent</AppLink>
                </li>
              ) : null}
              {me.role === "client" ? (
                <li>
                  <AppLink href="/account/record-access">Who opened my record</AppLink>
                </li>
              ) : null}
              {me.role === "admin" ? (
                <li>
                  <AppLink href="/admin/consent">Consent document</AppLink>
                </li>
              ) : null}
              <li>
                <AppLink href="/account">Account</AppLink>
              </li>
              <li>
                <button type="button" class="link-button" onClick={onSignOut}>
                  Sign out
                </button>
              </li>
            </ul>
          </nav>
        ) : null}
        {me !== null ? (
          <button type="button" class="quick-exit" onClick={quickExit} aria-describedby="quick-exit-hint">
            Quick exit
          </button>
        ) : null}
        {me !== null ? (
          <p id="quick-exit-hint" class="quick-exit-hint">
            Leaves at once for a neutral site and signs you out. Or press Escape three times.
          </p>
        ) : null}
      </div>
    </header>
  );
}

/** Shown on every page after sign-in, so a look-alike site (which cannot know it) stands out. */
export function PhraseBanner({ phrase }: { phrase: string }): JSX.Element {
  return (
    <aside class="phrase" aria-label="Your anti-phishing phrase">
      <p>
        Your phrase: <strong class="phrase-text">{phrase}</strong>
      </p>
      <p class="phrase-help">If this is not your phrase, close this page.</p>
    </aside>
  );
}

/** The page's live regions: polite for progress and success, assertive for errors. Always in the
 * document, so assistive technology announces every change. */
export function StatusRegion({ status }: { status: Status | null }): JSX.Element {
  const polite = status !== null && status.kind !== "error" ? status : null;
  const error = status !== null && status.kind === "error" ? status : null;
  return (
    <div class="status-area">
      <div role="status" aria-live="polite" class={polite ? `notice notice-${polite.kind}` : "notice-empty"}>
        {polite ? polite.text : null}
      </div>
      <div role="alert" class={error ? "notice notice-error" : "notice-empty"}>
        {error ? error.text : null}
      </div>
    </div>
  );
}

/** Asks the person to confirm with a passkey before a sensitive action; resolves `onDone(true)`
 * once the server has a fresh assertion. */
export function ReauthDialog({ onDone }: { onDone: (confirmed: boolean) => void }): JSX.Element {
  const { setMe } = useApp();
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    return () => {
      if (dialog !== null && dialog.open) dialog.close();
    };
  }, []);

  const confirm = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const ceremony = await api.reauthStart();
      const credential = await assertPasskey(ceremony.public_key);
      const me = await api.reauthFinish(ceremony.ceremony_id, credential);
      setMe(me);
      onDone(true);
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      class="reauth"
      aria-labelledby="reauth-title"
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onDone(false);
      }}
    >
      <h2 id="reauth-title">Confirm it is you</h2>
      <p>For your safety, this action needs a fresh confirmation with your passkey.</p>
      <div role="alert" class={error ? "notice notice-error" : "notice-empty"}>
        {error}
      </div>
      <div class="actions">
        <button type="button" onClick={() => void confirm()} disabled={busy}>
          {busy ? "Waiting for your passkey…" : "Confirm with my passkey"}
        </button>
        <button type="button" class="secondary" onClick={() => onDone(false)} disabled={busy}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
