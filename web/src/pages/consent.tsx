// `/consent`: the informed-consent walk-through — one idea per screen, then the shared-device
// questions, then the comprehension questions with kind, immediate feedback, then acceptance
// signed with a passkey. `/consent/mine`: the version the client accepted, to read and download.

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  api,
  consentDownloadUrl,
  describeError,
  type ConsentDocument,
  type ConsentRecord,
  type ConsentStatus,
  type DeviceAnswers,
  type Me,
} from "../api";
import { useApp } from "../app-context";
import { AppLink, formatTime, PageTitle } from "../components/common";
import { Markdown, MarkdownBlocks, splitSections, type Block } from "../components/markdown";
import { assertPasskey } from "../webauthn";

type Step =
  | { kind: "intro" }
  | { kind: "section"; index: number }
  | { kind: "device" }
  | { kind: "question"; index: number }
  | { kind: "sign" }
  | { kind: "done"; record: ConsentRecord };

/** The heading of one screen; it takes the focus when the screen appears, so screen-reader and
 * keyboard users start reading at the new idea. */
function StepTitle({ children }: { children: string }): JSX.Element {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

const ICONS: string[] = [
  // A padlock: only you and your counsellor.
  "M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z",
  // A screen with a warning mark: what it cannot protect.
  "M3 4h18v12H3zM8 20h8M12 16v4M12 7v4M12 13v.5",
  // A bell: notifications.
  "M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0",
  // A door: quick exit on a shared computer.
  "M6 3h10v18H6zM13 12h.5M16 3l3 2v14l-3 2",
  // A folder: what is kept.
  "M3 6h7l2 2h9v11H3z",
  // Two people: supervision.
  "M8 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM2 20a6 6 0 0 1 12 0M16 11a3 3 0 1 0 0-6M18 20a6 6 0 0 0-3-5",
  // A phone: emergencies.
  "M5 3h4l2 5-3 2a11 11 0 0 0 6 6l2-3 5 2v4a2 2 0 0 1-2 2A17 17 0 0 1 3 5a2 2 0 0 1 2-2z",
  // A list with a check: who opened the record.
  "M4 6h10M4 12h10M4 18h6M16 16l2 2 4-4",
];

function Icon({ index }: { index: number }): JSX.Element {
  const path = ICONS[index % ICONS.length] ?? "";
  return (
    <svg class="step-icon" viewBox="0 0 24 24" width="56" height="56" aria-hidden="true" focusable="false">
      <path d={path} fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

export function ConsentPage({ me }: { me: Me }): JSX.Element {
  const { announce } = useApp();
  const [doc, setDoc] = useState<ConsentDocument | null>(null);
  useEffect(() => {
    api
      .consentCurrent()
      .then(setDoc)
      .catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
  }, [announce]);
  if (doc === null) return <p class="loading">Loading…</p>;
  if (me.role !== "client") {
    return (
      <>
        <PageTitle>The consent document</PageTitle>
        <p>Clients go through this document before their first message. This is the current version ({doc.version}).</p>
        <Markdown source={doc.body} />
      </>
    );
  }
  return <Walkthrough key={doc.hash} doc={doc} />;
}

function Walkthrough({ doc }: { doc: ConsentDocument }): JSX.Element {
  const { announce, setMe, navigate } = useApp();
  const parts = splitSections(doc.body);
  const steps: Step[] = [
    { kind: "intro" },
    ...parts.sections.map((_, index): Step => ({ kind: "section", index })),
    { kind: "device" },
    ...doc.questions.map((_, index): Step => ({ kind: "question", index })),
    { kind: "sign" },
  ];
  const [position, setPosition] = useState(0);
  const [doneRecord, setDoneRecord] = useState<ConsentRecord | null>(null);
  const [device, setDevice] = useState<{ others: boolean | null; mine: boolean | null }>({ others: null, mine: null });
  const [choices, setChoices] = useState<(number | null)[]>(() => doc.questions.map(() => null));
  const [checked, setChecked] = useState<(number | null)[]>(() => doc.questions.map(() => null));
  const [busy, setBusy] = useState(false);

  const step: Step = doneRecord !== null ? { kind: "done", record: doneRecord } : (steps[position] ?? { kind: "intro" });
  const total = steps.length;
  const next = (): void => {
    announce(null);
    setPosition((p) => Math.min(p + 1, total - 1));
  };
  const back = (): void => {
    announce(null);
    setPosition((p) => Math.max(p - 1, 0));
  };

  const progress =
    step.kind === "done" ? null : (
      <p class="muted step-count">
        Step {position + 1} of {total}
      </p>
    );

  const nav = (canGoOn: boolean, nextLabel = "Next"): JSX.Element => (
    <div class="actions">
      {position > 0 ? (
        <button type="button" class="secondary" onClick={back}>
          Back
        </button>
      ) : null}
      {canGoOn ? (
        <button type="button" onClick={next}>
          {nextLabel}
        </button>
      ) : null}
    </div>
  );

  if (step.kind === "intro") {
    return (
      <div class="walkthrough" key="intro">
        {progress}
        <StepTitle>{parts.title || "How we protect your messages"}</StepTitle>
        <MarkdownBlocks blocks={parts.intro} />
        {nav(true, "Start")}
      </div>
    );
  }

  if (step.kind === "section") {
    const section = parts.sections[step.index];
    return (
      <div class="walkthrough" key={`section-${step.index}`}>
        {progress}
        <Icon index={step.index} />
        <StepTitle>{section?.title ?? ""}</StepTitle>
        <MarkdownBlocks blocks={section?.blocks ?? ([] as Block[])} headingOffset={1} />
        {nav(true)}
      </div>
    );
  }

  if (step.kind === "device") {
    const answered = device.others !== null && device.mine !== null;
    return (
      <div class="walkthrough" key="device">
        {progress}
        <StepTitle>About this device</StepTitle>
        <p>There is no wrong answer here. Your answers set safer settings for you, and your counsellor can see them.</p>
        <YesNo
          name="others"
          legend="Does anyone else ever use this device?"
          value={device.others}
          onChange={(v) => setDevice((d) => ({ ...d, others: v }))}
        />
        <YesNo
          name="mine"
          legend="Is this device yours alone? (Not a work, school, library or family device.)"
          value={device.mine}
          onChange={(v) => setDevice((d) => ({ ...d, mine: v }))}
        />
        {answered ? <ProtectionsPreview others={device.others === true} mine={device.mine === true} /> : null}
        {nav(answered)}
      </div>
    );
  }

  if (step.kind === "question") {
    const q = doc.questions[step.index];
    if (q === undefined) return <p>Missing question.</p>;
    const choice = choices[step.index] ?? null;
    const answered = checked[step.index] ?? null;
    const right = answered !== null && answered === q.correct;
    const check = (event: Event): void => {
      event.preventDefault();
      if (choice === null) {
        announce({ kind: "error", text: "Choose an answer first." });
        return;
      }
      setChecked((c) => c.map((v, i) => (i === step.index ? choice : v)));
    };
    return (
      <div class="walkthrough" key={`question-${step.index}`}>
        {progress}
        <StepTitle>{`Question ${step.index + 1} of ${doc.questions.length}`}</StepTitle>
        <form onSubmit={check} class="question">
          <fieldset>
            <legend>{q.prompt}</legend>
            {q.choices.map((text, i) => (
              <label class="choice" key={i}>
                <input
                  type="radio"
                  name={`q-${q.id}`}
                  value={String(i)}
                  checked={choice === i}
                  onChange={() => setChoices((c) => c.map((v, j) => (j === step.index ? i : v)))}
                />{" "}
                {text}
              </label>
            ))}
          </fieldset>
          <div class="actions">
            <button type="submit" class={right ? "secondary" : ""}>
              Check my answer
            </button>
          </div>
        </form>
        <div role="status" class="feedback-area">
          {answered === null ? null : right ? (
            <div class="feedback feedback-right">
              <p>
                <strong>That's right.</strong> {q.explanation}
              </p>
            </div>
          ) : (
            <div class="feedback feedback-wrong">
              <p>
                <strong>Not quite, and that's OK.</strong> {q.explanation}
              </p>
              <p>Choose another answer, then check again.</p>
            </div>
          )}
        </div>
        {nav(right, step.index + 1 === doc.questions.length ? "Continue" : "Next question")}
      </div>
    );
  }

  if (step.kind === "sign") {
    const allRight = doc.questions.every((q, i) => checked[i] === q.correct);
    const answers: DeviceAnswers = { others_use_device: device.others === true, device_is_mine: device.mine === true };
    const accept = async (): Promise<void> => {
      if (busy) return;
      setBusy(true);
      announce({ kind: "info", text: "Follow your browser's prompt to sign with your passkey." });
      try {
        const ceremony = await api.consentAcceptStart(
          doc.hash,
          doc.questions.map((q, i) => ({ question_id: q.id, choice: checked[i] ?? -1 })),
          answers,
        );
        const credential = await assertPasskey(ceremony.public_key);
        const record = await api.consentAcceptFinish(ceremony.ceremony_id, credential);
        setMe(await api.me());
        announce({ kind: "success", text: "Thank you. Your consent is recorded." });
        setDoneRecord(record);
      } catch (e) {
        announce({ kind: "error", text: describeError(e) });
      } finally {
        setBusy(false);
      }
    };
    return (
      <div class="walkthrough" key="sign">
        {progress}
        <StepTitle>Accept and sign</StepTitle>
        {allRight ? (
          <>
            <p>You answered every question. By signing, you say that you read version {doc.version} of this document and understood it.</p>
            <p>
              Your passkey signs the document and your answers together. You can read and download what you accepted at
              any time.
            </p>
            <div class="actions">
              <button type="button" class="secondary" onClick={back}>
                Back
              </button>
              <button type="button" onClick={() => void accept()} disabled={busy}>
                {busy ? "Waiting for your passkey…" : "Accept with my passkey"}
              </button>
            </div>
          </>
        ) : (
          <>
            <p>Some questions are not answered correctly yet. Go back and try them again; the explanations will help.</p>
            {nav(false)}
          </>
        )}
      </div>
    );
  }

  return (
    <div class="walkthrough" key="done">
      <StepTitle>Thank you</StepTitle>
      <p>
        Your consent to version {step.record.version} was recorded on {formatTime(step.record.accepted_at)}. You can now
        send messages to your counsellor.
      </p>
      <div class="actions">
        <button type="button" onClick={() => navigate("/consent/mine")}>
          Read what I accepted
        </button>
        <button type="button" class="secondary" onClick={() => navigate("/")}>
          Go to my space
        </button>
      </div>
    </div>
  );
}

function YesNo(props: { name: string; legend: string; value: boolean | null; onChange: (v: boolean) => void }): JSX.Element {
  return (
    <fieldset class="yes-no">
      <legend>{props.legend}</legend>
      <label class="choice">
        <input type="radio" name={props.name} value="yes" checked={props.value === true} onChange={() => props.onChange(true)} /> Yes
      </label>
      <label class="choice">
        <input type="radio" name={props.name} value="no" checked={props.value === false} onChange={() => props.onChange(false)} /> No
      </label>
    </fieldset>
  );
}

function ProtectionsPreview({ others, mine }: { others: boolean; mine: boolean }): JSX.Element {
  const shared = others || !mine;
  return (
    <div class="panel">
      <p>
        <strong>{shared ? "We will treat this as a shared device:" : "We will treat this as your own device:"}</strong>
      </p>
      <ul>
        <li>{shared ? "Alcove locks sooner when you stop using it." : "Alcove locks after the usual time when you stop using it."}</li>
        <li>{shared ? "Discreet mode is on: the page shows less about what it is." : "Discreet mode is off."}</li>
        <li>Your messages are not kept on this device.</li>
      </ul>
    </div>
  );
}

/** `/consent/mine`: what the client accepted, to read and download, and every acceptance. */
export function MyConsentPage(): JSX.Element {
  const { announce } = useApp();
  const [status, setStatus] = useState<ConsentStatus | null>(null);
  const [records, setRecords] = useState<ConsentRecord[] | null>(null);
  const [accepted, setAccepted] = useState<ConsentDocument | null>(null);
  useEffect(() => {
    api
      .myConsent()
      .then(async (r) => {
        setStatus(r.status);
        setRecords(r.records);
        if (r.status.accepted_hash !== null) setAccepted(await api.consentVersion(r.status.accepted_hash));
      })
      .catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
  }, [announce]);
  if (status === null || records === null) return <p class="loading">Loading…</p>;
  return (
    <>
      <PageTitle>What you agreed to</PageTitle>
      {status.required ? (
        <aside class="nudge" aria-label="Consent needed">
          <p>
            <strong>{records.length === 0 ? "You have not accepted the consent document yet." : "There is a new version of the consent document."}</strong>{" "}
            You can read everything, but you cannot send messages until you accept the current version.
          </p>
          <p>
            <AppLink href="/consent">Go through it now</AppLink>
          </p>
        </aside>
      ) : null}
      {accepted !== null ? (
        <section class="card" aria-labelledby="accepted-title">
          <h2 id="accepted-title">Version {accepted.version}, as you accepted it</h2>
          <p class="muted">
            Its fingerprint (SHA-256) is <code class="hash">{accepted.hash}</code>.
          </p>
          <p>
            <a class="button" href={consentDownloadUrl(accepted.hash)} download>
              Download this version
            </a>
          </p>
          <Markdown source={accepted.text} headingOffset={2} />
        </section>
      ) : null}
      {records.length > 0 ? (
        <section class="card" aria-labelledby="records-title">
          <h2 id="records-title">Your signed acceptances</h2>
          <ul>
            {records.map((r) => (
              <li key={r.id}>
                Version {r.version}, signed on {formatTime(r.accepted_at)} with your passkey.
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
