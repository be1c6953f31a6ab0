// "Who opened my record" and Quick exit, end to end.
//
// A clinician invites a client; the clinician's home lists clients (a `record_viewed` event);
// the client's "Who opened my record" page names the clinician's access and the client's own
// sign-in, newest first, every entry checked in the browser against the page's checkpoint — and a
// proof altered on the way is reported, not hidden. The checkpoint's signature is checked against
// the log key, and the browser remembers the last checkpoint (size and root only) and demands a
// consistency proof to each newer one: an altered signature, an altered proof and a forked
// history signed with the log's own key are each shown as a problem, never as checked. Quick exit (the button, and Escape three
// times) ends on the neutral site, Back shows no Alcove content, and the session is over.
import assert from "node:assert/strict";
import { createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { checkAccessibility, launchBrowser, newPerson, NEUTRAL_SITE, rewriteJson, stubNeutralSite, unstubNeutralSite } from "../lib/browser.mjs";
import { createInvitation, redeem, shownPhrase, signIn, signOut, TIMEOUT } from "../lib/flows.mjs";
import { startServer } from "../lib/server.mjs";

const NEUTRAL = NEUTRAL_SITE;
const CLINICIAN_NAME = "Dr Casey";
const CLIENT_PHRASE = "quiet river stones";
const CLINICIAN_PHRASE = "copper kettle";

let server;
let browser;
let admin;
let clinician;
let client;

before(async () => {
  server = await startServer("record-access");
  browser = await launchBrowser();
  admin = await newPerson(browser, "admin");
  await redeem(admin.page, server.setupLink, { displayName: "Ada Admin", phrase: "lamp in the hallway", passkeyName: "Laptop" });
  const { link: clinicianLink } = await createInvitation(admin.page, { role: "clinician", label: "C" });
  clinician = await newPerson(browser, "clinician");
  await redeem(clinician.page, clinicianLink, { displayName: CLINICIAN_NAME, phrase: CLINICIAN_PHRASE, passkeyName: "Desk" });
  const { link: clientLink } = await createInvitation(clinician.page, { label: "R" });
  client = await newPerson(browser, "client");
  await redeem(client.page, clientLink, { displayName: "Robin Client", phrase: CLIENT_PHRASE, passkeyName: "Phone" });
  // The neutral site is stubbed, so no test needs the internet.
  for (const person of [admin, clinician, client]) {
    await stubNeutralSite(person.context);
  }
});

after(async () => {
  for (const person of [admin, clinician, client]) await unstubNeutralSite(person?.context);
  await browser?.close();
  await server?.stop();
});

/** Waits until the person's browser context has no session any more (the quick exit's sign-out
 * is fire-and-forget); returns the last status seen. */
async function sessionStatus(person, { until }) {
  const deadline = Date.now() + 5_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await person.context.request.get(`${server.origin}/api/v1/me`)).status();
    if (status === until) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  return status;
}

async function openRecordAccess(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Who opened my record" }).click();
  await page.getByRole("heading", { level: 1, name: "Who opened my record" }).waitFor({ timeout: TIMEOUT });
  await page.locator(".record-events li").first().waitFor({ timeout: TIMEOUT });
}

test("a client sees who opened their record, checked against the log", { timeout: 180_000 }, async () => {
  const a11y = [];
  // The client signs out and in again: a sign-in of their own.
  await signOut(client.page);
  await signIn(client.page, server.origin);
  // The clinician opens their home, which lists their clients: an access to the client's record.
  await clinician.page.reload();
  await clinician.page.getByRole("heading", { level: 2, name: "Your clients" }).waitFor({ timeout: TIMEOUT });
  await clinician.page.getByText("Robin Client").first().waitFor({ timeout: TIMEOUT });

  const page = client.page;
  await openRecordAccess(page);
  assert.equal(new URL(page.url()).pathname, "/account/record-access");
  const items = await page.locator(".record-events li").evaluateAll((lis) =>
    lis.map((li) => ({
      index: Number(li.getAttribute("data-index")),
      kind: li.getAttribute("data-kind"),
      verified: li.getAttribute("data-verified"),
      text: li.querySelector(".record-event-text")?.textContent ?? "",
      time: li.querySelector("time")?.getAttribute("datetime") ?? "",
    })),
  );
  const viewed = items.filter((i) => i.kind === "record_viewed");
  assert.ok(viewed.length >= 1, JSON.stringify(items));
  assert.equal(viewed[0].text, `Your clinician ${CLINICIAN_NAME} opened your record.`);
  const signIns = items.filter((i) => i.kind === "sign_in");
  assert.ok(signIns.length >= 1, JSON.stringify(items));
  assert.equal(signIns[0].text, "You signed in.");
  assert.ok(items.some((i) => i.text === "You accepted your invitation and created your account."));
  // Newest first, each with a real date, each verified.
  const indexes = items.map((i) => i.index);
  assert.deepEqual(indexes, [...indexes].sort((a, b) => b - a));
  assert.ok(viewed[0].index > signIns[0].index, "the clinician's access came after the sign-in");
  for (const item of items) {
    assert.equal(item.verified, "yes", JSON.stringify(item));
    assert.ok(Math.abs(Date.parse(item.time) - Date.now()) < 10 * 60_000, item.time);
  }
  const summary = page.locator('[data-verified="all"]');
  assert.match(await summary.textContent(), new RegExp(`all ${items.length} entries below are exactly as recorded`));
  // The page lists exactly the events the API gives this client (it sees only its own).
  const api = await page.evaluate(async () => (await (await fetch("/api/v1/audit/events")).json()).events);
  assert.equal(api.length, items.length);
  assert.ok(api.every((e) => e.subject === api[0].subject));
  await checkAccessibility(page, "who opened my record", a11y);

  // Altered in transit — a leaf whose proof no longer holds, and a shown field that is not the
  // leaf's (a sign-in presented as an export) — both are reported, not shown as checked.
  await rewriteJson(client.context, "**/api/v1/audit/events**", (body) => {
    const victim = body.events.find((e) => e.kind === "record_viewed");
    victim.leaf = Buffer.from(Buffer.from(victim.leaf, "base64").map((b, i) => (i === 4 ? b ^ 1 : b))).toString("base64");
    body.events.find((e) => e.kind === "sign_in").kind = "export";
  });
  await page.reload();
  const alarm = page.locator('[data-verified="failed"]');
  await alarm.waitFor({ timeout: TIMEOUT });
  assert.match(await alarm.textContent(), /^2 of \d+ entries could not be checked/);
  const flagged = await page.locator('.record-events li[data-verified="no"]').evaluateAll((lis) => lis.map((li) => li.getAttribute("data-kind")));
  assert.deepEqual(flagged.sort(), ["export", "record_viewed"]);
  await client.context.unroute("**/api/v1/audit/events**");

  // Staff have no such page; the link is for clients only.
  assert.equal(await clinician.page.getByRole("link", { name: "Who opened my record" }).count(), 0);
  for (const entry of a11y) assert.deepEqual(entry.violations, [], `${entry.label} (${entry.path})`);
  assert.deepEqual([...clinician.problems, ...client.problems], []);
});

/** Where the page keeps the last checkpoint it saw (`web/src/audit-log.ts`). */
const REMEMBERED = "alcove.audit.last-checkpoint";

async function remembered(page) {
  const text = await page.evaluate((key) => localStorage.getItem(key), REMEMBERED);
  return text === null ? null : JSON.parse(text);
}

/** The note with one bit of its (only) signature flipped. */
function alterSignature(note) {
  const lines = note.split("\n");
  const at = lines.length - 2;
  const [dash, name, b64] = lines[at].split(" ");
  const bytes = Buffer.from(b64, "base64");
  bytes[bytes.length - 1] ^= 1;
  lines[at] = [dash, name, bytes.toString("base64")].join(" ");
  return lines.join("\n");
}

/** A checkpoint note for `size` leaves and `root`, signed with the server's own log key (read from
 * its data directory): what a server rewriting its history would present. */
function forgeCheckpoint(size, root) {
  // PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>; the base64 may hold '+' too.
  const [, , name, id, ...rest] = readFileSync(join(server.dataDir, "audit-log.key"), "utf8").trim().split("+");
  const seed64 = rest.join("+");
  const seed = Buffer.from(seed64, "base64").subarray(1);
  const key = createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]),
    format: "der",
    type: "pkcs8",
  });
  const text = `${name}\n${size}\n${root.toString("base64")}\n`;
  const signature = sign(null, Buffer.from(text), key);
  return `${text}\n\u2014 ${name} ${Buffer.concat([Buffer.from(id, "hex"), signature]).toString("base64")}\n`;
}

/** Rewrites every answer of the events API with `edit(body)`. */
async function rewriteEvents(person, edit) {
  await rewriteJson(person.context, "**/api/v1/audit/events**", edit);
}

/** The clinician opens their home again: one more access to the client's record. */
async function clinicianLooksAgain() {
  await clinician.page.goto(`${server.origin}/`);
  await clinician.page.getByText("Robin Client").first().waitFor({ timeout: TIMEOUT });
}

async function expectChecked(page) {
  await page.reload();
  await page.locator('[data-verified="all"]').waitFor({ timeout: TIMEOUT });
  const states = await page.locator(".record-events li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-verified")));
  assert.ok(states.length > 0 && states.every((v) => v === "yes"), JSON.stringify(states));
}

async function expectProblem(page, problem) {
  await page.reload();
  const notice = page.locator(`[data-log-check="${problem}"]`);
  await notice.waitFor({ timeout: TIMEOUT });
  assert.match(await notice.textContent(), /Your browser could not confirm this list\..*Please tell your practice/);
  assert.equal(await page.locator('[data-verified="all"]').count(), 0, "nothing is called checked");
  const states = await page.locator(".record-events li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-verified")));
  assert.ok(states.length > 0 && states.every((v) => v === "no"), JSON.stringify(states));
}

test("the checkpoint's signature is checked, and the log must still hold what this browser saw", { timeout: 180_000 }, async () => {
  const a11y = [];
  const page = client.page;
  await page.goto(`${server.origin}/`);
  await openRecordAccess(page);
  await expectChecked(page);
  // Remembered: the tree size and root hash, nothing about any event.
  const first = await remembered(page);
  assert.deepEqual(Object.keys(first).sort(), ["root", "size"]);
  assert.equal(Buffer.from(first.root, "base64").length, 32);
  const published = await (await client.context.request.get(`${server.origin}/api/v1/audit/checkpoint`)).json();
  assert.ok(first.size >= 1 && first.size <= published.size, JSON.stringify({ first, published }));

  // The log grows; the next visit demands and checks a consistency proof from the remembered
  // checkpoint, then remembers the newer one.
  await clinicianLooksAgain();
  const asked = [];
  const listen = (request) => {
    if (request.url().includes("/api/v1/audit/proof/consistency")) asked.push(new URL(request.url()).searchParams);
  };
  page.on("request", listen);
  await expectChecked(page);
  page.off("request", listen);
  const second = await remembered(page);
  assert.ok(second.size > first.size, JSON.stringify({ first, second }));
  assert.ok(asked.some((q) => q.get("from") === String(first.size) && q.get("to") === String(second.size)), JSON.stringify(asked.map(String)));
  assert.match(await page.locator('[data-verified="all"]').textContent(), new RegExp(`when your browser last checked it \\(${first.size} entries\\)`));

  // A checkpoint whose signature was altered on the way.
  await rewriteEvents(client, (body) => {
    body.checkpoint.note = alterSignature(body.checkpoint.note);
  });
  await expectProblem(page, "signature");
  await checkAccessibility(page, "who opened my record: bad signature", a11y);
  assert.deepEqual(await remembered(page), second, "a refused checkpoint is not remembered");
  await client.context.unroute("**/api/v1/audit/events**");

  // A consistency proof altered on the way: the new checkpoint does not extend the old one.
  await clinicianLooksAgain();
  await rewriteJson(client.context, "**/api/v1/audit/proof/consistency**", (body) => {
    assert.ok(body.proof.length > 0);
    const hash = Buffer.from(body.proof[0], "base64");
    hash[0] ^= 1;
    body.proof[0] = hash.toString("base64");
  });
  await expectProblem(page, "fork");
  await checkAccessibility(page, "who opened my record: forked log", a11y);
  assert.deepEqual(await remembered(page), second, "a forked checkpoint is not remembered");
  await client.context.unroute("**/api/v1/audit/proof/consistency**");

  // A rewritten history, signed with the log's real key: same size as what this browser saw,
  // another root. The signature holds, the history does not.
  const forged = forgeCheckpoint(second.size, Buffer.alloc(32, 0x5a));
  await rewriteEvents(client, (body) => {
    body.checkpoint = { size: second.size, note: forged };
  });
  await expectProblem(page, "fork");
  assert.deepEqual(await remembered(page), second);
  await client.context.unroute("**/api/v1/audit/events**");

  // The genuine log, untouched, is checked again and moves the remembered checkpoint on.
  await expectChecked(page);
  assert.ok((await remembered(page)).size > second.size);

  for (const entry of a11y) assert.deepEqual(entry.violations, [], `${entry.label} (${entry.path})`);
  assert.deepEqual([...clinician.problems, ...client.problems], []);
});

test("quick exit: the button and Escape three times leave, sign out, and Back does not return", { timeout: 180_000 }, async () => {
  const a11y = [];
  // On the consent walk-through too.
  await client.page.goto(`${server.origin}/consent`);
  const button = client.page.getByRole("button", { name: "Quick exit" });
  await button.waitFor({ timeout: TIMEOUT });
  await checkAccessibility(client.page, "consent with quick exit", a11y);

  // The button, from "Who opened my record".
  await client.page.goto(`${server.origin}/`);
  assert.equal(await shownPhrase(client.page), CLIENT_PHRASE);
  await openRecordAccess(client.page);
  await client.page.getByRole("button", { name: "Quick exit" }).click();
  await client.page.waitForURL(NEUTRAL, { timeout: TIMEOUT });
  assert.equal(await client.page.locator("h1").textContent(), "Neutral stub");
  assert.equal(await sessionStatus(client, { until: 401 }), 401, "the client's session is over");
  await client.page.goBack({ timeout: TIMEOUT }).catch(() => null);
  await client.page.waitForLoadState("load");
  await client.page.waitForTimeout(1000);
  assert.notEqual(new URL(client.page.url()).pathname, "/account/record-access", "Back does not return to the page left");
  const clientText = await client.page.locator("body").innerText();
  assert.ok(!clientText.includes(CLIENT_PHRASE), `no phrase after Back: ${clientText}`);
  assert.ok(!clientText.includes("Who opened my record"), `no record after Back: ${clientText}`);
  assert.ok(!clientText.includes(CLINICIAN_NAME), `no names after Back: ${clientText}`);

  // Escape three times, from the clinician's home; two presses and a pause do nothing.
  const page = clinician.page;
  await page.goto(`${server.origin}/`);
  assert.equal(await shownPhrase(page), CLINICIAN_PHRASE);
  await checkAccessibility(page, "clinician home with quick exit", a11y);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await page.waitForTimeout(1800);
  await page.keyboard.press("Escape");
  await page.waitForTimeout(500);
  assert.equal(new URL(page.url()).origin, server.origin, "presses spread out are not a quick exit");
  assert.equal(await sessionStatus(clinician, { until: 200 }), 200);
  await page.waitForTimeout(1600);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await page.waitForURL(NEUTRAL, { timeout: TIMEOUT });
  assert.equal(await sessionStatus(clinician, { until: 401 }), 401, "the clinician's session is over");
  await page.goBack({ timeout: TIMEOUT }).catch(() => null);
  await page.waitForLoadState("load");
  await page.waitForTimeout(1000);
  const text = await page.locator("body").innerText();
  assert.ok(!text.includes(CLINICIAN_PHRASE), `no phrase after Back: ${text}`);
  assert.ok(!text.includes("Robin Client"), `no client names after Back: ${text}`);

  for (const entry of a11y) assert.deepEqual(entry.violations, [], `${entry.label} (${entry.path})`);
  assert.deepEqual([...clinician.problems, ...client.problems], []);
});
