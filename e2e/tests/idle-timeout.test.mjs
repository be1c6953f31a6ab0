// The idle timeout signs the person out, clears what was shown, and says why.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, newPerson } from "../lib/browser.mjs";
import { redeem, shownPhrase, TIMEOUT } from "../lib/flows.mjs";
import { startServer } from "../lib/server.mjs";

const IDLE_SECS = 3;
const NOTICE = "You were signed out after a period of inactivity. Sign in again to continue.";

let server;
let browser;
let sharedAdmin;

before(async () => {
  server = await startServer("idle-timeout", {
    ALCOVE_IDLE_TIMEOUT_STAFF_SECS: String(IDLE_SECS),
    ALCOVE_IDLE_TIMEOUT_CLIENT_SECS: String(IDLE_SECS),
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the idle timeout signs the person out and shows the inactivity notice", { timeout: 120_000 }, async () => {
  const admin = (sharedAdmin = await newPerson(browser, "admin"));
  const phrase = "owl on the gatepost";
  await redeem(admin.page, server.setupLink, { displayName: "Idle Admin", phrase, passkeyName: "Laptop" });
  assert.equal(await shownPhrase(admin.page), phrase);
  const me = await admin.page.evaluate(async () => (await (await fetch("/api/v1/me")).json()).session);
  assert.equal(me.idle_timeout_secs, IDLE_SECS, "the server reports the configured idle timeout");

  // Do nothing: the UI notices by itself, without a reload or a click.
  const started = Date.now();
  await admin.page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor({ timeout: IDLE_SECS * 1000 + TIMEOUT });
  const waited = (Date.now() - started) / 1000;
  assert.ok(waited >= IDLE_SECS - 1, `signed out after ${waited.toFixed(1)} s, not before the idle timeout`);
  await admin.page.getByText(NOTICE).waitFor({ timeout: TIMEOUT });
  assert.equal(new URL(admin.page.url()).pathname, "/signin");
  assert.equal(await admin.page.getByText(phrase).count(), 0, "the phrase is no longer shown");
  assert.equal(await admin.page.getByText("Idle Admin").count(), 0, "the name is no longer shown");

  // The server agrees: the session is over.
  const status = await admin.page.evaluate(async () => (await fetch("/api/v1/me")).status);
  assert.equal(status, 401);

  // Signing in again works.
  await admin.page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await admin.page.getByRole("heading", { level: 1, name: /^Hello, / }).waitFor({ timeout: TIMEOUT });
  assert.equal(await shownPhrase(admin.page), phrase);
  assert.deepEqual(admin.problems, []);
});

test("a protected page without any session goes to sign-in, with no inactivity notice", { timeout: 60_000 }, async () => {
  const person = await newPerson(browser, "returning");
  // Without a session there is no notice.
  await person.page.goto(`${server.origin}/account`);
  await person.page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor({ timeout: TIMEOUT });
  assert.equal(await person.page.getByText(NOTICE).count(), 0, "no inactivity notice without a session");
});

test("the server ends an idle session by itself; the next page load says why", { timeout: 60_000 }, async () => {
  // The admin from the first test is signed in again. Leave the app (no UI timer runs), wait past
  // the idle timeout, and come back: the server answers 401 session_expired.
  const page = sharedAdmin.page;
  await page.goto("about:blank");
  await new Promise((r) => setTimeout(r, (IDLE_SECS + 1.5) * 1000));
  await page.goto(`${server.origin}/account`);
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor({ timeout: TIMEOUT });
  await page.getByText(NOTICE).waitFor({ timeout: TIMEOUT });
  assert.equal(new URL(page.url()).pathname, "/signin");
});
