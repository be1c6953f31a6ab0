// Small building blocks shared by the pages: headings that take focus, labelled fields,
// links that navigate without reloading, and the one-time link panel.

import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Role } from "../api";
import { useApp } from "../app-context";

let navigations = 0;

/** Counts client-side navigations so only pages reached by navigation move the focus. */
export function noteNavigation(): void {
  navigations += 1;
}

/** The page's one `h1`. After a client-side navigation it takes the focus, so keyboard and
 * screen-reader users start reading at the new page. */
export function PageTitle({ children }: { children: ComponentChildren }): JSX.Element {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navigations > 0) ref.current?.focus();
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

/** An in-app link: a real `<a href>` that navigates with `history.pushState`. */
export function AppLink({ href, children, className }: { href: string; children: ComponentChildren; className?: string }): JSX.Element {
  const { navigate } = useApp();
  const onClick = (event: MouseEvent): void => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} class={className}>
      {children}
    </a>
  );
}

let fieldCounter = 0;

function useId(prefix: string): string {
  const ref = useRef<string | null>(null);
  if (ref.current === null) {
    fieldCounter += 1;
    ref.current = `${prefix}-${fieldCounter}`;
  }
  return ref.current;
}

interface FieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: ComponentChildren;
  error?: string | null;
  maxLength?: number;
  required?: boolean;
  autoComplete?: string;
  inputRef?: { current: HTMLInputElement | null };
}

/** A text input with its label, an optional hint and an optional error, all wired for assistive technology. */
export function Field(props: FieldProps): JSX.Element {
  const id = useId("field");
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : null, props.error ? errorId : null].filter((x) => x !== null).join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      <input
        id={id}
        type="text"
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        maxLength={props.maxLength}
        required={props.required ?? false}
        autoComplete={props.autoComplete ?? "off"}
        spellcheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy.length > 0 ? describedBy : undefined}
        ref={props.inputRef ?? null}
      />
      {props.error ? (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** Shows a freshly created link once, with a copy button. */
export function OneTimeLink({ link, expiresAt, who, onDone }: { link: string; expiresAt: number; who: string; onDone: () => void }): JSX.Element {
  const { announce } = useApp();
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const id = useId("link");
  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      announce({ kind: "success", text: "The link was copied. Paste it into a message to " + who + "." });
    } catch {
      inputRef.current?.select();
      announce({ kind: "info", text: "Copying was not allowed here. The link is selected: copy it with your keyboard or menu." });
    }
  };
  return (
    <div class="one-time">
      <p>
        <strong>This link is shown only once.</strong> Copy it now and send it to {who} over a channel you trust (in a
        session, by phone, or a message only they read). It works once and expires on {formatTime(expiresAt)}.
      </p>
      <label for={id}>Invitation link</label>
      <div class="copy-row">
        <input id={id} type="text" readOnly value={link} ref={inputRef} spellcheck={false} />
        <button type="button" onClick={() => void copy()}>
          {copied ? "Copied" : "Copy link"}
        </button>
      </div>
      <button type="button" class="secondary" onClick={onDone}>
        I have sent it, hide the link
      </button>
    </div>
  );
}

const ROLE_NAMES: Record<Role, string> = {
  admin: "Practice administrator",
  clinician: "Clinician",
  supervisor: "Supervisor",
  client: "Client",
};

export function roleName(role: Role): string {
  return ROLE_NAMES[role];
}

/** "a clinician", "an administrator": for sentences. */
export function roleWithArticle(role: Role): string {
  switch (role) {
    case "admin":
      return "a practice administrator";
    case "clinician":
      return "a clinician";
    case "supervisor":
      return "a supervisor";
    case "client":
      return "a client";
  }
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatTime(ms: number): string {
  return dateFormat.format(new Date(ms));
}

/** Trimmed length in characters (not UTF-16 units), as the server counts. */
export function charLength(text: string): number {
  return Array.from(text.trim()).length;
}
