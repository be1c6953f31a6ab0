// End-to-end encrypted conversations in the browser.
//
// A clinician and a client, each in their own Chromium profile on disk, set up their browsers
// as devices (keys made in wasm, unlocked by the passkey's PRF secret), exchange messages both
// ways, send a 5 MB attachment with visible progress, hold a live session, compare safety
// numbers, and see a new device of the other person announced. A message full of HTML and a
// punycode look-alike link renders inert and warned. Afterwards the canary text appears nowhere
// on disk: not in the database files, the server log, or either browser profile.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { checkAccessibility, launchBrowser, newPerson } from "../lib/browser.mjs";
import { acceptConsent, createInvitation, redeem, signIn, TIMEOUT } from "../lib/flows.mjs";
import { startServer } from "../lib/server.mjs";

const CANARY = `canary-${randomBytes(8).toString("hex")}`;
const CLINICIAN = "Dr Casey";
const CLIENT = "Robin Client";

let server;
let browser;
let profiles;
let admin;
let clinician;
let client;

before(async () => {
  server = await startServer("messaging");
  browser = await launchBrowser();
  profiles = mkdtempSync(join(tmpdir(), "alcove-e2e-profiles-"));
  admin = await newPerson(browser, "admin");
  await redeem(admin.page, server.setupLink, { displayName: "Ada Admin", phrase: "lamp in the hallway", passkeyName: "Laptop" });
  const { link: clinicianLink } = await createInvitation(admin.page, { role: "clinician", label: "C" });
  clinician = await newPerson(browser, "clinician", { userDataDir: join(profiles, "clinician") });
  await redeem(clinician.page, clinicianLink, { displayName: CLINICIAN, phrase: "copper kettle", passkeyName: "Desk" });
  const { link: clientLink } = await createInvitation(clinician.page, { label: "R" });
  client = await newPerson(browser, "client", { userDataDir: join(profiles, "client") });
  await redeem(client.page, clientLink, { displayName: CLIENT, phrase: "quiet river stones", passkeyName: "Phone" });
  await acceptConsent(client.page);
});

after(async () => {
  await clinician?.close();
  await client?.close();
  await browser?.close();
  await server?.stop();
  if (profiles) rmSync(profiles, { recursive: true, force: true });
});

async function openMessages(person) {
  await person.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Messages" }).click();
  await person.page.getByRole("heading", { level: 1, name: "Messages" }).waitFor({ timeout: TIMEOUT });
}

/** Sets the browser up as a device with the passkey, and opens the conversation with `peer`. */
async function setUpAndOpen(person, peer) {
  await openMessages(person);
  const setup = person.page.getByRole("button", { name: "Set up with my passkey" });
  const heading = person.page.getByRole("heading", { level: 2, name: peer });
  await setup.or(heading).first().waitFor({ timeout: TIMEOUT });
  if (await setup.isVisible()) await setup.click();
  const pick = person.page.getByRole("navigation", { name: "Clients" }).getByRole("button", { name: new RegExp(`^${peer}`) });
  // A passkey copied into another authenticator may not carry its PRF secret: then a PIN.
  const pin = person.page.getByLabel("New PIN");
  await heading.or(pick).or(pin).first().waitFor({ timeout: 30_000 });
  if (await pin.isVisible()) {
    await pin.fill("second-device-pin");
    await person.page.getByLabel("The same PIN again").fill("second-device-pin");
    await person.page.getByRole("button", { name: "Set up with this PIN" }).click();
  }
  await heading.or(pick).first().waitFor({ timeout: 30_000 });
  if (!(await heading.isVisible())) await pick.click();
  await heading.waitFor({ timeout: TIMEOUT });
}

function chat(page) {
  return page.getByRole("log", { name: "Messages" });
}

async function waitForText(page, text, timeout = 30_000) {
  await chat(page).getByText(text, { exact: false }).first().waitFor({ timeout });
}

async function send(page, text) {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await chat(page).getByText(text).first().waitFor({ timeout: TIMEOUT });
}

/** Every file under `dir`, recursively. */
function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    let names;
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      let st;
      try {
        st = statSync(path);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** Files under `dir` containing `text` in UTF-8 or UTF-16LE. */
function filesContaining(dir, text) {
  const needles = [Buffer.from(text, "utf8"), Buffer.from(text, "utf16le")];
  return filesUnder(dir).filter((path) => {
    let data;
    try {
      data = readFileSync(path);
    } catch {
      return false;
    }
    return needles.some((n) => data.includes(n));
  });
}

test("a clinician and a client talk end to end encrypted, with a file and a live session", { timeout: 300_000 }, async () => {
  const a11y = [];
  await setUpAndOpen(client, CLINICIAN);
  await checkAccessibility(client.page, "client conversation", a11y);
  await setUpAndOpen(clinician, CLIENT);
  // The clinician's new browser is added to the conversation by the client's; until then the
  // client cannot write (a message the clinician's device could never read).
  await clinician.page.getByLabel("Message", { exact: true }).waitFor({ timeout: 30_000 });
  await client.page.getByRole("button", { name: "Send", exact: true }).and(client.page.locator(":enabled")).waitFor({ timeout: 30_000 });
  await checkAccessibility(clinician.page, "clinician conversation", a11y);

  // Both ways.
  await send(client.page, `Hello from the client ${CANARY}`);
  await waitForText(clinician.page, `Hello from the client ${CANARY}`);
  await send(clinician.page, `Hello back ${CANARY}`);
  await waitForText(client.page, `Hello back ${CANARY}`);
  // The clinician had the conversation open: the client's message shows as read.
  await client.page.locator(".bubble.mine .receipt").getByText("Read").waitFor({ timeout: 30_000 });

  // A 5 MB attachment, encrypted in the browser, with visible progress on a slowed upload.
  const file = Buffer.alloc(5 * 1024 * 1024);
  randomBytes(file.length).copy(file);
  Buffer.from(`attachment ${CANARY}`).copy(file, 1000);
  const digest = createHash("sha256").update(file).digest("hex");
  const cdp = await client.context.newCDPSession(client.page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 2 * 1024 * 1024 });
  await client.page.getByLabel("Attach a file").setInputFiles({ name: "notes.bin", mimeType: "application/octet-stream", buffer: file });
  const progress = client.page.locator("#upload-progress");
  await progress.waitFor({ state: "visible", timeout: TIMEOUT });
  const first = Number(await progress.getAttribute("value"));
  await client.page.waitForTimeout(700);
  const later = Number((await progress.getAttribute("value").catch(() => null)) ?? file.length);
  assert.ok(later > first, `upload progress moves (${first} → ${later})`);
  await progress.waitFor({ state: "detached", timeout: 60_000 });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await waitForText(clinician.page, "notes.bin");
  await clinician.page.getByRole("button", { name: "Download notes.bin" }).click();
  const save = clinician.page.getByRole("link", { name: "Save notes.bin" });
  await save.waitFor({ timeout: 60_000 });
  const [download] = await Promise.all([clinician.page.waitForEvent("download"), save.click()]);
  assert.equal(download.suggestedFilename(), "notes.bin");
  const saved = readFileSync(await download.path());
  assert.deepEqual({ size: saved.length, hash: createHash("sha256").update(saved).digest("hex") }, { size: file.length, hash: digest });

  // A live session: the clinician starts it, both see it, the clinician ends it.
  await clinician.page.getByRole("button", { name: "Start live session" }).click();
  await clinician.page.getByRole("region", { name: "Live session" }).waitFor({ timeout: TIMEOUT });
  await client.page.getByRole("region", { name: "Live session" }).waitFor({ timeout: 30_000 });
  await waitForText(client.page, `${CLINICIAN} started a live session`);
  await send(client.page, `In the session ${CANARY}`);
  await waitForText(clinician.page, `In the session ${CANARY}`);
  await clinician.page.getByText(`${CLIENT} is here`).waitFor({ timeout: TIMEOUT });
  await checkAccessibility(client.page, "client live session", a11y);
  await clinician.page.getByRole("button", { name: "End live session" }).click();
  await waitForText(client.page, `${CLINICIAN} ended the live session`);
  assert.equal(await client.page.getByRole("region", { name: "Live session" }).count(), 0);

  for (const entry of a11y) assert.deepEqual(entry.violations, [], `${entry.label} (${entry.path})`);
  assert.deepEqual([...clinician.problems, ...client.problems], []);
});

test("untrusted content renders inert and a look-alike link is warned", { timeout: 120_000 }, async () => {
  const hostile = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> see https://xn--pypal-4ve.com/login`;
  await client.page.getByLabel("Message", { exact: true }).fill(hostile);
  await client.page.getByRole("button", { name: "Send", exact: true }).click();
  await waitForText(client.page, "<script>window.pwned=1</script>");
  await waitForText(clinician.page, "<script>window.pwned=1</script>");
  const page = clinician.page;
  assert.equal(await page.evaluate(() => window.pwned), undefined, "nothing ran");
  assert.equal(await chat(page).locator("img, script").count(), 0, "no element came from the message");
  // The link is not clickable until expanded; expanded, it carries a warning.
  const last = chat(page).locator(".bubble.theirs").last();
  assert.equal(await last.locator("a").count(), 0, "no anchor before expanding");
  await last.getByRole("button", { name: /^link:/ }).click();
  await last.getByRole("alert").waitFor({ timeout: TIMEOUT });
  assert.match(await last.getByRole("alert").textContent(), /punycode|looks like|characters/i);
  const a11y = [];
  await checkAccessibility(page, "hostile message expanded", a11y);
  for (const entry of a11y) assert.deepEqual(entry.violations, [], `${entry.label} (${entry.path})`);
});

test("safety numbers: comparing marks verified; a new device of the client clears it", { timeout: 180_000 }, async () => {
  const digits = async (page) => {
    const details = page.locator("details.verification");
    if (!(await details.evaluate((d) => d.open))) await details.locator("summary").click();
    return (await page.getByLabel("Safety number", { exact: true }).textContent()).replace(/\s+/g, "");
  };
  const a = await digits(clinician.page);
  const b = await digits(client.page);
  assert.match(a, /^\d{60}$/);
  assert.equal(a, b, "both sides show the same number");
  assert.ok(await clinician.page.locator("svg.qr rect").count() > 100, "a QR code is drawn");
  await clinician.page.getByRole("button", { name: "The numbers match: mark as verified" }).click();
  await clinician.page.locator(".verified-mark").getByText("Verified").waitFor({ timeout: TIMEOUT });
  await client.page.getByRole("button", { name: "The numbers match: mark as verified" }).click();
  await client.page.locator(".verified-mark").getByText("Verified").waitFor({ timeout: TIMEOUT });
  // The clinician's secureness checklist shows the client's verification, and the device the
  // client last signed in from.
  const checklistState = async (item) => {
    const api = await clinician.page.evaluate(async () => (await (await fetch("/api/v1/clients/checklists")).json()).clients[0].items);
    return api.find((i) => i.item === item);
  };
  for (let i = 0; i < 50 && (await checklistState("safety_numbers")).state !== "done"; i += 1) await clinician.page.waitForTimeout(100);
  assert.equal((await checklistState("safety_numbers")).state, "done");
  const device = await checklistState("last_sign_in_device");
  assert.equal(device.state, "done");
  assert.match(device.detail, /Chrome on Linux, computer/);

  // The client signs in on a second browser with the same (synced) passkey: a new device.
  const second = await newPerson(browser, "client-second-device");
  try {
    await second.addCredentials(await client.credentials());
    await signIn(second.page, server.origin);
    await setUpAndOpen(second, CLINICIAN);
    const notice = clinician.page.locator(".device-notice");
    await notice.waitFor({ timeout: 30_000 });
    assert.match(await notice.textContent(), new RegExp(`${CLIENT}'s devices changed: a new device joined`));
    await clinician.page.locator(".unverified-mark").waitFor({ timeout: TIMEOUT });
    assert.equal((await checklistState("safety_numbers")).state, "missing", "the verification no longer describes the devices");
    assert.notEqual(await digits(clinician.page), a, "the safety number changed");
    // The new device reads what is sent from now on.
    await send(clinician.page, "Welcome to your new device");
    await waitForText(second.page, "Welcome to your new device");
  } finally {
    await second.context.close();
  }
});

test("no plaintext canary in the database, the server log or either browser profile", { timeout: 120_000 }, async () => {
  const clientId = await client.page.evaluate(async () => (await (await fetch("/api/v1/me")).json()).id);
  // Close the profiles so everything they hold is flushed to disk.
  await clinician.close();
  await client.close();
  // Controls: the scan does read what is there — the database holds the clinician's name, and
  // the client's profile holds its IndexedDB device record (keyed by the client's id).
  assert.ok(filesContaining(server.dataDir, CLINICIAN).length > 0, "control: names are in the database");
  assert.ok(
    filesContaining(join(profiles, "client"), clientId).some((p) => p.includes("IndexedDB")),
    "control: the device record is in the client's IndexedDB",
  );
  assert.deepEqual(filesContaining(server.dataDir, CANARY), [], "database files (SQLite and WAL)");
  assert.deepEqual(filesContaining(profiles, CANARY), [], "browser profiles");
  await server.stop();
  assert.equal(readFileSync(server.logPath, "utf8").includes(CANARY), false, "server log");
});
