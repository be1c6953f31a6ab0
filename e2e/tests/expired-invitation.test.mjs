// An invitation that has expired shows a clear page with the next step, and nothing is created.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkAccessibility, launchBrowser, newPerson } from "../lib/browser.mjs";
import { createInvitation, TIMEOUT } from "../lib/flows.mjs";
import { startServer } from "../lib/server.mjs";

let server;
let browser;

before(async () => {
  server = await startServer("expired-invitation", { ALCOVE_INVITATION_TTL_SECS: "1" });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** First-run setup without the mouse: Tab between the labelled fields, Enter on the button. */
async function setUpWithKeyboardOnly(page) {
  await page.goto(server.setupLink);
  await page.getByRole("button", { name: "Create my passkey" }).waitFor({ timeout: TIMEOUT });
  const focusedLabel = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return el?.labels?.[0]?.textContent ?? el?.textContent ?? "";
    });
  await page.keyboard.press("Tab");
  assert.equal(await focusedLabel(), "Display name");
  await page.keyboard.type("Ada Admin");
  await page.keyboard.press("Tab");
  assert.equal(await focusedLabel(), "Anti-phishing phrase");
  await page.keyboard.type("lamp in the hallway");
  await page.keyboard.press("Tab");
  assert.equal(await focusedLabel(), "Passkey name");
  await page.keyboard.press("Tab");
  assert.equal(await focusedLabel(), "Create my passkey");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, "none", "the focused button shows a focus ring");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: "Hello, Ada Admin" }).waitFor({ timeout: TIMEOUT });
}

test("an expired invitation shows the clear expired page and creates nothing", { timeout: 120_000 }, async () => {
  const admin = await newPerson(browser, "admin");
  await setUpWithKeyboardOnly(admin.page);
  const { link } = await createInvitation(admin.page, { role: "clinician", label: "late" });
  const peopleBefore = await admin.page.evaluate(async () => (await (await fetch("/api/v1/people")).json()).people.length);
  await new Promise((r) => setTimeout(r, 2000));

  const invitee = await newPerson(browser, "invitee");
  const response = await invitee.page.goto(link);
  assert.equal(response.status(), 200);
  await invitee.page.getByRole("heading", { level: 1, name: "This invitation has expired" }).waitFor({ timeout: TIMEOUT });
  assert.equal(new URL(invitee.page.url()).hash, "", "the token is removed from the address bar");
  await invitee.page.getByText("Ask your practice administrator", { exact: false }).first().waitFor({ timeout: TIMEOUT });
  assert.equal(await invitee.page.getByRole("button", { name: "Create my passkey" }).count(), 0, "no form is offered");
  const report = [];
  await checkAccessibility(invitee.page, "expired invitation", report);
  assert.deepEqual(report[0].violations, []);

  // Going around the page does not work either: the server refuses to start the ceremony.
  const token = new URL(link).hash.slice(1);
  const answer = await invitee.page.evaluate(async (t) => {
    const r = await fetch("/api/v1/invitations/redeem/start", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: t, display_name: "Late Person", anti_phishing_phrase: "too late now" }),
    });
    return { status: r.status, body: await r.json() };
  }, token);
  assert.equal(answer.status, 410);
  assert.equal(answer.body.error.code, "invitation_expired");

  assert.equal((await invitee.credentials()).length, 0, "no passkey was created");
  const peopleAfter = await admin.page.evaluate(async () => (await (await fetch("/api/v1/people")).json()).people.length);
  assert.equal(peopleAfter, peopleBefore, "nobody was added");
  await admin.page.reload();
  await admin.page.getByText("Expired", { exact: true }).first().waitFor({ timeout: TIMEOUT });
  assert.deepEqual([...admin.problems, ...invitee.problems], []);
});
