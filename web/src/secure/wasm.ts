// Loads Alcove's Rust core (MLS, attachments, key transparency, PIN keys) compiled to
// WebAssembly. The module is fetched only when a page needs it, so signing in stays light.
// `web/wasm/` is the wasm-bindgen output of `crates/wasm`, copied there by `cargo xtask wasm`.

import type * as Core from "../../wasm/alcove_wasm.js";

export type AlcoveCore = typeof Core;
export type Device = Core.Device;
export type KeyLog = Core.KeyLog;
export type Payload = Core.Payload;

let loading: Promise<AlcoveCore> | null = null;

/** The initialised module (loaded once per page). */
export function loadCore(): Promise<AlcoveCore> {
  if (loading === null) {
    loading = import("../../wasm/alcove_wasm.js").then(async (core) => {
      await core.default();
      return core;
    });
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** The stable code of an error the core threw (`tampered`, `log_fork`, …), or null. */
export function coreErrorCode(error: unknown): string | null {
  if (error instanceof Error && error.name === "AlcoveError" && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return null;
}
