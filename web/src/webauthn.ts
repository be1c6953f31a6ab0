// Passkey ceremonies: converts the server's WebAuthn JSON (webauthn-rs serialisations with
// base64url binary fields) into the browser's option objects, and the browser's credential back
// into JSON. Done by hand on purpose: the server's objects may carry null fields and extension
// keys that the browser's own JSON parsers reject.

import type { Json } from "./api";

/** A passkey operation that did not complete; the message is fit to show to a person. */
export class PasskeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PasskeyError";
  }
}

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Decodes base64url (padding optional) into bytes. */
export function fromBase64Url(text: string): ArrayBuffer {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  const padded = base64 + "===".slice((base64.length + 3) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** Encodes bytes as base64url without padding. */
export function toBase64Url(data: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i] ?? 0);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Drops null and undefined members, recursively, so the browser sees only real values. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(withoutNulls);
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== null && member !== undefined) out[key] = withoutNulls(member);
    }
    return out;
  }
  return value;
}

/** webauthn-rs wraps options as `{publicKey: {...}}`; accept both that and the bare options. */
function unwrap(publicKey: unknown): JsonObject {
  const cleaned = withoutNulls(publicKey);
  if (!isObject(cleaned)) throw malformed();
  const inner = cleaned["publicKey"];
  return isObject(inner) ? inner : cleaned;
}

function malformed(): PasskeyError {
  return new PasskeyError("The server sent passkey options this browser could not read. Reload the page, then try again.");
}

function binary(value: unknown): ArrayBuffer {
  if (typeof value !== "string") throw malformed();
  try {
    return fromBase64Url(value);
  } catch {
    throw malformed();
  }
}

function descriptors(value: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(isObject).map((d) => {
    const descriptor: PublicKeyCredentialDescriptor = { type: "public-key", id: binary(d["id"]) };
    if (Array.isArray(d["transports"])) {
      descriptor.transports = d["transports"].filter((t): t is AuthenticatorTransport => typeof t === "string");
    }
    return descriptor;
  });
}

/** Converts server JSON into options for `navigator.credentials.create`. */
export function toCreationOptions(publicKey: unknown): PublicKeyCredentialCreationOptions {
  const o = unwrap(publicKey);
  const user = o["user"];
  if (!isObject(user)) throw malformed();
  const options = {
    ...o,
    challenge: binary(o["challenge"]),
    user: { ...user, id: binary(user["id"]) },
  } as unknown as PublicKeyCredentialCreationOptions;
  const exclude = descriptors(o["excludeCredentials"]);
  if (exclude !== undefined) options.excludeCredentials = exclude;
  return options;
}

/** Converts server JSON into options for `navigator.credentials.get`. */
export function toRequestOptions(publicKey: unknown): PublicKeyCredentialRequestOptions {
  const o = unwrap(publicKey);
  const options = { ...o, challenge: binary(o["challenge"]) } as unknown as PublicKeyCredentialRequestOptions;
  const allow = descriptors(o["allowCredentials"]);
  if (allow !== undefined) options.allowCredentials = allow;
  return options;
}

function browserError(error: unknown, creating: boolean): PasskeyError {
  const name = error instanceof DOMException ? error.name : "";
  switch (name) {
    case "NotAllowedError":
      return new PasskeyError(
        creating
          ? "The passkey was not created: the request was cancelled or timed out. Try again when you are ready."
          : "Nothing was signed: the passkey request was cancelled or timed out. Try again when you are ready.",
      );
    case "InvalidStateError":
      return new PasskeyError(
        "This device already holds a passkey for your account. Use another device or security key, or sign in with the one you have.",
      );
    case "SecurityError":
      return new PasskeyError(
        "Your browser refused to use a passkey on this address. Make sure you opened the exact link your practice uses.",
      );
    case "NotSupportedError":
      return new PasskeyError(
        "This browser or device cannot create passkeys. Try an up-to-date browser, or your phone.",
      );
    default:
      return new PasskeyError("The passkey step did not work. Try again; if it keeps failing, try another browser or device.");
  }
}

function assertSupported(): void {
  if (typeof window.PublicKeyCredential === "undefined" || !navigator.credentials) {
    throw new PasskeyError(
      "This browser does not support passkeys. Open this page in an up-to-date browser, or on your phone.",
    );
  }
}

/** Creates a passkey with the server's options and returns the registration JSON to send back. */
export async function createPasskey(publicKey: unknown): Promise<Json> {
  assertSupported();
  const created = toCreationOptions(publicKey);
  // Ask for the PRF extension on the new passkey too: some authenticators can evaluate it
  // later only for passkeys created with it.
  const options = { ...created, extensions: { ...(created.extensions ?? {}), prf: {} } as AuthenticationExtensionsClientInputs };
  let credential: Credential | null;
  try {
    credential = await navigator.credentials.create({ publicKey: options });
  } catch (error) {
    throw browserError(error, true);
  }
  if (!(credential instanceof PublicKeyCredential)) throw browserError(null, true);
  const response = credential.response;
  if (!(response instanceof AuthenticatorAttestationResponse)) throw browserError(null, true);
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: "public-key",
    response: {
      attestationObject: toBase64Url(response.attestationObject),
      clientDataJSON: toBase64Url(response.clientDataJSON),
    },
    extensions: {},
  };
}

/**
 * The WebAuthn PRF input Alcove asks every passkey to evaluate: each passkey turns it into its
 * own secret, from which this browser's device key is derived. The secret never leaves the
 * page: the JSON sent to the server carries no extension results.
 */
const PRF_LABEL = "alcove browser device key v1";

/** The last PRF secret a passkey gave, until a page takes it. */
let prfSecret: { credentialId: string; secret: Uint8Array } | null = null;

/** Takes (and forgets) the PRF secret of the last passkey assertion, if the passkey gave one. */
export function takePrfSecret(): { credentialId: string; secret: Uint8Array } | null {
  const taken = prfSecret;
  prfSecret = null;
  return taken;
}

/** Forgets any PRF secret not yet taken (on lock and sign-out). */
export function forgetPrfSecret(): void {
  prfSecret?.secret.fill(0);
  prfSecret = null;
}

async function withPrf(options: PublicKeyCredentialRequestOptions): Promise<PublicKeyCredentialRequestOptions> {
  const first = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(PRF_LABEL));
  const extensions = { ...(options.extensions ?? {}), prf: { eval: { first } } };
  return { ...options, extensions: extensions as AuthenticationExtensionsClientInputs };
}

function keepPrf(credential: PublicKeyCredential): void {
  forgetPrfSecret();
  const results = credential.getClientExtensionResults() as { prf?: { results?: { first?: ArrayBuffer | ArrayBufferView } } };
  const first = results.prf?.results?.first;
  if (first === undefined) return;
  const bytes =
    first instanceof ArrayBuffer
      ? new Uint8Array(first.slice(0))
      : new Uint8Array(first.buffer.slice(first.byteOffset, first.byteOffset + first.byteLength));
  prfSecret = { credentialId: toBase64Url(credential.rawId), secret: bytes };
}

/** Asks for a passkey assertion with the server's options and returns the JSON to send back. */
export async function assertPasskey(publicKey: unknown): Promise<Json> {
  assertSupported();
  const options = await withPrf(toRequestOptions(publicKey));
  let credential: Credential | null;
  try {
    credential = await navigator.credentials.get({ publicKey: options });
  } catch (error) {
    throw browserError(error, false);
  }
  if (!(credential instanceof PublicKeyCredential)) throw browserError(null, false);
  const response = credential.response;
  if (!(response instanceof AuthenticatorAssertionResponse)) throw browserError(null, false);
  keepPrf(credential);
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: "public-key",
    response: {
      authenticatorData: toBase64Url(response.authenticatorData),
      clientDataJSON: toBase64Url(response.clientDataJSON),
      signature: toBase64Url(response.signature),
      userHandle: response.userHandle === null ? null : toBase64Url(response.userHandle),
    },
    extensions: {},
  };
}
