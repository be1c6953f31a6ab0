// `/messages`: end-to-end encrypted conversations. This browser becomes a device on first use
// (keys made in wasm, kept in IndexedDB under a key only the person's passkey or PIN opens);
// afterwards the page is locked until the person unlocks it. Everything decrypted lives in
// memory and disappears on lock, reload, sign-out or quick exit.
//
// The URL never changes with the conversation shown, and nothing here puts a name in the
// page title.

import { Component, type JSX } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, describeError, type Me } from "../api";
import { useApp } from "../app-context";
import { AppLink, PageTitle } from "../components/common";
import type { AttachmentRef, ChatItem, ConversationState, Messenger, Peer } from "../secure/messenger";
import {
  currentMessenger,
  lockMessages,
  onSessionChange,
  passkeySecret,
  resetBrowser,
  setUpWithPin,
  signInSecret,
  storedDevice,
  unlockWithPin,
  unlockWithSecret,
} from "../secure/session";
import { WrongSecret } from "../secure/vault";
import { loadCore } from "../secure/wasm";
import { MessageText } from "../untrusted/message-text";

type Phase =
  | { kind: "loading" }
  | { kind: "setup"; noPrf: boolean }
  | { kind: "locked"; hasPin: boolean; hasPrf: boolean }
  | { kind: "ready"; messenger: Messenger }
  | { kind: "error"; message: string };

/** Re-renders when the messenger reports a change. */
function useMessengerTick(messenger: Messenger | null): number {
  const [tick, setTick] = useState(0);
  useEffect(() => (messenger === null ? undefined : messenger.subscribe(() => setTick((t) => t + 1))), [messenger]);
  return tick;
}

export function MessagesPage({ me }: { me: Me }): JSX.Element {
  if (me.role === "client" && me.consent?.required === true) {
    // The server refuses messages until consent is current; say so before any set-up.
    return (
      <>
        <PageTitle>Messages</PageTitle>
        <section class="card" aria-labelledby="consent-first">
          <h2 id="consent-first">Before your first message</h2>
          <p>
            Please read how Alcove protects you and what it cannot protect, and answer a few short questions. It takes
            about five minutes. You can send messages once you have accepted it.
          </p>
          <p>
            <AppLink href="/consent">Read how Alcove protects you</AppLink>
          </p>
        </section>
      </>
    );
  }
  return <Messages me={me} />;
}

function Messages({ me }: { me: Me }): JSX.Element {
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Whether conversations were open on this page: locking them then moves focus to the lock
  // screen's heading, so keyboard and screen-reader users learn what happened.
  const wasOpen = useRef(false);
  if (phase.kind === "ready") wasOpen.current = true;

  const decide = async (): Promise<void> => {
    const open = currentMessenger(me.id);
    if (open !== null) {
      setPhase({ kind: "ready", messenger: open });
      return;
    }
    const stored = await storedDevice(me.id);
    // A passkey that just signed in on this page may already have given its secret.
    const secret = signInSecret();
    if (secret !== null) {
      try {
        await start(await unlockWithSecret(me, secret));
        return;
      } catch (e) {
        if (!(e instanceof WrongSecret)) throw e;
      }
    }
    if (stored === null) setPhase({ kind: "setup", noPrf: false });
    else
      setPhase({
        kind: "locked",
        hasPin: stored.wraps.some((w) => w.kind === "pin"),
        hasPrf: stored.wraps.some((w) => w.kind === "prf"),
      });
  };

  const start = async (m: Messenger): Promise<void> => {
    const team = await api.careTeam();
    const peers: Peer[] = team.people.map((p) => ({ id: p.id, displayName: p.display_name, role: p.role }));
    await m.start(peers);
    setPhase({ kind: "ready", messenger: m });
  };

  useEffect(() => {
    decide().catch((e: unknown) => setPhase({ kind: "error", message: describeError(e) }));
    // Locking anywhere (auto-lock, quick exit) takes this page back to the lock screen.
    return onSessionChange(() => {
      if (currentMessenger(me.id) === null) decide().catch((e: unknown) => setPhase({ kind: "error", message: describeError(e) }));
    });
  }, [me.id]);

  const withPasskey = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await loadCore();
      const secret = await passkeySecret();
      if (secret === null) {
        if (phase.kind === "setup") setPhase({ kind: "setup", noPrf: true });
        else setError("Your passkey cannot unlock messages on this browser by itself. Use your PIN.");
        return;
      }
      await start(await unlockWithSecret(me, secret));
    } catch (e) {
      setError(
        e instanceof WrongSecret
          ? "This browser's messages were set up with another passkey or with a PIN. Use that one, or start over on this browser."
          : describeError(e),
      );
    } finally {
      setBusy(false);
    }
  };

  const withPin = async (pin: string, creating: boolean): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await start(creating ? await setUpWithPin(me, pin) : await unlockWithPin(me, pin));
    } catch (e) {
      setError(e instanceof WrongSecret ? "That PIN did not unlock this browser's messages." : describeError(e));
    } finally {
      setBusy(false);
    }
  };

  const startOver = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await resetBrowser(me);
      setPhase({ kind: "setup", noPrf: false });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle>Messages</PageTitle>
      <div role="alert" class={error ? "notice notice-error" : "notice-empty"}>
        {error}
      </div>
      {phase.kind === "loading" ? <p class="loading">Opening your messages…</p> : null}
      {phase.kind === "error" ? <p class="notice notice-error">{phase.message}</p> : null}
      {phase.kind === "setup" ? (
        <SetupPanel noPrf={phase.noPrf} busy={busy} onPasskey={() => void withPasskey()} onPin={(pin) => void withPin(pin, true)} />
      ) : null}
      {phase.kind === "locked" ? (
        <LockedPanel
          takeFocus={wasOpen.current}
          hasPin={phase.hasPin}
          hasPrf={phase.hasPrf}
          busy={busy}
          onPasskey={() => void withPasskey()}
          onPin={(pin) => void withPin(pin, false)}
          onStartOver={() => void startOver()}
        />
      ) : null}
      {phase.kind === "ready" ? (
        <>
          <div class="lock-bar">
            <button type="button" class="secondary" onClick={() => lockMessages()}>
              Lock messages now
            </button>
          </div>
          <Conversations me={me} messenger={phase.messenger} />
        </>
      ) : null}
    </>
  );
}

function SetupPanel({ noPrf, busy, onPasskey, onPin }: { noPrf: boolean; busy: boolean; onPasskey: () => void; onPin: (pin: string) => void }): JSX.Element {
  return (
    <section class="card" aria-labelledby="setup-title">
      <h2 id="setup-title">Set up this browser for messages</h2>
      <p>
        Messages are encrypted on this browser, so only you and the person you write to can read them. This browser
        keeps its keys locked: only your passkey (or a PIN you choose) opens them. Nothing you read is saved on this
        computer.
      </p>
      {noPrf ? (
        <PinForm
          creating
          busy={busy}
          onSubmit={onPin}
          intro="Your passkey cannot protect messages on this browser by itself. Choose a PIN of at least 6 characters that others who use this computer do not know."
        />
      ) : (
        <button type="button" onClick={onPasskey} disabled={busy}>
          {busy ? "Waiting for your passkey…" : "Set up with my passkey"}
        </button>
      )}
    </section>
  );
}

function LockedPanel(props: {
  takeFocus: boolean;
  hasPin: boolean;
  hasPrf: boolean;
  busy: boolean;
  onPasskey: () => void;
  onPin: (pin: string) => void;
  onStartOver: () => void;
}): JSX.Element {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (props.takeFocus) heading.current?.focus();
  }, []);
  return (
    <section class="card" aria-labelledby="locked-title">
      <h2 id="locked-title" tabIndex={-1} ref={heading}>
        Messages are locked
      </h2>
      <p>Nothing from your conversations is on this page. Unlock to read and write.</p>
      {props.hasPrf ? (
        <button type="button" onClick={props.onPasskey} disabled={props.busy}>
          {props.busy ? "Waiting for your passkey…" : "Unlock with my passkey"}
        </button>
      ) : null}
      {props.hasPin ? <PinForm creating={false} busy={props.busy} onSubmit={props.onPin} intro="Enter the PIN you chose for this browser." /> : null}
      <details class="start-over">
        <summary>Cannot unlock?</summary>
        <p>
          You can set this browser up again. Messages it received before cannot be read here afterwards; your
          conversations continue.
        </p>
        <button type="button" class="secondary" onClick={props.onStartOver} disabled={props.busy}>
          Start over on this browser
        </button>
      </details>
    </section>
  );
}

function PinForm({ creating, busy, onSubmit, intro }: { creating: boolean; busy: boolean; onSubmit: (pin: string) => void; intro: string }): JSX.Element {
  const [pin, setPin] = useState("");
  const [again, setAgain] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: Event): void => {
    event.preventDefault();
    if ([...pin].length < 6) {
      setProblem("Use at least 6 characters.");
      return;
    }
    if (creating && pin !== again) {
      setProblem("The two PINs are not the same.");
      return;
    }
    setProblem(null);
    onSubmit(pin);
  };
  return (
    <form class="pin-form" onSubmit={submit}>
      <p>{intro}</p>
      <div class="field">
        <label for="pin">{creating ? "New PIN" : "PIN"}</label>
        <input id="pin" type="password" autoComplete="off" value={pin} onInput={(e) => setPin(e.currentTarget.value)} />
      </div>
      {creating ? (
        <div class="field">
          <label for="pin-again">The same PIN again</label>
          <input id="pin-again" type="password" autoComplete="off" value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
        </div>
      ) : null}
      {problem ? <p class="field-error">{problem}</p> : null}
      <button type="submit" disabled={busy}>
        {busy ? "Working…" : creating ? "Set up with this PIN" : "Unlock"}
      </button>
    </form>
  );
}

function Conversations({ me, messenger }: { me: Me; messenger: Messenger }): JSX.Element {
  useMessengerTick(messenger);
  const peers = [...messenger.conversations.values()];
  const [selected, setSelected] = useState<string | null>(peers.length === 1 ? (peers[0]?.peer.id ?? null) : null);
  if (peers.length === 0) {
    return (
      <p>{me.role === "client" ? "You have no clinician at this practice yet." : "You have no clients yet. Invite one from the home page."}</p>
    );
  }
  const current = selected === null ? undefined : messenger.conversationWith(selected);
  return (
    <div class="messages">
      {peers.length > 1 || me.role === "clinician" ? (
        <nav class="conversation-list" aria-label={me.role === "clinician" ? "Clients" : "Conversations"}>
          <ul>
            {peers.map((c) => (
              <li key={c.peer.id}>
                <button
                  type="button"
                  class={c.peer.id === selected ? "conversation-pick current" : "conversation-pick"}
                  aria-current={c.peer.id === selected ? "true" : undefined}
                  onClick={() => setSelected(c.peer.id)}
                >
                  {c.peer.displayName}
                  {c.unread > 0 ? <span class="unread">{`${c.unread} unread`}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {current !== undefined ? <ConversationView me={me} messenger={messenger} state={current} /> : null}
    </div>
  );
}

function lastSeenText(state: ConversationState, now: number): string {
  if (state.peerLastSeen > 0 && now - state.peerLastSeen < 45_000) return `${state.peer.displayName} is here`;
  return `${state.peer.displayName} has not been active in the last minute`;
}

function ConversationView({ me, messenger, state }: { me: Me; messenger: Messenger; state: ConversationState }): JSX.Element {
  const { announce } = useApp();
  const [draft, setDraft] = useState("");
  const [sending, setSending] = useState(false);
  const [upload, setUpload] = useState<{ name: string; done: number; total: number } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const fileRef = useRef<HTMLInputElement>(null);
  const peerId = state.peer.id;

  useEffect(() => {
    if (state.id === null && state.waiting === null) {
      messenger.ensureConversation(peerId).catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
    }
  }, [peerId, state.id, state.waiting]);

  // Read receipts and unread counts follow what is on screen.
  useEffect(() => {
    messenger.markSeen(peerId);
    const onVisible = (): void => messenger.markSeen(peerId);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      document.removeEventListener("visibilitychange", onVisible);
      if (messenger.visible === state.id) messenger.visible = null;
    };
  }, [peerId, state.id, state.items.length]);

  // Typing and presence indicators age without new events.
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 2000);
    return () => window.clearInterval(timer);
  }, []);

  if (state.waiting !== null) {
    return (
      <section class="conversation" aria-label="Conversation">
        <h2>{state.peer.displayName}</h2>
        <p class="notice notice-info">{state.waiting}</p>
      </section>
    );
  }

  const send = async (event: Event): Promise<void> => {
    event.preventDefault();
    const text = draft.trim();
    if (text.length === 0) return;
    setSending(true);
    try {
      await messenger.sendText(peerId, text);
      setDraft("");
    } catch (e) {
      announce({ kind: "error", text: describeError(e) });
    } finally {
      setSending(false);
    }
  };

  const attach = async (): Promise<void> => {
    const file = fileRef.current?.files?.[0];
    if (file === undefined) return;
    setUpload({ name: file.name, done: 0, total: file.size });
    try {
      await messenger.sendAttachment(peerId, file, (done, total) => setUpload({ name: file.name, done, total }));
      announce({ kind: "success", text: "The file was encrypted and sent." });
    } catch (e) {
      announce({ kind: "error", text: describeError(e) });
    } finally {
      setUpload(null);
      if (fileRef.current !== null) fileRef.current.value = "";
    }
  };

  const typing = state.peerTypingUntil > now;
  // A message sent before the other person has a device here could never be read by them.
  const noPeerDevice = state.id !== null && state.peerDevices.length === 0;
  const cannotSend = state.blocked !== null || state.id === null || noPeerDevice;
  const lastMine = findLast(state.items, (i) => i.mine && (i.kind === "text" || i.kind === "attachment"));
  const canStartLive = me.role === "clinician" && state.live === null;

  return (
    <section class="conversation" aria-labelledby="conversation-title">
      <div class="conversation-head">
        <h2 id="conversation-title">{state.peer.displayName}</h2>
        <p class="presence">{lastSeenText(state, now)}</p>
        {state.verified ? <p class="verified-mark">Verified</p> : <p class="unverified-mark">Not verified yet</p>}
      </div>
      {state.blocked !== null ? (
        <div role="alert" class="notice notice-error">
          <strong>Sending is blocked.</strong> {state.blocked}
        </div>
      ) : null}
      {state.deviceNotice !== null ? (
        <div role="alert" class="device-notice">
          <p>
            <strong>Check before you continue:</strong> {state.deviceNotice}
          </p>
          <button type="button" class="secondary" onClick={() => messenger.dismissDeviceNotice(peerId)}>
            I understand
          </button>
        </div>
      ) : null}
      {noPeerDevice ? (
        <p class="notice notice-info">
          {`${state.peer.displayName} has not set up messages on any device yet. You can write as soon as they have: Alcove adds their device to this conversation when they do.`}
        </p>
      ) : null}
      <LiveBar state={state} canStart={canStartLive && !noPeerDevice} messenger={messenger} />
      <Verification state={state} messenger={messenger} />
      <div class="chat" role="log" aria-label="Messages" aria-live="polite" tabIndex={0}>
        <ol>
          {state.items.map((item) => (
            <ChatLine
              key={item.key}
              item={item}
              peerName={state.peer.displayName}
              messenger={messenger}
              receipt={item === lastMine ? (state.peerReadUpTo >= item.seq ? "Read" : "Delivered") : null}
            />
          ))}
        </ol>
      </div>
      <p class="typing" aria-live="polite">
        {typing ? `${state.peer.displayName} is typing…` : ""}
      </p>
      <form class="composer" onSubmit={(e) => void send(e)}>
        <label for="composer-text">Message</label>
        <textarea
          id="composer-text"
          rows={3}
          value={draft}
          disabled={cannotSend}
          onInput={(e) => {
            setDraft(e.currentTarget.value);
            messenger.typing(peerId);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) void send(e);
          }}
        />
        <div class="actions">
          <button type="submit" disabled={sending || cannotSend}>
            {sending ? "Sending…" : "Send"}
          </button>
          <label class="attach" for="composer-file">
            Attach a file
          </label>
          <input
            id="composer-file"
            type="file"
            ref={fileRef}
            disabled={upload !== null || cannotSend}
            onChange={() => void attach()}
          />
        </div>
        {upload !== null ? (
          <div class="transfer">
            <label for="upload-progress">{`Encrypting and sending ${upload.name}`}</label>
            <progress id="upload-progress" max={Math.max(upload.total, 1)} value={upload.done} />
          </div>
        ) : null}
      </form>
    </section>
  );
}

function LiveBar({ state, canStart, messenger }: { state: ConversationState; canStart: boolean; messenger: Messenger }): JSX.Element | null {
  const { announce } = useApp();
  const act = (run: () => Promise<void>): void => {
    run().catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
  };
  if (state.live !== null) {
    return (
      <div class="live-bar" role="region" aria-label="Live session">
        <p>
          <strong>Live session in progress.</strong> Messages are end-to-end encrypted, as always.
        </p>
        <button type="button" onClick={() => act(() => messenger.endLive(state.peer.id))} disabled={state.blocked !== null}>
          End live session
        </button>
      </div>
    );
  }
  if (!canStart) return null;
  return (
    <div class="live-bar">
      <button type="button" class="secondary" onClick={() => act(() => messenger.startLive(state.peer.id))} disabled={state.blocked !== null || state.id === null}>
        Start live session
      </button>
    </div>
  );
}

function Verification({ state, messenger }: { state: ConversationState; messenger: Messenger }): JSX.Element {
  const [qr, setQr] = useState<{ size: number; modules: Uint8Array } | null>(null);
  const safety = state.safety;
  useEffect(() => {
    if (safety === null) {
      setQr(null);
      return;
    }
    loadCore()
      .then((core) => setQr(core.qrMatrix(safety.qr)))
      .catch(() => setQr(null));
  }, [safety?.digits]);
  return (
    <details class="verification">
      <summary>{state.verified ? "Safety number (verified)" : "Check the safety number"}</summary>
      <p>
        Compare this number with {state.peer.displayName}, in person or on a call. If it is the same on both screens, no
        one can read your conversation in between. It changes when either of you adds a device.
      </p>
      {safety !== null ? (
        <>
          <p class="safety-number" aria-label="Safety number">
            {safety.display}
          </p>
          {qr !== null ? <QrCode matrix={qr} /> : null}
          <p class="muted">{`${state.peer.displayName}'s devices: ${state.peerDevices.map((d) => d.label).join(", ") || "none yet"}`}</p>
          {state.verified ? (
            <p>You confirmed this number.</p>
          ) : (
            <button type="button" onClick={() => void messenger.markVerified(state.peer.id)}>
              The numbers match: mark as verified
            </button>
          )}
        </>
      ) : (
        <p>{`${state.peer.displayName} has no device in this conversation yet.`}</p>
      )}
    </details>
  );
}

function QrCode({ matrix }: { matrix: { size: number; modules: Uint8Array } }): JSX.Element {
  const rects = useMemo(() => {
    const out: JSX.Element[] = [];
    for (let y = 0; y < matrix.size; y += 1) {
      for (let x = 0; x < matrix.size; x += 1) {
        if (matrix.modules[y * matrix.size + x] === 1) out.push(<rect key={`${x}.${y}`} x={x + 4} y={y + 4} width={1} height={1} />);
      }
    }
    return out;
  }, [matrix]);
  const side = matrix.size + 8;
  return (
    <svg class="qr" viewBox={`0 0 ${side} ${side}`} role="img" aria-label="Safety number as a QR code">
      <rect x={0} y={0} width={side} height={side} class="qr-bg" />
      {rects}
    </svg>
  );
}

function findLast<T>(items: T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i];
    if (item !== undefined && test(item)) return item;
  }
  return undefined;
}

interface ChatLineProps {
  item: ChatItem;
  peerName: string;
  messenger: Messenger;
  /** "Read" or "Delivered" under the last message this person sent; null elsewhere. */
  receipt: string | null;
}

/**
 * One line of the conversation. It re-renders only when its own props change (items are never
 * changed once shown): otherwise every keystroke and every message re-rendered, and re-formatted
 * the time of, every line of a long conversation.
 */
class ChatLine extends Component<ChatLineProps> {
  override shouldComponentUpdate(next: ChatLineProps): boolean {
    const now = this.props;
    return next.item !== now.item || next.peerName !== now.peerName || next.messenger !== now.messenger || next.receipt !== now.receipt;
  }

  override render(): JSX.Element {
    return <ChatLineView {...this.props} />;
  }
}

function ChatLineView({ item, peerName, messenger, receipt }: ChatLineProps): JSX.Element {
  const who = item.mine ? "You" : peerName;
  const time = new Date(item.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (item.kind === "marker") {
    return (
      <li class="marker">
        <span>{`${item.text} · ${time}`}</span>
      </li>
    );
  }
  if (item.kind === "notice") {
    return <li class={item.warning ? "chat-notice warning" : "chat-notice"}>{item.text}</li>;
  }
  return (
    <li class={item.mine ? "bubble mine" : "bubble theirs"}>
      <p class="meta">{`${who} · ${time}`}</p>
      {item.kind === "text" ? (
        <MessageText text={item.text} practiceHost={location.hostname} />
      ) : (
        <Attachment attachment={item.attachment} messenger={messenger} />
      )}
      {receipt !== null ? <p class="receipt">{receipt}</p> : null}
    </li>
  );
}

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function Attachment({ attachment, messenger }: { attachment: AttachmentRef; messenger: Messenger }): JSX.Element {
  const { announce } = useApp();
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => () => {
    if (url !== null) URL.revokeObjectURL(url);
  }, [url]);
  const fetchIt = async (): Promise<void> => {
    setProgress({ done: 0, total: attachment.size });
    try {
      const blob = await messenger.download(attachment, (done, total) => setProgress({ done, total }));
      setUrl(URL.createObjectURL(blob));
    } catch (e) {
      announce({ kind: "error", text: describeError(e) });
    } finally {
      setProgress(null);
    }
  };
  // The sender chose the name: show it as text, and save under a name without path parts.
  const safeName = attachment.name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").slice(0, 120) || "attachment";
  return (
    <div class="attachment">
      <p>
        <span class="file-name">{attachment.name}</span> <span class="muted">{`(${humanSize(attachment.size)})`}</span>
      </p>
      {url !== null ? (
        <a href={url} download={safeName}>
          {`Save ${safeName}`}
        </a>
      ) : progress !== null ? (
        <>
          <label for={`dl-${attachment.blobId}`}>{`Downloading and decrypting ${safeName}`}</label>
          <progress id={`dl-${attachment.blobId}`} max={Math.max(progress.total, 1)} value={progress.done} />
        </>
      ) : (
        <button type="button" class="secondary" onClick={() => void fetchIt()}>
          {`Download ${safeName}`}
        </button>
      )}
    </div>
  );
}

export { lockMessages };
