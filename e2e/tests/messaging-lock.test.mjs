// Shared-computer protections for conversations: auto-lock, reload, PIN fallback, quick exit.
//
// The client's passkey has no PRF extension, so their browser is set up with a PIN (Argon2id in
// wasm); the clinician's passkey has PRF. After the practice's auto-lock period (the page's
// clock is fast-forwarded past the default 5 minutes) both pages show nothing of the
// conversation; after a reload nothing readable is on the page or in storage until the person
// unlocks (passkey, or PIN — a wrong PIN is refused). Quick exit from a conversation ends on the
// neutral site, and Back does not bring the conversation back.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { checkAccessibility, launchBrowser, newPerson, NEUTRAL_SITE, rewriteJson, stubNeutralSite, unstubNeutralSite } from "../lib/browser.mjs";
import { acceptConsent, createInvitation, redeem, TIMEOUT } from "../lib/flows.mjs";
import { startServer } from "../lib/server.mjs";

const CANARY = `lock-canary-${randomBytes(8).toString("hex")}`;
const CLINICIAN = "Dr Casey";
const CLIENT = "Robin Client";
const PIN = "tulip-4821";
const NEUTRAL = NEUTRAL_SITE;

let server;
let browser;
let clinician;
let client;

before(async () => {
  server = await startServer("messaging-lock");
  browser = await launchBrowser();
  const admin = await newPerson(browser, "admin");
  await redeem(admin.page, server.setupLink, { displayName: "Ada Admin", phrase: "lamp in the hallway", passkeyName: "Laptop" });
  const { link: clinicianLink } = await createInvitation(admin.page, { role: "clinician", label: "C" });
  clinician = await newPerson(browser, "clinician");
  await clinician.page.clock.install();
  await redeem(clinician.page, clinicianLink, { displayName: CLINICIAN, phrase: "copper kettle", passkeyName: "Desk" });
  const { link: clientLink } = await createInvitation(clinician.page, { label: "R" });
  client = await newPerson(browser, "client", { prf: false });
  await client.page.clock.install();
  await redeem(client.page, clientLink, { displayName: CLIENT, phrase: "quiet river stones", passkeyName: "Phone" });
  await acceptConsent(client.page);
  await stubNeutralSite(client.context);
});

after(async () => {
  await unstubNeutralSite(client?.context);
  await browser?.close();
  await server?.stop();
});

async function openMessages(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Messages" }).click();
  await page.getByRole("heading", { level: 1, name: "Messages" }).waitFor({ timeout: TIMEOUT });
}

async function openConversation(page, peer) {
  const heading = page.getByRole("heading", { level: 2, name: peer });
  const pick = page.getByRole("navigation", { name: "Clients" }).getByRole("button", { name: new RegExp(`^${peer}`) });
  await heading.or(pick).first().waitFor({ timeout: 30_000 });
  if (!(await heading.isVisible())) await pick.click();
  await heading.waitFor({ timeout: TIMEOUT });
}

function chat(page) {
  return page.getByRole("log", { name: "Messages" });
}

async function send(page, text) {
  await page.getByLabel("Message", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await chat(page).getByText(text).first().waitFor({ timeout: TIMEOUT });
}

/** Everything this origin keeps in IndexedDB and Web Storage, as text (bytes as hex and latin1). */
async function storedEverything(page) {
  return page.evaluate(async () => {
    const dump = (value) =>
      JSON.stringify(value, (_, v) => {
        if (v instanceof Uint8Array) return Array.from(v, (b) => String.fromCharCode(b)).join("");
        if (v instanceof ArrayBuffer) return Array.from(new Uint8Array(v), (b) => String.fromCharCode(b)).join("");
        return v;
      });
    const out = [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open(info.name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const name of db.objectStoreNames) {
        const all = await new Promise((resolve, reject) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        out.push(dump(all));
      }
      db.close();
    }
    return out.join("\n");
  });
}

test("auto-lock and reload leave nothing readable until the person unlocks", { timeout: 240_000 }, async () => {
  const a11y = [];
  // The client: no PRF, so a PIN protects this browser.
  await openMessages(client.page);
  await client.page.getByRole("button", { name: "Set up with my passkey" }).click();
  await client.page.getByLabel("New PIN").fill(PIN);
  await client.page.getByLabel("The same PIN again").fill(PIN);
  await checkAccessibility(client.page, "PIN set-up", a11y);
  await client.page.getByRole("button", { name: "Set up with this PIN" }).click();
  await openConversation(client.page, CLINICIAN);
  // The clinician: the passkey's PRF secret.
  await openMessages(clinician.page);
  await clinician.page.getByRole("button", { name: "Set up with my passkey" }).click();
  await openConversation(clinician.page, CLIENT);
  await clinician.page.getByLabel("Message", { exact: true }).waitFor({ timeout: 30_000 });
  await client.page.getByRole("button", { name: "Send", exact: true }).and(client.page.locator(":enabled")).waitFor({ timeout: 30_000 });

  await send(client.page, `Before the lock ${CANARY}`);
  await chat(clinician.page).getByText(`Before the lock ${CANARY}`).waitFor({ timeout: 30_000 });

  // Five minutes without a key press or click: both lock.
  for (const person of [client, clinician]) {
    await person.page.clock.fastForward("05:05");
    await person.page.getByRole("heading", { level: 2, name: "Messages are locked" }).waitFor({ timeout: TIMEOUT });
    const text = await person.page.locator("body").innerText();
    assert.ok(!text.includes(CANARY), `${person.name}: nothing of the conversation is on the page`);
    assert.equal(await person.page.getByRole("log", { name: "Messages" }).count(), 0);
  }
  await checkAccessibility(clinician.page, "locked", a11y);

  // A reload: still locked, and storage holds nothing readable.
  for (const person of [client, clinician]) {
    await person.page.reload();
    await person.page.getByRole("heading", { level: 2, name: "Messages are locked" }).waitFor({ timeout: TIMEOUT });
    assert.ok(!(await person.page.locator("body").innerText()).includes(CANARY));
    const stored = await storedEverything(person.page);
    assert.ok(stored.length > 1000, `${person.name}: the device record is stored (control)`);
    assert.ok(!stored.includes(CANARY), `${person.name}: storage holds no plaintext`);
  }

  // The client unlocks with the PIN: a wrong one is refused.
  await client.page.getByLabel("PIN", { exact: true }).fill("wrong-pin-0000");
  await client.page.getByRole("button", { name: "Unlock" }).click();
  await client.page.getByText("That PIN did not unlock this browser's messages.").waitFor({ timeout: 30_000 });
  await client.page.getByLabel("PIN", { exact: true }).fill(PIN);
  await client.page.getByRole("button", { name: "Unlock" }).click();
  await openConversation(client.page, CLINICIAN);
  // The clinician unlocks with the passkey.
  await clinician.page.getByRole("button", { name: "Unlock with my passkey" }).click();
  await openConversation(clinician.page, CLIENT);
  // What was read before the lock stays gone (never stored); new messages arrive.
  assert.ok(!(await clinician.page.locator("body").innerText()).includes(CANARY));
  await send(clinician.page, "After unlocking");
  await chat(client.page).getByText("After unlocking").waitFor({ timeout: 30_000 });

  for (const entry of a11y) assert.deepEqual(entry.violations, [], `${entry.label} (${entry.path})`);
  assert.deepEqual([...clinician.problems, ...client.problems], []);
});

test("quick exit from a conversation: Back does not return to it", { timeout: 120_000 }, async () => {
  const page = client.page;
  await send(page, `Leaving now ${CANARY}`);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await page.waitForURL(NEUTRAL, { timeout: TIMEOUT });
  await page.goBack({ timeout: TIMEOUT }).catch(() => null);
  await page.waitForLoadState("load");
  await page.waitForTimeout(1000);
  const text = await page.locator("body").innerText();
  assert.ok(!text.includes(CANARY), `no conversation after Back: ${text}`);
  assert.ok(!text.includes(CLINICIAN), `no names after Back: ${text}`);
  assert.equal(await page.getByRole("log", { name: "Messages" }).count(), 0);
  await unstubNeutralSite(client.context);
});

test("a key the audit log does not vouch for blocks sending, with an explanation", { timeout: 120_000 }, async () => {
  // The server (here: the network, rewriting its answer) presents another key for the client's
  // device than the one in the conversation and the audit log.
  const page = clinician.page;
  await rewriteJson(clinician.context, "**/api/v1/users/*/devices", (body) => {
    for (const d of body.devices) {
      if (d.label.includes("(web)") && d.user_id !== undefined) d.signature_key = "A".repeat(43);
    }
  });
  await page.reload();
  await page.getByRole("button", { name: "Unlock with my passkey" }).click();
  await openConversation(page, CLIENT);
  const alarm = page.getByRole("alert").filter({ hasText: "Sending is blocked" });
  await alarm.waitFor({ timeout: 30_000 });
  assert.match(await alarm.textContent(), /another key than it registered/);
  assert.equal(await page.getByRole("button", { name: "Send", exact: true }).isDisabled(), true);
  // Once the answers under way are finished: the clinician's context has no other route.
  await clinician.context.unrouteAll({ behavior: "wait" });
});
