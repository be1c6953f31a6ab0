// `/admin/consent`: the practice admin edits the consent document (Markdown, shown as text —
// raw HTML stays inert) and its comprehension questions, previews them, and publishes a new
// immutable version; every client then re-consents at their next sign-in.

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, consentDownloadUrl, describeError, type ConsentDocument, type ConsentQuestion } from "../api";
import { useApp } from "../app-context";
import { formatTime, PageTitle } from "../components/common";
import { Markdown } from "../components/markdown";

interface DraftQuestion {
  id: string;
  prompt: string;
  choices: string;
  correct: number;
  explanation: string;
}

function toDraft(q: ConsentQuestion): DraftQuestion {
  return { id: q.id, prompt: q.prompt, choices: q.choices.join("\n"), correct: q.correct, explanation: q.explanation };
}

function fromDraft(q: DraftQuestion): ConsentQuestion {
  return {
    id: q.id.trim(),
    prompt: q.prompt,
    choices: q.choices
      .split("\n")
      .map((c) => c.trim())
      .filter((c) => c.length > 0),
    correct: q.correct,
    explanation: q.explanation,
  };
}

export function ConsentAdminPage(): JSX.Element {
  const { announce } = useApp();
  const [versions, setVersions] = useState<ConsentDocument[] | null>(null);
  const [body, setBody] = useState("");
  const [questions, setQuestions] = useState<DraftQuestion[]>([]);
  const [preview, setPreview] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = (): void => {
    api
      .consentVersions()
      .then((r) => {
        setVersions(r.versions);
        const current = r.versions.find((v) => v.current);
        if (current !== undefined) {
          setBody(current.body);
          setQuestions(current.questions.map(toDraft));
        }
      })
      .catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
  };
  useEffect(load, [announce]);

  const update = (i: number, change: Partial<DraftQuestion>): void =>
    setQuestions((qs) => qs.map((q, j) => (j === i ? { ...q, ...change } : q)));

  const publish = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const doc = await api.publishConsent(body, questions.map(fromDraft));
      announce({ kind: "success", text: `Version ${doc.version} is published. Clients will be asked to accept it at their next sign-in.` });
      load();
    } catch (e) {
      announce({ kind: "error", text: describeError(e) });
    } finally {
      setBusy(false);
    }
  };

  if (versions === null) return <p class="loading">Loading…</p>;
  return (
    <>
      <PageTitle>Consent document</PageTitle>
      <p>
        Clients read this and answer the questions before their first message. Publishing creates a new version that
        cannot be changed afterwards; every client must accept it again before sending messages.
      </p>
      <form onSubmit={(e) => void publish(e)}>
        <section class="card" aria-labelledby="doc-title">
          <h2 id="doc-title">Text</h2>
          <div class="field">
            <label for="consent-body">Document (Markdown: # headings, - lists, **bold**)</label>
            <p class="hint" id="consent-body-hint">
              Each “##” heading becomes one screen of the walk-through. HTML is shown as plain text.
            </p>
            <textarea
              id="consent-body"
              rows={18}
              value={body}
              aria-describedby="consent-body-hint"
              onInput={(e) => setBody(e.currentTarget.value)}
            />
          </div>
          <button type="button" class="secondary" aria-expanded={preview} onClick={() => setPreview((p) => !p)}>
            {preview ? "Hide preview" : "Show preview"}
          </button>
          {preview ? (
            <div class="panel preview" aria-label="Preview">
              <Markdown source={body} headingOffset={2} />
            </div>
          ) : null}
        </section>
        <section class="card" aria-labelledby="questions-title">
          <h2 id="questions-title">Comprehension questions</h2>
          {questions.map((q, i) => (
            <fieldset class="question-editor" key={i}>
              <legend>Question {i + 1}</legend>
              <div class="field">
                <label for={`q${i}-id`}>Short id (lowercase letters, digits, hyphens)</label>
                <input id={`q${i}-id`} type="text" value={q.id} onInput={(e) => update(i, { id: e.currentTarget.value })} />
              </div>
              <div class="field">
                <label for={`q${i}-prompt`}>Question</label>
                <input id={`q${i}-prompt`} type="text" value={q.prompt} onInput={(e) => update(i, { prompt: e.currentTarget.value })} />
              </div>
              <div class="field">
                <label for={`q${i}-choices`}>Answers, one per line</label>
                <textarea id={`q${i}-choices`} rows={3} value={q.choices} onInput={(e) => update(i, { choices: e.currentTarget.value })} />
              </div>
              <div class="field">
                <label for={`q${i}-correct`}>Right answer</label>
                <select id={`q${i}-correct`} value={String(q.correct)} onChange={(e) => update(i, { correct: Number(e.currentTarget.value) })}>
                  {fromDraft(q).choices.map((c, j) => (
                    <option key={j} value={String(j)}>
                      {j + 1}. {c}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for={`q${i}-why`}>Explanation shown after any answer</label>
                <textarea id={`q${i}-why`} rows={2} value={q.explanation} onInput={(e) => update(i, { explanation: e.currentTarget.value })} />
              </div>
              <button type="button" class="secondary small" onClick={() => setQuestions((qs) => qs.filter((_, j) => j !== i))}>
                Remove question {i + 1}
              </button>
            </fieldset>
          ))}
          <button
            type="button"
            class="secondary"
            onClick={() => setQuestions((qs) => [...qs, { id: `question-${qs.length + 1}`, prompt: "", choices: "", correct: 0, explanation: "" }])}
          >
            Add a question
          </button>
        </section>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Publishing…" : "Publish a new version"}
          </button>
        </div>
      </form>
      <section class="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Published versions</h2>
        <ul>
          {versions.map((v) => (
            <li key={v.hash}>
              Version {v.version} of {formatTime(v.published_at)}
              {v.current ? " (current)" : ""} — <code class="hash">{v.hash.slice(0, 16)}…</code>{" "}
              <a href={consentDownloadUrl(v.hash)} download>
                Download<span class="visually-hidden"> version {v.version}</span>
              </a>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
