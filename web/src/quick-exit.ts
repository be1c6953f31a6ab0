// Quick exit, for someone who needs Alcove off the screen now: wipe the page, end the session
// without waiting, and replace this history entry with a neutral site so Back does not return.
//
// The neutral site is fixed for now (Wikipedia's portal: ordinary, fast, on every network);
// making it configurable per practice is a later change.

/** Where a quick exit goes. */
export const NEUTRAL_URL = "https://www.wikipedia.org/";

/** Escape pressed this many times within `ESCAPE_WINDOW_MS` is a quick exit. */
const ESCAPE_PRESSES = 3;
const ESCAPE_WINDOW_MS = 1500;

let wipe: (() => void) | null = null;
let exited = false;

/** The application registers how to drop its state (unmount everything). */
export function setQuickExitWipe(fn: () => void): void {
  wipe = fn;
}

/** Leaves now. Never throws, never waits for the network. */
export function quickExit(): void {
  exited = true;
  try {
    wipe?.();
  } catch {
    // Keep going: leaving matters more than a clean unmount.
  }
  document.body.replaceChildren();
  document.title = "";
  try {
    // Fire and forget; keepalive lets the request outlive this page. The browser sends the
    // page's Origin with it, which the server's same-origin check requires.
    void fetch("/api/v1/auth/signout", {
      method: "POST",
      keepalive: true,
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: "{}",
    }).catch(() => undefined);
  } catch {
    // The session still ends at its idle timeout.
  }
  location.replace(NEUTRAL_URL);
}

/** Installs the triple-Escape shortcut; returns a function that removes it. */
export function installEscapeShortcut(): () => void {
  let presses: number[] = [];
  const onKey = (event: KeyboardEvent): void => {
    if (event.key !== "Escape") return;
    const now = performance.now();
    presses = presses.filter((t) => now - t <= ESCAPE_WINDOW_MS);
    presses.push(now);
    if (presses.length >= ESCAPE_PRESSES) {
      presses = [];
      quickExit();
    }
  };
  window.addEventListener("keydown", onKey, true);
  return () => window.removeEventListener("keydown", onKey, true);
}

// A page restored from the back-forward cache after a quick exit leaves again at once.
window.addEventListener("pageshow", (event) => {
  if (event.persisted && exited) {
    document.body.replaceChildren();
    location.replace(NEUTRAL_URL);
  }
});
