// The secureness checklist: per client, what is in place and what to do next, for clinicians;
// practice-wide counts for admins. Nothing here says "secure" while an item is missing.

import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, describeError, type Checklist, type ChecklistState, type ChecklistSummary } from "../api";
import { useApp } from "../app-context";
import { formatTime } from "./common";

const STATE_LABEL: Record<ChecklistState, string> = {
  done: "In place",
  missing: "Missing",
  not_available: "Not checked yet",
};

export function ClientChecklists(): JSX.Element {
  const { announce } = useApp();
  const [lists, setLists] = useState<Checklist[] | null>(null);
  const load = useCallback(() => {
    api
      .checklists()
      .then((r) => setLists(r.clients))
      .catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
  }, [announce]);
  useEffect(load, [load]);
  if (lists === null) return <p class="loading">Loading…</p>;
  if (lists.length === 0) return <p>No clients yet.</p>;
  return (
    <>
      {lists.map((list) => (
        <ClientChecklist
          key={list.client_id}
          list={list}
          onChange={(next) => setLists((ls) => (ls ?? []).map((l) => (l.client_id === next.client_id ? next : l)))}
        />
      ))}
    </>
  );
}

function ClientChecklist({ list, onChange }: { list: Checklist; onChange: (next: Checklist) => void }): JSX.Element {
  const { announce } = useApp();
  const missing = list.items.filter((i) => i.state === "missing").length;
  const headingId = `checklist-${list.client_id}`;
  const mark = (item: string, title: string): void => {
    api
      .markDiscussed(list.client_id, item)
      .then((next) => {
        onChange(next);
        announce({ kind: "success", text: `Marked “${title}” as discussed with ${list.display_name}.` });
      })
      .catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
  };
  return (
    <section class="checklist" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {list.display_name}: {list.done} of {list.total} in place
        {missing > 0 ? <span class="badge badge-expired">{missing} missing</span> : null}
      </h3>
      <ul class="checklist-items">
        {list.items.map((item) => (
          <li key={item.item} class={`check check-${item.state}`} data-item={item.item} data-state={item.state}>
            <p>
              <span class={`badge state-${item.state}`}>{STATE_LABEL[item.state]}</span> <strong>{item.title}</strong>
            </p>
            <p>{item.detail}</p>
            {item.next_step !== "" ? <p class="next-step">Next step: {item.next_step}</p> : null}
            {item.discussed_at !== null ? (
              <p class="muted">Discussed in session on {formatTime(item.discussed_at)}.</p>
            ) : (
              <button type="button" class="secondary small" onClick={() => mark(item.item, item.title)}>
                Mark as discussed in session<span class="visually-hidden">: {item.title}, {list.display_name}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PracticeSummary(): JSX.Element {
  const { announce } = useApp();
  const [summary, setSummary] = useState<ChecklistSummary | null>(null);
  useEffect(() => {
    api
      .checklistSummary()
      .then(setSummary)
      .catch((e: unknown) => announce({ kind: "error", text: describeError(e) }));
  }, [announce]);
  if (summary === null) return <p class="loading">Loading…</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>How many of the practice's {summary.clients} clients have each item in place</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Clients with it in place</th>
          </tr>
        </thead>
        <tbody>
          {summary.items.map((i) => (
            <tr key={i.item}>
              <td>{i.title}</td>
              <td>
                {i.done} of {summary.clients}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
