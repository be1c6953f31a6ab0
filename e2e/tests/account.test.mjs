// The account page: passkeys (the last one cannot be removed; add, rename, remove with a fresh
// confirmation), changing the anti-phishing phrase, and signing out everywhere.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { checkAccessibility, launchBrowser, newPerson } from "../lib/browser.mjs";
import { redeem, shownPhrase, signIn, TIMEOUT } from "../lib/flows.mjs";
import { startServer } from "../lib/server.mjs";

const REAUTH_WINDOW_SECS = 2;

let server;
let browser;

before(async () => {
  // A short re-authentication window, so removing a passkey asks for a fresh confirmation.
  server = await startServer("account", {}, `reauth_window_secs = ${REAUTH_WINDOW_SECS}\n`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function passkeyNames(page) {
  const names = await page.locator(".passkey-name").allTextContents();
  return names.map((n) => n.trim()).sort();
}

/** Clicks a button that may need a fresh passkey confirmation first. */
async function clickConfirming(page, button) {
  await button.click();
  const confirm = page.getByRole("button", { name: "Confirm with my passkey" });
  try {
    await confirm.waitFor({ timeout: 2000 });
    await confirm.click();
  } catch {
    // The last confirmation is still fresh: no dialog.
  }
}

test("passkeys, phrase and signing out everywhere", { timeout: 150_000 }, async () => {
  const laptop = await newPerson(browser, "laptop");
  await redeem(laptop.page, server.setupLink, { displayName: "Ada Admin", phrase: "lamp in the hallway", passkeyName: "Laptop" });
  const page = laptop.page;
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  await page.getByRole("heading", { level: 1, name: "Your account" }).waitFor({ timeout: TIMEOUT });
  await page.getByText("You have only one passkey.").waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await passkeyNames(page), ["Laptop"]);

  // The only passkey cannot be removed. Removing is sensitive: once the confirmation made at
  // sign-up is older than the window, the server asks for a fresh one (403 reauth_required),
  // the dialog gets it with the passkey, and the request is retried.
  await page.waitForTimeout((REAUTH_WINDOW_SECS + 1) * 1000);
  await page.getByRole("button", { name: "Remove Laptop" }).click();
  await page.getByRole("button", { name: "Yes, remove it" }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await dialog.waitFor({ timeout: TIMEOUT });
  const dialogReport = [];
  await checkAccessibility(page, "re-authentication dialog", dialogReport);
  assert.deepEqual(dialogReport[0].violations, []);
  await dialog.getByRole("button", { name: "Confirm with my passkey" }).click();
  await dialog.waitFor({ state: "detached", timeout: TIMEOUT });
  await page.getByRole("alert").filter({ hasText: "Add another passkey first" }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await passkeyNames(page), ["Laptop"]);

  // A second passkey, made on a new device (the virtual authenticator is swapped for an empty one).
  const laptopPasskeys = await laptop.newDevice();
  await page.getByLabel("Name for the new passkey").fill("Phone");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await page.getByRole("status").filter({ hasText: "The new passkey was added" }).waitFor({ timeout: TIMEOUT });
  await page.locator(".passkey-name", { hasText: "Phone" }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await passkeyNames(page), ["Laptop", "Phone"]);
  assert.equal(await page.getByText("You have only one passkey.").count(), 0, "no nudge with two passkeys");
  const report = [];
  await checkAccessibility(page, "account with two passkeys", report);
  assert.deepEqual(report[0].violations, []);

  // Rename it.
  await page.getByRole("button", { name: "Rename Phone" }).click();
  await page.getByLabel("New name for “Phone”").fill("Work phone");
  await page.getByRole("button", { name: "Save name" }).click();
  await page.locator(".passkey-name", { hasText: "Work phone" }).waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await passkeyNames(page), ["Laptop", "Work phone"]);

  // Remove the old laptop's passkey (a sensitive action: confirmed with the phone's passkey
  // when the server asks).
  await page.getByRole("button", { name: "Remove Laptop" }).click();
  await clickConfirming(page, page.getByRole("button", { name: "Yes, remove it" }));
  await page.getByRole("status").filter({ hasText: "The passkey was removed" }).waitFor({ timeout: TIMEOUT });
  await page.getByText("You have only one passkey.").waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await passkeyNames(page), ["Work phone"]);

  // The removed passkey no longer signs in (on a device that still holds it).
  const oldLaptop = await newPerson(browser, "old laptop");
  await oldLaptop.addCredentials(laptopPasskeys);
  await oldLaptop.page.goto(`${server.origin}/signin`);
  await oldLaptop.page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await oldLaptop.page.getByRole("alert").filter({ hasText: /./ }).waitFor({ timeout: TIMEOUT });
  assert.equal(await oldLaptop.page.getByRole("heading", { level: 1, name: "Sign in" }).count(), 1);
  await oldLaptop.context.close();

  // Change the anti-phishing phrase: the banner follows.
  await page.getByLabel("New phrase").fill("gull on the chimney");
  await page.getByRole("button", { name: "Change phrase" }).click();
  await page.getByRole("status").filter({ hasText: "phrase was changed" }).waitFor({ timeout: TIMEOUT });
  assert.equal(await shownPhrase(page), "gull on the chimney");

  // The same passkey on a second device (synced): sign in there, then sign out everywhere here.
  const tablet = await newPerson(browser, "tablet");
  await tablet.addCredentials(await laptop.credentials());
  await signIn(tablet.page, server.origin);
  assert.equal(await shownPhrase(tablet.page), "gull on the chimney");
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor({ timeout: TIMEOUT });
  await page.getByText("You are signed out on all your devices.").waitFor({ timeout: TIMEOUT });
  await tablet.page.reload();
  await tablet.page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor({ timeout: TIMEOUT });
  assert.equal(await tablet.page.getByText("gull on the chimney").count(), 0);

  // The copy on the tablet has signed since the laptop last did, so the laptop's copy now
  // presents a stale signature counter: the server refuses it as a possible clone.
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await page.getByRole("alert").filter({ hasText: /./ }).waitFor({ timeout: TIMEOUT });
  assert.equal(await page.getByRole("heading", { level: 1, name: "Sign in" }).count(), 1, "the stale copy does not sign in");

  // The tablet's copy (the newest counter) still signs in.
  await signIn(tablet.page, server.origin);
  assert.equal(await shownPhrase(tablet.page), "gull on the chimney");
  assert.deepEqual([...laptop.problems, ...tablet.problems], []);
});
