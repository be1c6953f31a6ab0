// What every page can reach: the signed-in person, navigation, and the status announcer.

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Me } from "./api";

export type StatusKind = "info" | "success" | "error";

export interface Status {
  kind: StatusKind;
  text: string;
}

export interface AppContextValue {
  me: Me | null;
  /** Replaces the signed-in person (after sign-in, a phrase change, a new passkey…). */
  setMe: (me: Me) => void;
  /** Client-side navigation: pushes a history entry and renders the page for `path`. */
  navigate: (path: string) => void;
  /** Shows a message in the page's live region, where screen readers announce it. */
  announce: (status: Status | null) => void;
  /** Forgets everything shown and goes to the sign-in page; `notice` is shown there. */
  leave: (notice: string | null) => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (value === null) throw new Error("useApp outside AppContext");
  return value;
}
