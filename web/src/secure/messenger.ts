// The browser's end-to-end encrypted messaging engine: one unlocked device (the Rust core in
// wasm) talking to the delivery service. It keeps decrypted messages in memory only, persists
// the device's encrypted state after every change, checks every device against the audit log
// before encrypting to it, and tells the page when anything changes.
//
// Every operation that touches the device runs through one queue, so MLS state changes never
// interleave. Conversations follow the server: one per care relationship; whoever's browser
// comes first creates it, and any member adds devices that appear later (after checking each
// in the key-transparency log).

import { ApiError, toApiError } from "../api";
import { forgetPrfSecret } from "../webauthn";
import { b64url, fromB64, fromB64url, hex, randomBytes, wipe } from "./bytes";
import {
  appDataKey,
  openAppData,
  saveStored,
  sealAppData,
  type AppData,
  type StoredDevice,
} from "./vault";
import { coreErrorCode, type AlcoveCore, type Device, type KeyLog, type Payload } from "./wasm";

/** A person on the other side of a conversation. */
export interface Peer {
  id: string;
  displayName: string;
  role: string;
}

/** A reference to an encrypted attachment, as it travels inside a message. */
export interface AttachmentRef {
  blobId: string;
  key: Uint8Array;
  sha256: Uint8Array;
  size: number;
  name: string;
  mime: string;
}

interface ItemBase {
  key: string;
  seq: number;
  mine: boolean;
  at: number;
}

export type ChatItem =
  | (ItemBase & { kind: "text"; text: string })
  | (ItemBase & { kind: "attachment"; attachment: AttachmentRef })
  | (ItemBase & { kind: "marker"; text: string })
  | (ItemBase & { kind: "notice"; text: string; warning: boolean });

export interface SafetyNumberView {
  digits: string;
  display: string;
  qr: Uint8Array;
}

export interface DeviceView {
  id: string;
  label: string;
  mine: boolean;
}

export interface ConversationState {
  peer: Peer;
  /** Null until this browser is in the conversation. */
  id: string | null;
  /** Why it cannot be used yet, in words for the person (waiting to be added, …). */
  waiting: string | null;
  items: ChatItem[];
  unread: number;
  /** Highest sequence number of own messages the peer has read. */
  peerReadUpTo: number;
  peerTypingUntil: number;
  peerLastSeen: number;
  live: { sessionId: string; mine: boolean; at: number } | null;
  safety: SafetyNumberView | null;
  verified: boolean;
  /** Shown prominently until dismissed: the other person's devices changed. */
  deviceNotice: string | null;
  peerDevices: DeviceView[];
  /** Set when the key-transparency check failed: sending is blocked and this says why. */
  blocked: string | null;
}

interface ServerDevice {
  id: string;
  user_id: string;
  signature_key: string;
  label: string;
  removed_at: number | null;
  log_index: number;
}

interface DeliveredMessage {
  conversation_id: string;
  seq: number;
  sender_device: string;
  kind: "application" | "commit";
  epoch: number;
  data: string;
  created_at: number;
}

interface ServerConversation {
  id: string;
  members: string[];
  epoch: number;
  last_seq: number;
  created_at: number;
}

interface WelcomeFrame {
  id: number;
  conversation_id: string;
  seq: number;
  data: string;
}

type ServerFrame =
  | ({ type: "message" } & DeliveredMessage)
  | ({ type: "welcome" } & WelcomeFrame)
  | { type: "device_changed"; user_id: string; device_id: string; removed: boolean }
  | { type: "sent"; ref_id: number; seq: number; epoch: number }
  | { type: "error"; ref_id: number | null; code: string; message: string };

const MAX_REBASES = 5;
const KEY_PACKAGES = 10;
const TYPING_SHOWN_MS = 6000;
const TYPING_SEND_EVERY_MS = 3000;
const PRESENCE_EVERY_MS = 20_000;
const NETWORK_MESSAGE = "Alcove could not be reached. Check your internet connection, then try again.";

export class TransparencyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransparencyError";
  }
}

/** Progress of an attachment transfer: done and total bytes. */
export type Progress = (done: number, total: number) => void;

export class Messenger {
  readonly userId: string;
  readonly deviceId: string;
  private core: AlcoveCore;
  private device: Device | null;
  private stateKey: Uint8Array | null;
  private appKey: CryptoKey | null;
  private stored: StoredDevice;
  private data: AppData;
  private keyLog: KeyLog | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private socket: WebSocket | null = null;
  private reconnectTimer: number | null = null;
  private presenceTimer: number | null = null;
  private listeners = new Set<() => void>();
  private locked = false;
  private lastTypingSent = 0;
  private lastReceiptSent = new Map<string, number>();
  private syncRetries = new Map<string, number>();
  /** The open conversation (read receipts go out for it). */
  visible: string | null = null;
  readonly conversations = new Map<string, ConversationState>();
  private convByPeer = new Map<string, string>();

  private constructor(core: AlcoveCore, device: Device, stateKey: Uint8Array, appKey: CryptoKey, stored: StoredDevice, data: AppData) {
    this.core = core;
    this.device = device;
    this.stateKey = stateKey;
    this.appKey = appKey;
    this.stored = stored;
    this.data = data;
    this.userId = stored.userId;
    this.deviceId = stored.deviceId;
  }

  /** Opens an unlocked device (the state key came from a passkey's PRF secret or a PIN). */
  static async open(core: AlcoveCore, stored: StoredDevice, stateKey: Uint8Array): Promise<Messenger> {
    const appKey = await appDataKey(stateKey, stored.userId);
    const data = await openAppData(appKey, stored);
    const device = core.Device.restore(stored.state, stateKey);
    return new Messenger(core, device, stateKey, appKey, stored, data);
  }

  /** Creates this browser's device, registers it and its key packages, and stores it. */
  static async create(
    core: AlcoveCore,
    userId: string,
    deviceId: string,
    stateKey: Uint8Array,
    wraps: StoredDevice["wraps"],
    label: string,
  ): Promise<Messenger> {
    const device = core.Device.create(userId, deviceId);
    const appKey = await appDataKey(stateKey, userId);
    const data: AppData = { cursors: {}, verified: {}, seenPeerDevices: {}, logNote: null, loggedDevices: {} };
    const stored: StoredDevice = {
      userId,
      deviceId,
      wraps,
      state: device.exportState(stateKey),
      sealed: await sealAppData(appKey, userId, data),
    };
    const m = new Messenger(core, device, stateKey, appKey, stored, data);
    await m.call("POST", "/api/v1/devices", { id: deviceId, signature_key: b64url(device.signatureKey), label });
    const packages = device.keyPackages(KEY_PACKAGES).map(b64url);
    packages.push(b64url(device.lastResortKeyPackage()));
    await m.call("POST", `/api/v1/devices/${deviceId}/key-packages`, { key_packages: packages });
    await m.persist();
    return m;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  get isLocked(): boolean {
    return this.locked;
  }

  /** Wipes everything decrypted and every key from memory; the page must unlock again. */
  lock(): void {
    if (this.locked) return;
    this.locked = true;
    this.socket?.close();
    this.socket = null;
    if (this.reconnectTimer !== null) window.clearTimeout(this.reconnectTimer);
    if (this.presenceTimer !== null) window.clearInterval(this.presenceTimer);
    for (const c of this.conversations.values()) {
      c.items = [];
      c.safety = null;
    }
    this.conversations.clear();
    this.convByPeer.clear();
    try {
      this.device?.free();
    } catch {
      // Already freed.
    }
    this.device = null;
    this.keyLog?.free();
    this.keyLog = null;
    wipe(this.stateKey);
    this.stateKey = null;
    this.appKey = null;
    this.data = { cursors: {}, verified: {}, seenPeerDevices: {}, logNote: null, loggedDevices: {} };
    forgetPrfSecret();
    this.changed();
  }

  private dev(): Device {
    if (this.device === null || this.locked) throw new Error("locked");
    return this.device;
  }

  /** Runs `task` after every earlier one (device operations never interleave). */
  private run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A delivery-service request acting as this device. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json", "X-Alcove-Device": this.deviceId };
    const init: RequestInit = { method, headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError(0, "network", NETWORK_MESSAGE, null);
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** Saves the device state (encrypted by the core) and the sealed app data. */
  private async persist(): Promise<void> {
    if (this.locked || this.stateKey === null || this.appKey === null) return;
    this.stored = {
      ...this.stored,
      state: this.dev().exportState(this.stateKey),
      sealed: await sealAppData(this.appKey, this.userId, this.data),
    };
    await saveStored(this.stored);
  }

  /** Adds a wrap (another passkey) to the stored device. */
  async addWrap(wrap: StoredDevice["wraps"][number]): Promise<void> {
    this.stored = { ...this.stored, wraps: [...this.stored.wraps, wrap] };
    await saveStored(this.stored);
  }

  get wraps(): StoredDevice["wraps"] {
    return this.stored.wraps;
  }

  // ---- Start-up and sync ----

  /** Loads the people this person talks to, joins what it was added to, catches up, connects. */
  async start(peers: Peer[]): Promise<void> {
    for (const peer of peers) {
      if (!this.conversations.has(peer.id)) this.conversations.set(peer.id, emptyConversation(peer));
    }
    await this.run(async () => {
      await this.refreshLog();
      await this.joinWelcomes();
      await this.loadConversations();
    });
    this.connect();
    this.presenceTimer = window.setInterval(() => this.presenceTick(), PRESENCE_EVERY_MS);
    this.changed();
  }

  private async joinWelcomes(): Promise<void> {
    const list = await this.call<{ welcomes: WelcomeFrame[] }>("GET", "/api/v1/welcomes");
    for (const w of list.welcomes) await this.joinWelcome(w);
  }

  private async joinWelcome(w: WelcomeFrame): Promise<void> {
    const device = this.dev();
    if (!device.isMember(w.conversation_id)) {
      try {
        const conv = device.join(fromB64url(w.data));
        if (conv === w.conversation_id) this.data.cursors[conv] = w.seq;
      } catch {
        // A welcome that does not open (stale, or not for this device): drop it below.
      }
      await this.persist();
    }
    await this.call("DELETE", `/api/v1/welcomes/${w.id}`);
  }

  private async loadConversations(retried = false): Promise<void> {
    const list = await this.call<{ conversations: ServerConversation[]; pending: ServerConversation[] }>(
      "GET",
      "/api/v1/conversations",
    );
    const device = this.dev();
    let welcomeOnItsWay = false;
    for (const c of list.conversations) {
      const peerId = c.members.find((m) => m !== this.userId);
      if (peerId === undefined) continue;
      if (!device.isMember(c.id)) {
        // The server already counts this device in (a member added it); its welcome is on the
        // way. Never start another conversation meanwhile.
        const waiting = this.conversations.get(peerId);
        if (waiting !== undefined && waiting.id === null) {
          waiting.waiting = `Joining your conversation with ${waiting.peer.displayName}…`;
        }
        welcomeOnItsWay = true;
        continue;
      }
      const state = this.conversations.get(peerId);
      if (state === undefined || (state.id !== null && state.id !== c.id)) continue;
      state.id = c.id;
      state.waiting = null;
      this.convByPeer.set(c.id, peerId);
      await this.catchUp(c.id);
      await this.syncDevices(c.id);
    }
    for (const c of list.pending) {
      const peerId = c.members.find((m) => m !== this.userId);
      const state = peerId === undefined ? undefined : this.conversations.get(peerId);
      if (state !== undefined && state.id === null) {
        state.waiting = `This browser is new to your conversation with ${state.peer.displayName}. It joins as soon as ${state.peer.displayName} (or another of your devices) is online: messages sent before then cannot be read here.`;
      }
    }
    if (welcomeOnItsWay && !retried) {
      await this.joinWelcomes();
      await this.loadConversations(true);
    }
  }

  /** Fetches and processes everything after the cursor. */
  private async catchUp(conv: string): Promise<void> {
    for (;;) {
      const after = this.data.cursors[conv] ?? 0;
      const page = await this.call<{ messages: DeliveredMessage[] }>(
        "GET",
        `/api/v1/conversations/${conv}/messages?after=${after}`,
      );
      if (page.messages.length === 0) break;
      for (const m of page.messages) await this.processOne(m);
      await this.persist();
      await this.ack(conv);
      if (page.messages.length < 500) break;
    }
  }

  private async ack(conv: string): Promise<void> {
    const seq = this.data.cursors[conv] ?? 0;
    if (seq === 0) return;
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "ack", conversation_id: conv, seq }));
    } else {
      await this.call("POST", `/api/v1/conversations/${conv}/ack`, { seq });
    }
  }

  /** Processes one delivered message in order; returns false if it was out of order. */
  private async processOne(m: DeliveredMessage): Promise<boolean> {
    const conv = m.conversation_id;
    const cursor = this.data.cursors[conv] ?? 0;
    if (m.seq <= cursor) return true;
    if (m.seq !== cursor + 1) return false;
    const peerId = this.convByPeer.get(conv);
    const state = peerId === undefined ? undefined : this.conversations.get(peerId);
    let incoming;
    try {
      incoming = this.dev().process(conv, fromB64url(m.data));
    } catch (error) {
      this.data.cursors[conv] = m.seq;
      if (state !== undefined) {
        const code = coreErrorCode(error) ?? "error";
        state.items.push({
          kind: "notice",
          key: `n${m.seq}`,
          seq: m.seq,
          mine: false,
          at: m.created_at,
          warning: true,
          text: `A message could not be opened on this browser (${code.replace(/_/g, " ")}). It was refused, not shown.`,
        });
      }
      return true;
    }
    this.data.cursors[conv] = m.seq;
    if (state === undefined) return true;
    if (incoming.type === "application") {
      const mine = incoming.sender.userId === this.userId;
      if (!mine) state.peerLastSeen = Date.now();
      this.applyPayload(state, m, incoming.payload, mine);
    } else if (incoming.type === "commit") {
      if (incoming.removedSelf) {
        state.items.push({ kind: "notice", key: `n${m.seq}`, seq: m.seq, mine: false, at: m.created_at, warning: true, text: "This browser was removed from the conversation. It cannot read new messages." });
      }
      await this.refreshMembers(conv, state);
    }
    return true;
  }

  private applyPayload(
    state: ConversationState,
    m: DeliveredMessage,
    payload: Payload,
    mine: boolean,
  ): void {
    const base = { key: `m${m.seq}`, seq: m.seq, mine, at: m.created_at };
    switch (payload.kind) {
      case "text":
        state.items.push({ ...base, kind: "text", text: payload.text });
        if (!mine) this.noteUnread(state);
        break;
      case "attachment":
        state.items.push({
          ...base,
          kind: "attachment",
          attachment: {
            blobId: payload.blobId,
            key: payload.key,
            sha256: payload.sha256,
            size: payload.size,
            name: payload.name,
            mime: payload.mime,
          },
        });
        if (!mine) this.noteUnread(state);
        break;
      case "readReceipt":
        if (!mine) state.peerReadUpTo = Math.max(state.peerReadUpTo, payload.upTo);
        break;
      case "typing":
        if (!mine) state.peerTypingUntil = payload.active ? Date.now() + TYPING_SHOWN_MS : 0;
        break;
      case "liveSessionStart":
        state.live = { sessionId: payload.sessionId, mine, at: m.created_at };
        state.items.push({ ...base, kind: "marker", text: mine ? "You started a live session" : `${state.peer.displayName} started a live session` });
        break;
      case "liveSessionEnd":
        if (state.live?.sessionId === payload.sessionId) state.live = null;
        state.items.push({ ...base, kind: "marker", text: mine ? "You ended the live session" : `${state.peer.displayName} ended the live session` });
        break;
      default:
        state.items.push({ ...base, kind: "notice", warning: false, text: "A message of a kind this browser does not know yet was received. Update Alcove to see it." });
    }
  }

  private noteUnread(state: ConversationState): void {
    if (this.visible !== state.id || document.visibilityState !== "visible") state.unread += 1;
  }

  // ---- Live delivery ----

  private connect(): void {
    if (this.locked) return;
    const url = new URL(`/api/v1/ws?device=${encodeURIComponent(this.deviceId)}`, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    this.socket = socket;
    // Whatever arrived between the last fetch and this connection: welcomes and messages.
    socket.onopen = () => {
      void this.run(async () => {
        await this.joinWelcomes();
        await this.loadConversations();
      })
        .then(() => this.changed())
        .catch(() => undefined);
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== "string") return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        return;
      }
      void this.run(() => this.onFrame(frame)).catch(() => undefined);
    };
    socket.onclose = () => {
      if (this.socket !== socket || this.locked) return;
      this.socket = null;
      this.reconnectTimer = window.setTimeout(() => this.connect(), 2000);
    };
  }

  private async onFrame(frame: ServerFrame): Promise<void> {
    if (this.locked) return;
    switch (frame.type) {
      case "message": {
        const inOrder = await this.processOne(frame);
        if (!inOrder) await this.catchUp(frame.conversation_id);
        await this.persist();
        await this.ack(frame.conversation_id);
        this.maybeSendReceipt(frame.conversation_id);
        break;
      }
      case "welcome":
        await this.joinWelcome(frame);
        await this.loadConversations();
        break;
      case "device_changed":
        for (const conv of this.convByPeer.keys()) await this.syncDevices(conv);
        break;
      default:
        break;
    }
    this.changed();
  }

  // ---- Key transparency ----

  private async refreshLog(): Promise<void> {
    if (this.keyLog === null) {
      const key = await this.call<{ key: string }>("GET", "/api/v1/audit/key");
      try {
        this.keyLog = new this.core.KeyLog(key.key, this.data.logNote ?? undefined);
      } catch {
        throw new TransparencyError("The server's audit log key is not the one this browser saw before.");
      }
    }
    const cp = await this.call<{ note: string; size: number }>("GET", "/api/v1/audit/checkpoint");
    const held = this.keyLog.size;
    let proof: string[] = [];
    if (held > 0 && held < cp.size) {
      const answer = await this.call<{ proof: string[] }>(
        "GET",
        `/api/v1/audit/proof/consistency?from=${held}&to=${cp.size}`,
      );
      proof = answer.proof;
    }
    try {
      this.keyLog.update(cp.note, proof);
    } catch (error) {
      const code = coreErrorCode(error);
      throw new TransparencyError(
        code === "log_fork"
          ? "The server showed this browser a history of its audit log that contradicts what it showed before. Sending is blocked: someone may be trying to swap keys. Tell your practice."
          : "The server's audit log checkpoint is not signed by its key. Sending is blocked: tell your practice.",
      );
    }
    this.data.logNote = this.keyLog.note ?? null;
  }

  /** Checks that a device's key was registered in the audit log (cached once verified). */
  private async checkLogged(device: ServerDevice, signatureKey: Uint8Array): Promise<void> {
    const key = b64url(signatureKey);
    if (key !== device.signature_key) {
      throw new TransparencyError("A device carries another key than it registered. Sending is blocked.");
    }
    if (this.data.loggedDevices[device.id] === key) return;
    if (this.keyLog === null || device.log_index >= this.keyLog.size) await this.refreshLog();
    const log = this.keyLog;
    if (log === null) throw new TransparencyError("The audit log could not be checked.");
    const answer = await this.call<{ leaf: string; index: number; proof: string[] }>(
      "GET",
      `/api/v1/devices/${device.id}/registration?size=${log.size}`,
    );
    if (answer.index !== device.log_index) {
      throw new TransparencyError("A device's registration is not where the server said it is in the audit log. Sending is blocked.");
    }
    try {
      log.verifyRegistration(fromB64(answer.leaf), answer.index, answer.proof, device.user_id, device.id, signatureKey);
    } catch {
      throw new TransparencyError(
        "A device's key is not in the practice's audit log, so Alcove cannot show it to you. Sending is blocked until this is resolved: tell your practice.",
      );
    }
    this.data.loggedDevices[device.id] = key;
  }

  // ---- Membership ----

  private async devicesOf(userId: string): Promise<ServerDevice[]> {
    const list = await this.call<{ devices: ServerDevice[] }>("GET", `/api/v1/users/${userId}/devices`);
    return list.devices;
  }

  /** Adds devices the server lists but the group lacks, and removes removed ones. */
  private async syncDevices(conv: string): Promise<void> {
    const peerId = this.convByPeer.get(conv);
    const state = peerId === undefined ? undefined : this.conversations.get(peerId);
    if (peerId === undefined || state === undefined) return;
    try {
      const listed = [...(await this.devicesOf(peerId)), ...(await this.devicesOf(this.userId))];
      const members = this.dev().members(conv);
      const inGroup = new Set(members.map((m) => m.deviceId));
      const missing = listed.filter((d) => d.removed_at === null && !inGroup.has(d.id));
      const removed = listed.filter((d) => d.removed_at !== null && inGroup.has(d.id) && d.id !== this.deviceId);
      if (missing.length > 0) {
        const added = await this.addDevices(conv, missing);
        // A device announced before it published key packages: look again shortly.
        if (added < missing.length) this.retrySync(conv);
      }
      if (removed.length > 0) {
        const refs = removed.map((d) => ({ userId: d.user_id, deviceId: d.id }));
        await this.commitWithRebase(
          conv,
          () => {
            const present = new Set(this.dev().members(conv).map((m) => m.deviceId));
            const todo = refs.filter((r) => present.has(r.deviceId));
            return todo.length === 0 ? null : this.dev().removeDevices(conv, todo);
          },
          removed.map((d) => d.id),
        );
      }
      for (const m of this.dev().members(conv)) {
        const d = listed.find((x) => x.id === m.deviceId);
        if (d === undefined) throw new TransparencyError("A device in this conversation is not listed by the server. Sending is blocked.");
        await this.checkLogged(d, m.signatureKey);
      }
      state.blocked = null;
      await this.refreshMembers(conv, state, listed);
    } catch (error) {
      if (error instanceof TransparencyError) state.blocked = error.message;
      else throw error;
    }
    await this.persist();
  }

  private retrySync(conv: string): void {
    const tries = this.syncRetries.get(conv) ?? 0;
    if (tries >= 10) return;
    this.syncRetries.set(conv, tries + 1);
    window.setTimeout(() => {
      if (this.locked) return;
      void this.run(() => this.syncDevices(conv))
        .then(() => this.changed())
        .catch(() => undefined);
    }, 700);
  }

  /** Adds the devices it can get key packages for; returns how many. */
  private async addDevices(conv: string, devices: ServerDevice[]): Promise<number> {
    const users = [...new Set(devices.map((d) => d.user_id))];
    const claimed = await this.call<{ key_packages: { user_id: string; device_id: string; key_package: string }[] }>(
      "POST",
      "/api/v1/key-packages/claim",
      { user_ids: users },
    );
    const wanted = new Map(devices.map((d) => [d.id, d]));
    const packages: { deviceId: string; kp: Uint8Array }[] = [];
    for (const c of claimed.key_packages) {
      const d = wanted.get(c.device_id);
      if (d === undefined || c.user_id !== d.user_id) continue;
      const kp = fromB64url(c.key_package);
      // Before this device can read anything: the package must name the device the server
      // listed, and carry the key logged for it in the audit log.
      const info = this.core.inspectKeyPackage(kp);
      if (info.userId !== d.user_id || info.deviceId !== d.id) {
        throw new TransparencyError("A key package names another device than the server says. Sending is blocked.");
      }
      await this.checkLogged(d, info.signatureKey);
      packages.push({ deviceId: d.id, kp });
    }
    if (packages.length === 0) return 0;
    // After a lost race the winner may already have added some: add only what is still missing.
    await this.commitWithRebase(
      conv,
      () => {
        const present = new Set(this.dev().members(conv).map((m) => m.deviceId));
        const todo = packages.filter((p) => !present.has(p.deviceId));
        return todo.length === 0 ? null : this.dev().addDevices(conv, todo.map((p) => p.kp));
      },
      [],
    );
    return packages.length;
  }

  private async commitWithRebase(
    conv: string,
    make: () => { commit: Uint8Array; welcome: Uint8Array | null | undefined; epoch: number } | null,
    removedDevices: string[],
  ): Promise<void> {
    for (let i = 0; i < MAX_REBASES; i += 1) {
      const out = make();
      if (out === null) return;
      try {
        const posted = await this.call<{ seq: number }>("POST", `/api/v1/conversations/${conv}/messages`, {
          message: b64url(out.commit),
          welcome: out.welcome ? b64url(out.welcome) : null,
          removed_devices: removedDevices,
        });
        this.dev().mergePendingCommit(conv);
        if (posted.seq === (this.data.cursors[conv] ?? 0) + 1) this.data.cursors[conv] = posted.seq;
        await this.persist();
        return;
      } catch (error) {
        this.dev().discardPendingCommit(conv);
        if (error instanceof ApiError && error.code === "epoch_conflict") {
          await this.catchUp(conv);
          continue;
        }
        throw error;
      }
    }
    throw new Error("The conversation kept changing; try again.");
  }

  /** Recomputes devices, the safety number and the device-change notice. */
  private async refreshMembers(conv: string, state: ConversationState, listed?: ServerDevice[]): Promise<void> {
    const devices = listed ?? [...(await this.devicesOf(state.peer.id)), ...(await this.devicesOf(this.userId))];
    const members = this.dev().members(conv);
    const peerMembers = members.filter((m) => m.userId === state.peer.id);
    state.peerDevices = peerMembers.map((m) => ({
      id: m.deviceId,
      label: devices.find((d) => d.id === m.deviceId)?.label ?? "Device",
      mine: false,
    }));
    const seen = peerMembers.map((m) => `${m.deviceId}:${b64url(m.signatureKey)}`).sort();
    const before = this.data.seenPeerDevices[conv];
    if (before !== undefined && before.join(",") !== seen.join(",")) {
      const added = seen.filter((s) => !before.includes(s)).length;
      const gone = before.filter((s) => !seen.includes(s)).length;
      const parts: string[] = [];
      if (added > 0) parts.push(`${added === 1 ? "a new device" : `${added} new devices`} joined`);
      if (gone > 0) parts.push(`${gone === 1 ? "a device" : `${gone} devices`} left`);
      state.deviceNotice = `${state.peer.displayName}'s devices changed: ${parts.join(" and ")}. Compare safety numbers again before sharing anything sensitive.`;
      state.items.push({ kind: "notice", key: `d${Date.now()}`, seq: this.data.cursors[conv] ?? 0, mine: false, at: Date.now(), warning: true, text: state.deviceNotice });
    }
    this.data.seenPeerDevices[conv] = seen;
    if (peerMembers.length > 0) {
      const sn = this.dev().safetyNumber(conv, state.peer.id);
      state.safety = { digits: sn.digits, display: sn.display, qr: sn.qr };
      state.verified = this.data.verified[conv] === sn.digits;
      if (!state.verified && this.data.verified[conv] !== undefined) delete this.data.verified[conv];
    } else {
      state.safety = null;
      state.verified = false;
    }
  }

  // ---- What the page asks for ----

  conversationWith(peerId: string): ConversationState | undefined {
    return this.conversations.get(peerId);
  }

  /** Makes sure a conversation with `peerId` exists (creating it if nobody has). */
  ensureConversation(peerId: string): Promise<void> {
    return this.run(async () => {
      const state = this.conversations.get(peerId);
      if (state === undefined || state.id !== null || state.waiting !== null) return;
      const device = this.dev();
      const conv = device.createConversation("care");
      try {
        await this.call("POST", "/api/v1/conversations", { conversation_id: conv, peer: peerId });
      } catch (error) {
        device.forgetConversation(conv);
        throw error;
      }
      state.id = conv;
      this.convByPeer.set(conv, peerId);
      this.data.cursors[conv] = 0;
      await this.persist();
      await this.syncDevices(conv);
    }).finally(() => this.changed());
  }

  private async sendPayload(peerId: string, payload: Payload, show: boolean): Promise<void> {
    await this.run(async () => {
      const state = this.conversations.get(peerId);
      if (state === undefined || state.id === null) throw new Error("no conversation");
      if (state.blocked !== null) throw new TransparencyError(state.blocked);
      const conv = state.id;
      const message = this.dev().encrypt(conv, payload);
      await this.persist();
      const posted = await this.call<{ seq: number }>("POST", `/api/v1/conversations/${conv}/messages`, {
        message: b64url(message),
      });
      if (posted.seq === (this.data.cursors[conv] ?? 0) + 1) {
        this.data.cursors[conv] = posted.seq;
        await this.persist();
      }
      if (show) {
        const fake = { conversation_id: conv, seq: posted.seq, created_at: Date.now() } as DeliveredMessage;
        this.applyPayload(state, fake, payload, true);
      }
    });
    this.changed();
  }

  sendText(peerId: string, text: string): Promise<void> {
    return this.sendPayload(peerId, { kind: "text", text }, true);
  }

  /** Tells the peer this person is typing (at most every few seconds). */
  typing(peerId: string): void {
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    this.lastTypingSent = now;
    void this.sendPayload(peerId, { kind: "typing", active: true }, false).catch(() => undefined);
  }

  startLive(peerId: string): Promise<void> {
    return this.sendPayload(peerId, { kind: "liveSessionStart", sessionId: hex(randomBytes(8)) }, true);
  }

  endLive(peerId: string): Promise<void> {
    const live = this.conversations.get(peerId)?.live;
    if (!live) return Promise.resolve();
    return this.sendPayload(peerId, { kind: "liveSessionEnd", sessionId: live.sessionId }, true);
  }

  /** During a live session, a quiet signal every few seconds so the other side sees presence. */
  private presenceTick(): void {
    for (const [peerId, state] of this.conversations) {
      if (state.live !== null && state.id !== null && state.blocked === null) {
        void this.sendPayload(peerId, { kind: "typing", active: false }, false).catch(() => undefined);
      }
    }
  }

  /** The open conversation was seen: clears unread and tells the peer what was read. */
  markSeen(peerId: string): void {
    const state = this.conversations.get(peerId);
    if (state === undefined || state.id === null) return;
    this.visible = state.id;
    if (state.unread > 0) {
      state.unread = 0;
      this.changed();
    }
    this.maybeSendReceipt(state.id);
  }

  private maybeSendReceipt(conv: string): void {
    if (this.visible !== conv || document.visibilityState !== "visible") return;
    const peerId = this.convByPeer.get(conv);
    const state = peerId === undefined ? undefined : this.conversations.get(peerId);
    if (peerId === undefined || state === undefined) return;
    const lastPeer = [...state.items].reverse().find((i) => !i.mine && (i.kind === "text" || i.kind === "attachment"));
    if (lastPeer === undefined || (this.lastReceiptSent.get(conv) ?? 0) >= lastPeer.seq) return;
    this.lastReceiptSent.set(conv, lastPeer.seq);
    state.unread = 0;
    void this.sendPayload(peerId, { kind: "readReceipt", upTo: lastPeer.seq }, false).catch(() => undefined);
  }

  /** The person compared safety numbers and they matched. */
  async markVerified(peerId: string): Promise<void> {
    const state = this.conversations.get(peerId);
    if (state?.id == null || state.safety === null) return;
    const conv = state.id;
    const digits = state.safety.digits;
    this.data.verified[conv] = digits;
    state.verified = true;
    state.deviceNotice = null;
    await this.run(() => this.persist());
    this.changed();
    // The server checks the digits against the conversation's devices and shows the clinician
    // that this was done (the secureness checklist). The mark here does not depend on it.
    await this.call("POST", `/api/v1/conversations/${conv}/verification`, { safety_number: digits }).catch(() => undefined);
  }

  dismissDeviceNotice(peerId: string): void {
    const state = this.conversations.get(peerId);
    if (state !== undefined) state.deviceNotice = null;
    this.changed();
  }

  /** Encrypts a file in the browser, uploads it with progress, and sends its reference. */
  async sendAttachment(peerId: string, file: File, onProgress: Progress): Promise<void> {
    const state = this.conversations.get(peerId);
    if (state?.id == null) throw new Error("no conversation");
    if (state.blocked !== null) throw new TransparencyError(state.blocked);
    const conv = state.id;
    const encryptor = new this.core.AttachmentEncryptor();
    const parts: Uint8Array[] = [];
    const total = file.size;
    const slice = 1 << 20;
    try {
      for (let at = 0; at < total; at += slice) {
        const piece = new Uint8Array(await file.slice(at, at + slice).arrayBuffer());
        parts.push(encryptor.update(piece));
        onProgress(Math.min(at + slice, total) / 2, total);
      }
      parts.push(encryptor.finish());
      const key = encryptor.key;
      const sha256 = encryptor.hash;
      if (sha256 === undefined) throw new Error("no hash");
      const blob = new Blob(parts.map((p) => p.slice().buffer), { type: "application/octet-stream" });
      const info = await this.upload(conv, blob, (sent) => onProgress(total / 2 + (sent / blob.size) * (total / 2), total));
      onProgress(total, total);
      await this.sendPayload(
        peerId,
        { kind: "attachment", blobId: info.id, key, sha256, size: total, name: file.name.slice(0, 200), mime: file.type.slice(0, 100) },
        true,
      );
    } finally {
      encryptor.free();
    }
  }

  private upload(conv: string, blob: Blob, onSent: (bytes: number) => void): Promise<{ id: string }> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `/api/v1/conversations/${conv}/blobs`);
      xhr.setRequestHeader("X-Alcove-Device", this.deviceId);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) => onSent(e.loaded);
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(JSON.parse(xhr.responseText) as { id: string });
          } catch {
            reject(new Error("bad answer"));
          }
        } else {
          let message = "The attachment could not be uploaded.";
          try {
            const body = JSON.parse(xhr.responseText) as { error?: { message?: string } };
            if (body.error?.message) message = body.error.message;
          } catch {
            // Keep the generic message.
          }
          reject(new ApiError(xhr.status, "upload_failed", message, null));
        }
      };
      xhr.onerror = () => reject(new ApiError(0, "network", NETWORK_MESSAGE, null));
      xhr.send(blob);
    });
  }

  /** Downloads and decrypts an attachment in memory, with progress; returns an inert blob. */
  async download(attachment: AttachmentRef, onProgress: Progress): Promise<Blob> {
    let response: Response;
    try {
      response = await fetch(`/api/v1/blobs/${encodeURIComponent(attachment.blobId)}`, {
        headers: { "X-Alcove-Device": this.deviceId },
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, "network", NETWORK_MESSAGE, null);
    }
    if (!response.ok || response.body === null) throw await toApiError(response);
    const total = Number(response.headers.get("Content-Length") ?? "0") || attachment.size;
    const decryptor = new this.core.AttachmentDecryptor(attachment.key, attachment.sha256);
    const parts: Uint8Array[] = [];
    let done = 0;
    try {
      const reader = response.body.getReader();
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        done += value.byteLength;
        parts.push(decryptor.update(value));
        onProgress(done, total);
      }
      parts.push(decryptor.finish());
    } finally {
      decryptor.free();
    }
    // Never the sender's type: a blob of type text/html would run in this origin if opened.
    return new Blob(parts.map((p) => p.slice().buffer), { type: "application/octet-stream" });
  }
}

function emptyConversation(peer: Peer): ConversationState {
  return {
    peer,
    id: null,
    waiting: null,
    items: [],
    unread: 0,
    peerReadUpTo: 0,
    peerTypingUntil: 0,
    peerLastSeen: 0,
    live: null,
    safety: null,
    verified: false,
    deviceNotice: null,
    peerDevices: [],
    blocked: null,
  };
}
