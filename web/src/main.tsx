// Entry point of the Alcove web UI: client-side routing on `location.pathname`, the signed-in
// person, the idle timer, and the hooks that turn 401 and `reauth_required` answers into
// sign-in and re-authentication.

import "./styles.css";
import { render, type JSX } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, installApiHooks, type Me } from "./api";
import { AppContext, type AppContextValue, type Status } from "./app-context";
import { Header, PhraseBanner, ReauthDialog, StatusRegion } from "./components/chrome";
import { noteNavigation } from "./components/common";
import { AccountPage } from "./pages/account";
import { ConsentPage, MyConsentPage } from "./pages/consent";
import { ConsentAdminPage } from "./pages/consent-admin";
import { HomePage } from "./pages/home";
import { MessagesPage } from "./pages/messages";
import { lockMessages } from "./secure/session";
import { installEscapeShortcut, setQuickExitWipe } from "./quick-exit";
import { NotFoundPage } from "./pages/not-found";
import { RecordAccessPage } from "./pages/record-access";
import { RedeemPage } from "./pages/redeem";
import { SignInPage } from "./pages/signin";

export const INACTIVITY_NOTICE = "You were signed out after a period of inactivity. Sign in again to continue.";
const SIGNED_OUT_NOTICE = "You are signed out.";
/** The neutral name shown in discreet mode. */
const DISCREET_TITLE = "Notes";

/** Pages anyone may open; every other page needs a session. */
const PUBLIC_PATHS = new Set(["/setup", "/invite", "/signin"]);

/** Extra time after the server's idle timeout before the UI checks, so the server has decided. */
const IDLE_MARGIN_MS = 1000;

function normalisePath(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

type SessionState = { state: "unknown" } | { state: "signed-out" } | { state: "signed-in"; me: Me };

function App(): JSX.Element {
  const [path, setPath] = useState(() => normalisePath(location.pathname));
  const [session, setSession] = useState<SessionState>({ state: "unknown" });
  const [status, setStatus] = useState<Status | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reauth, setReauth] = useState<((ok: boolean) => void) | null>(null);
  // Bumped whenever the person leaves, so pages holding data are unmounted and rebuilt empty.
  const [generation, setGeneration] = useState(0);

  const me = session.state === "signed-in" ? session.me : null;

  const go = useCallback((to: string, replace: boolean) => {
    const target = normalisePath(to);
    if (replace) history.replaceState(null, "", target);
    else history.pushState(null, "", target);
    noteNavigation();
    setStatus(null);
    setPath(target);
  }, []);

  const leave = useCallback(
    (message: string | null) => {
      lockMessages();
      setSession({ state: "signed-out" });
      setReauth((pending: ((ok: boolean) => void) | null) => {
        pending?.(false);
        return null;
      });
      setNotice(message);
      setGeneration((g) => g + 1);
      go("/signin", true);
    },
    [go],
  );

  const context: AppContextValue = useMemo(
    () => ({
      me,
      setMe: (next: Me) => setSession({ state: "signed-in", me: next }),
      navigate: (to: string) => go(to, false),
      announce: setStatus,
      leave,
    }),
    [me, go, leave],
  );

  // Every request: 401 ends the session in the UI; `reauth_required` opens the dialog.
  useEffect(() => {
    installApiHooks({
      onSignedOut: (code) => leave(code === "session_expired" ? INACTIVITY_NOTICE : null),
      reauthenticate: () => new Promise<boolean>((resolve) => setReauth(() => resolve)),
    });
  }, [leave]);

  useEffect(() => {
    const onPop = (): void => {
      noteNavigation();
      setStatus(null);
      setPath(normalisePath(location.pathname));
    };
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  // Learn who is signed in once, on the first protected or sign-in page.
  useEffect(() => {
    if (session.state !== "unknown" || path === "/setup" || path === "/invite") return;
    let cancelled = false;
    api
      .me(false)
      .then((who) => {
        if (cancelled) return;
        setSession({ state: "signed-in", me: who });
        if (path === "/signin") go("/", true);
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        setSession({ state: "signed-out" });
        const expired = error instanceof Error && "code" in error && error.code === "session_expired";
        if (expired) setNotice(INACTIVITY_NOTICE);
        if (!PUBLIC_PATHS.has(path)) go("/signin", true);
      });
    return () => {
      cancelled = true;
    };
  }, [session.state, path, go]);

  // Quick exit by keyboard (Escape three times) wherever someone is signed in.
  const signedIn = me !== null;
  useEffect(() => (signedIn ? installEscapeShortcut() : undefined), [signedIn]);

  // Discreet mode (set for clients on a shared device): the tab and the header name nothing
  // that says "counselling" to someone glancing at the screen.
  const discreet = me?.protections?.discreet_mode === true;
  useEffect(() => {
    document.title = discreet ? DISCREET_TITLE : "Alcove";
  }, [discreet]);

  // A protected page with nobody signed in goes to the sign-in page.
  useEffect(() => {
    if (session.state === "signed-out" && !PUBLIC_PATHS.has(path)) go("/signin", true);
  }, [session.state, path, go]);

  // Idle timer: restarts on every key press or pointer press; when it fires the server has
  // already ended the session, so ask it (it answers 401) and show the inactivity notice.
  const idleSecs = me?.session.idle_timeout_secs ?? null;
  const timer = useRef<number | null>(null);
  useEffect(() => {
    if (idleSecs === null || idleSecs <= 0) return;
    const fire = (): void => {
      api
        .me(false)
        .then(() => api.signOut().catch(() => undefined))
        .catch(() => undefined)
        .finally(() => leave(INACTIVITY_NOTICE));
    };
    const restart = (): void => {
      if (timer.current !== null) window.clearTimeout(timer.current);
      timer.current = window.setTimeout(fire, idleSecs * 1000 + IDLE_MARGIN_MS);
    };
    restart();
    window.addEventListener("keydown", restart, true);
    window.addEventListener("pointerdown", restart, true);
    return () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
      timer.current = null;
      window.removeEventListener("keydown", restart, true);
      window.removeEventListener("pointerdown", restart, true);
    };
  }, [idleSecs, leave]);

  // Auto-lock: after the practice's inactivity period the conversations are wiped from the page
  // and from memory; unlocking needs the passkey (or the PIN) again. Hiding the tab does not
  // pause it.
  const autoLockSecs = me?.session.auto_lock_secs ?? null;
  useEffect(() => {
    if (autoLockSecs === null || autoLockSecs <= 0) return;
    let lockTimer: number | null = null;
    const restart = (): void => {
      if (lockTimer !== null) window.clearTimeout(lockTimer);
      lockTimer = window.setTimeout(lockMessages, autoLockSecs * 1000);
    };
    restart();
    window.addEventListener("keydown", restart, true);
    window.addEventListener("pointerdown", restart, true);
    return () => {
      if (lockTimer !== null) window.clearTimeout(lockTimer);
      window.removeEventListener("keydown", restart, true);
      window.removeEventListener("pointerdown", restart, true);
    };
  }, [autoLockSecs]);

  const signOut = (): void => {
    api
      .signOut()
      .catch(() => undefined)
      .finally(() => leave(SIGNED_OUT_NOTICE));
  };

  let page: JSX.Element;
  if (path === "/setup" || path === "/invite") {
    page = <RedeemPage kind={path === "/setup" ? "setup" : "invite"} />;
  } else if (path === "/signin") {
    page = session.state === "unknown" ? <Loading /> : <SignInPage notice={notice} />;
  } else if (me === null) {
    page = <Loading />;
  } else if (path === "/") {
    page = <HomePage me={me} />;
  } else if (path === "/messages" && (me.role === "client" || me.role === "clinician")) {
    page = <MessagesPage me={me} />;
  } else if (path === "/account") {
    page = <AccountPage me={me} />;
  } else if (path === "/consent") {
    page = <ConsentPage me={me} />;
  } else if (path === "/account/record-access" && me.role === "client") {
    page = <RecordAccessPage me={me} />;
  } else if (path === "/consent/mine" && me.role === "client") {
    page = <MyConsentPage />;
  } else if (path === "/admin/consent" && me.role === "admin") {
    page = <ConsentAdminPage />;
  } else {
    page = <NotFoundPage />;
  }

  return (
    <AppContext.Provider value={context}>
      <Header onSignOut={signOut} />
      {me !== null ? <PhraseBanner phrase={me.anti_phishing_phrase} /> : null}
      <StatusRegion status={status} />
      <main id="main" key={`${generation}:${path}`}>
        {page}
      </main>
      {reauth !== null ? (
        <ReauthDialog
          onDone={(ok) => {
            setReauth(null);
            reauth(ok);
          }}
        />
      ) : null}
    </AppContext.Provider>
  );
}

function Loading(): JSX.Element {
  return <p class="loading">Loading…</p>;
}

const root = document.getElementById("app");
if (root !== null) {
  // A quick exit unmounts everything, so no component keeps what it showed.
  setQuickExitWipe(() => {
    lockMessages();
    render(null, root);
  });
  render(<App />, root);
}
