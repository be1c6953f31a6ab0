// Informed consent, end to end: a new client cannot send before consenting; the walk-through
// (one idea per screen, the shared-device questions, comprehension questions whose wrong answers
// show the explanation and block acceptance) ends in a passkey signature that is recorded and
// audit-logged; the clinician's checklist follows; a new version published by the admin — with
// HTML and a script in its Markdown, shown inert — forces re-consent. axe-core checks every screen.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkAccessibility, launchBrowser, newPerson } from "../lib/browser.mjs";
import { createInvitation, redeem, TIMEOUT } from "../lib/flows.mjs";
import { startServer } from "../lib/server.mjs";

const CRISIS_LINE = "988 (call or text, any time)";

let server;
let browser;

before(async () => {
  server = await startServer("consent", { ALCOVE_CRISIS_LINE: CRISIS_LINE });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** GETs an API path with the page's cookie; returns { status, body }. */
async function apiGet(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { headers: { Accept: "application/json" } });
    return { status: r.status, body: await r.json() };
  }, path);
}

async function heading(page, name) {
  await page.getByRole("heading", { level: 1, name }).waitFor({ timeout: TIMEOUT });
}

/** Walks through every screen of the current version; `wrongFirst` answers the first question
 * wrongly once. Checks accessibility on every screen into `a11y`. Returns the document. */
async function walkThrough(page, a11y, label, { wrongFirst, others, mine, sectionCheck }) {
  const doc = (await apiGet(page, "/api/v1/consent/current")).body;
  await page.getByRole("link", { name: "Start" }).click();
  const sections = doc.body.split("\n").filter((l) => l.startsWith("## ")).map((l) => l.slice(3).trim());
  const title = doc.body.split("\n").find((l) => l.startsWith("# "))?.slice(2).trim();
  await heading(page, title);
  await checkAccessibility(page, `${label}: introduction`, a11y);
  await page.getByRole("button", { name: "Start" }).click();
  for (const section of sections) {
    await heading(page, section);
    // Focus moves to the new screen's heading, so screen readers start reading there.
    await page.waitForFunction((name) => document.activeElement?.tagName === "H1" && document.activeElement.textContent === name, section, {
      timeout: TIMEOUT,
    });
    await checkAccessibility(page, `${label}: ${section}`, a11y);
    if (sectionCheck) await sectionCheck(page, section);
    await page.getByRole("button", { name: "Next", exact: true }).click();
  }
  await heading(page, "About this device");
  await page.getByRole("group", { name: /anyone else ever use/ }).getByRole("radio", { name: others ? "Yes" : "No" }).check();
  await page.getByRole("group", { name: /yours alone/ }).getByRole("radio", { name: mine ? "Yes" : "No" }).check();
  await checkAccessibility(page, `${label}: device questions`, a11y);
  await page.getByRole("button", { name: "Next", exact: true }).click();

  for (const [i, q] of doc.questions.entries()) {
    await heading(page, `Question ${i + 1} of ${doc.questions.length}`);
    const group = page.getByRole("group", { name: q.prompt });
    if (wrongFirst && i === 0) {
      const wrong = q.choices.findIndex((_, j) => j !== q.correct);
      await group.getByRole("radio", { name: q.choices[wrong] }).check();
      await page.getByRole("button", { name: "Check my answer" }).click();
      const feedback = page.locator(".feedback-wrong");
      await feedback.waitFor({ timeout: TIMEOUT });
      assert.match(await feedback.textContent(), /Not quite/);
      assert.ok((await feedback.textContent()).includes(q.explanation), "the explanation is shown");
      assert.equal(await page.getByRole("button", { name: /^Next/ }).count(), 0, "a wrong answer blocks going on");
      await checkAccessibility(page, `${label}: wrong answer feedback`, a11y);
      // Trying to accept through the API with that answer is refused too.
      const refused = await page.evaluate(
        async ({ hash, questions, wrongIndex }) => {
          const answers = questions.map((x, k) => ({ question_id: x.id, choice: k === 0 ? wrongIndex : x.correct }));
          const r = await fetch("/api/v1/consent/accept/start", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ document_hash: hash, answers, device: { others_use_device: true, device_is_mine: true } }),
          });
          return { status: r.status, code: (await r.json()).error.code };
        },
        { hash: doc.hash, questions: doc.questions, wrongIndex: wrong },
      );
      assert.deepEqual(refused, { status: 400, code: "consent_answers_wrong" });
    }
    await group.getByRole("radio", { name: q.choices[q.correct] }).check();
    await page.getByRole("button", { name: "Check my answer" }).click();
    await page.locator(".feedback-right").waitFor({ timeout: TIMEOUT });
    if (i === 0) await checkAccessibility(page, `${label}: right answer feedback`, a11y);
    await page.getByRole("button", { name: /^(Next question|Continue)$/ }).click();
  }
  await heading(page, "Accept and sign");
  await checkAccessibility(page, `${label}: accept`, a11y);
  await page.getByRole("button", { name: "Accept with my passkey" }).click();
  await heading(page, "Thank you");
  await checkAccessibility(page, `${label}: thank you`, a11y);
  return doc;
}

test("consent walk-through, signed acceptance, checklist and re-consent", { timeout: 240_000 }, async () => {
  const a11y = [];
  const admin = await newPerson(browser, "admin");
  await redeem(admin.page, server.setupLink, { displayName: "Ada Admin", phrase: "lamp in the hallway", passkeyName: "Laptop" });
  const { link: clinicianLink } = await createInvitation(admin.page, { role: "clinician", label: "C" });
  const clinician = await newPerson(browser, "clinician");
  await redeem(clinician.page, clinicianLink, { displayName: "Casey Clinician", phrase: "copper kettle", passkeyName: "Desk" });
  const { link: clientLink } = await createInvitation(clinician.page, { label: "R" });
  const client = await newPerson(browser, "client");
  await redeem(client.page, clientLink, { displayName: "Robin Client", phrase: "quiet river stones", passkeyName: "Phone" });
  const page = client.page;

  // A new client cannot send yet: the home page says so, and the server knows it.
  await page.getByText("Before your first message").waitFor({ timeout: TIMEOUT });
  await checkAccessibility(page, "client home before consent", a11y);
  const before = (await apiGet(page, "/api/v1/me")).body;
  assert.equal(before.consent.required, true);
  // Messages: no composer, no device set-up, only the way to the walk-through.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Messages" }).click();
  await page.getByRole("heading", { level: 2, name: "Before your first message" }).waitFor({ timeout: TIMEOUT });
  assert.equal(await page.getByLabel("Message", { exact: true }).count(), 0, "nothing to write in");
  assert.equal(await page.getByRole("button", { name: "Set up with my passkey" }).count(), 0);
  await checkAccessibility(page, "messages before consent", a11y);
  // (The server's own refusal, with the UI bypassed, is tested with native clients.)
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Home" }).click();

  const v1 = await walkThrough(page, a11y, "v1", {
    wrongFirst: true,
    others: true,
    mine: true,
    sectionCheck: async (p, section) => {
      if (section === "In an emergency") await p.getByText(`call ${CRISIS_LINE} now`).waitFor({ timeout: TIMEOUT });
    },
  });
  const after1 = (await apiGet(page, "/api/v1/me")).body;
  assert.equal(after1.consent.required, false);
  assert.equal(after1.consent.accepted_hash, v1.hash);
  assert.deepEqual(
    [after1.protections.discreet_mode, after1.protections.local_history, after1.session.idle_timeout_secs],
    [true, false, 300],
    "a shared device gets the shorter auto-lock and discreet mode",
  );
  // Discreet mode: the tab and the header say nothing about counselling.
  await page.waitForFunction(() => document.title === "Notes", null, { timeout: TIMEOUT });
  assert.equal((await page.locator(".brand").textContent()).trim(), "Notes");

  // What they accepted, to read and download.
  await page.getByRole("button", { name: "Read what I accepted" }).click();
  await heading(page, "What you agreed to");
  await page.getByRole("heading", { level: 2, name: "Version 1, as you accepted it" }).waitFor({ timeout: TIMEOUT });
  await checkAccessibility(page, "what you agreed to", a11y);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download this version" }).click()]);
  const file = await download.path();
  const { readFileSync } = await import("node:fs");
  const { createHash } = await import("node:crypto");
  assert.equal(createHash("sha256").update(readFileSync(file)).digest("hex"), v1.hash, "the download hashes to the version's id");

  // The audit log holds the event (ids only).
  const events = (await apiGet(admin.page, "/api/v1/audit/events")).body.events;
  const recorded = events.filter((e) => e.kind === "consent_recorded");
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0].subject, after1.id);
  assert.ok(recorded[0].objects.some((o) => o.kind === "policy" && o.id === v1.hash));

  // The clinician's checklist follows.
  await clinician.page.reload();
  const consentItem = clinician.page.locator('li[data-item="consent_current"]');
  await consentItem.waitFor({ timeout: TIMEOUT });
  assert.equal(await consentItem.getAttribute("data-state"), "done");
  assert.equal(await clinician.page.locator('li[data-item="shared_device"]').getAttribute("data-state"), "done");
  assert.equal(await clinician.page.locator('li[data-item="second_passkey"]').getAttribute("data-state"), "missing");
  const secondPasskey = clinician.page.locator('li[data-item="second_passkey"]');
  const names = await secondPasskey.getByRole("button").evaluateAll((buttons) => buttons.map((b) => b.textContent));
  assert.deepEqual(names, ["Mark as discussed in session: A second passkey registered, Robin Client"]);
  await secondPasskey.getByRole("button", { name: /^Mark as discussed in session/ }).click();
  await secondPasskey.getByText(/Discussed in session on/).waitFor({ timeout: TIMEOUT });
  await checkAccessibility(clinician.page, "clinician checklist", a11y);

  // The admin publishes a new version whose Markdown carries HTML and a script.
  await admin.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Consent document" }).click();
  await heading(admin.page, "Consent document");
  const body = admin.page.getByLabel(/^Document/);
  await body.waitFor({ timeout: TIMEOUT });
  const hostile = `## A note from us\n\n<script>window.__pwned = 1</script> <img src="x" onerror="window.__pwned = 2"> **Be kind to yourself.**`;
  await body.fill(`${await body.inputValue()}\n\n${hostile}\n`);
  await admin.page.getByRole("button", { name: "Show preview" }).click();
  await checkAccessibility(admin.page, "consent editor", a11y);
  await admin.page.getByRole("button", { name: "Publish a new version" }).click();
  const confirm = admin.page.getByRole("button", { name: "Confirm with my passkey" });
  const published = admin.page.getByRole("status").filter({ hasText: "Version 2 is published" });
  await published.or(confirm).first().waitFor({ timeout: TIMEOUT });
  if (await confirm.isVisible()) await confirm.click();
  await published.waitFor({ timeout: TIMEOUT });

  // At the next visit the client is asked again, and the new section shows the HTML as text.
  await page.goto(`${server.origin}/`);
  await page.getByText("There is a new version of how Alcove protects you").waitFor({ timeout: TIMEOUT });
  const after2 = (await apiGet(page, "/api/v1/me")).body;
  assert.equal(after2.consent.required, true);
  let sawNote = false;
  await walkThrough(page, a11y, "v2", {
    wrongFirst: false,
    others: false,
    mine: true,
    sectionCheck: async (p, section) => {
      if (section !== "A note from us") return;
      sawNote = true;
      await p.getByText("<script>window.__pwned = 1</script>", { exact: false }).waitFor({ timeout: TIMEOUT });
      const live = await p.evaluate(() => ({
        pwned: window.__pwned ?? null,
        elements: document.querySelectorAll("main script, main img").length,
        bold: document.querySelector("main strong")?.textContent ?? null,
      }));
      assert.deepEqual(live, { pwned: null, elements: 0, bold: "Be kind to yourself." });
    },
  });
  assert.ok(sawNote, "the new section was shown");
  const after3 = (await apiGet(page, "/api/v1/me")).body;
  assert.equal(after3.consent.required, false);
  assert.equal(after3.protections.discreet_mode, false, "their own device now");
  await page.waitForFunction(() => document.title === "Alcove", null, { timeout: TIMEOUT });

  for (const entry of a11y) assert.deepEqual(entry.violations, [], `${entry.label} (${entry.path})`);
  assert.ok(a11y.length >= 30, `every screen was checked (${a11y.length})`);
  assert.deepEqual([...admin.problems, ...clinician.problems, ...client.problems], []);
});
