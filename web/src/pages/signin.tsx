// `/signin`: one button, no username. The passkey is discoverable, so the browser offers the
// person's passkeys for this site and the server learns who they are from the one chosen.

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { api, describeError } from "../api";
import { useApp } from "../app-context";
import { PageTitle } from "../components/common";
import { assertPasskey } from "../webauthn";

export function SignInPage({ notice }: { notice: string | null }): JSX.Element {
  const { setMe, navigate, announce } = useApp();
  const [busy, setBusy] = useState(false);

  const signIn = async (): Promise<void> => {
    setBusy(true);
    announce({ kind: "info", text: "Follow your browser's prompt to use your passkey." });
    try {
      const ceremony = await api.authStart();
      const credential = await assertPasskey(ceremony.public_key);
      const me = await api.authFinish(ceremony.ceremony_id, credential);
      setMe(me);
      navigate("/");
      announce({ kind: "success", text: "You are signed in." });
    } catch (error) {
      setBusy(false);
      announce({ kind: "error", text: describeError(error) });
    }
  };

  return (
    <section class="card">
      <PageTitle>Sign in</PageTitle>
      {notice !== null ? <p class="notice notice-info signin-notice">{notice}</p> : null}
      <p>Use the passkey you created for this practice: your fingerprint, face, screen lock or security key.</p>
      <button type="button" onClick={() => void signIn()} disabled={busy}>
        {busy ? "Waiting for your passkey…" : "Sign in with a passkey"}
      </button>
      <h2>Lost your passkeys?</h2>
      <p>
        There is no password to reset. Clients: ask your clinician for a recovery invitation. Practice staff: ask your
        practice administrator. They will confirm who you are by voice or in a session first.
      </p>
    </section>
  );
}
