// The one unlocked device of this page, and how it is set up, unlocked and locked.
//
// Unlocking needs the person: a passkey assertion whose PRF secret opens a wrap of the state
// key, or the device PIN. Locking (auto-lock, quick exit, sign-out) drops the messenger, which
// wipes what it decrypted and its keys; listeners re-render their pages empty.

import { api, type Me } from "../api";
import { assertPasskey, forgetPrfSecret, takePrfSecret } from "../webauthn";
import { wipe } from "./bytes";
import { Messenger } from "./messenger";
import { deleteStored, loadStored, newDeviceId, pinWrap, prfWrap, unwrapWithPin, unwrapWithPrf, WrongSecret, type StoredDevice } from "./vault";
import { loadCore, type AlcoveCore } from "./wasm";

let active: Messenger | null = null;
const listeners = new Set<() => void>();

export function currentMessenger(userId: string): Messenger | null {
  return active !== null && active.userId === userId && !active.isLocked ? active : null;
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(): void {
  for (const l of listeners) l();
}

/** Locks now: the messenger wipes everything it decrypted and its keys. */
export function lockMessages(): void {
  forgetPrfSecret();
  if (active === null) return;
  const m = active;
  active = null;
  m.lock();
  notify();
}

function activate(m: Messenger): Messenger {
  active?.lock();
  active = m;
  notify();
  return m;
}

/** What this browser holds for the person. */
export async function storedDevice(userId: string): Promise<StoredDevice | null> {
  return loadStored(userId);
}

/** A label peers see for this browser: the browser family and system, nothing more. */
function deviceLabel(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const system = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return system === "" ? `${browser} (web)` : `${browser} on ${system} (web)`;
}

/** Asks for the passkey (a re-authentication ceremony) and returns its PRF secret, if it gave one. */
export async function passkeySecret(): Promise<{ credentialId: string; secret: Uint8Array } | null> {
  const ceremony = await api.reauthStart();
  const credential = await assertPasskey(ceremony.public_key);
  await api.reauthFinish(ceremony.ceremony_id, credential);
  return takePrfSecret();
}

/** The secret of the sign-in that just happened on this page, if the passkey gave one. */
export function signInSecret(): { credentialId: string; secret: Uint8Array } | null {
  return takePrfSecret();
}

/** Sets this browser up as a device with a passkey's PRF secret (or opens it, if set up). */
export async function unlockWithSecret(me: Me, secret: { credentialId: string; secret: Uint8Array }): Promise<Messenger> {
  const core = await loadCore();
  try {
    const stored = await loadStored(me.id);
    if (stored === null) {
      const stateKey = core.generateStateKey();
      const wrap = await prfWrap(stateKey, me.id, secret.credentialId, secret.secret);
      return activate(await Messenger.create(core, me.id, newDeviceId(), stateKey, [wrap], deviceLabel()));
    }
    const stateKey = await unwrapWithPrf(stored, secret.credentialId, secret.secret);
    return activate(await Messenger.open(core, stored, stateKey));
  } finally {
    wipe(secret.secret);
  }
}

/** Sets this browser up with a PIN (for passkeys without PRF). */
export async function setUpWithPin(me: Me, pin: string): Promise<Messenger> {
  const core = await loadCore();
  const stateKey = core.generateStateKey();
  const wrap = await pinWrap(core, stateKey, me.id, pin);
  return activate(await Messenger.create(core, me.id, newDeviceId(), stateKey, [wrap], deviceLabel()));
}

/** Opens the stored device with its PIN. */
export async function unlockWithPin(me: Me, pin: string): Promise<Messenger> {
  const core = await loadCore();
  const stored = await loadStored(me.id);
  if (stored === null) throw new WrongSecret();
  const stateKey = await unwrapWithPin(core, stored, pin);
  return activate(await Messenger.open(core, stored, stateKey));
}

/** Forgets this browser's device (here and on the server) so it can be set up again. */
export async function resetBrowser(me: Me): Promise<void> {
  lockMessages();
  const stored = await loadStored(me.id);
  if (stored === null) return;
  await api.removeDevice(stored.deviceId).catch((error: unknown) => {
    // Already removed (or never registered) is fine; anything else stops the reset.
    if (!(error instanceof Error && "status" in error && error.status === 404)) throw error;
  });
  await deleteStored(me.id);
}

export type { AlcoveCore };
