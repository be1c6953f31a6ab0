// Keyboard-only use, end to end: a clinician and a client who never touch a mouse.
//
// The practice admin sets the server up with the usual helpers; from the clinician's invitation
// on, every action is a key press: Tab (or Shift+Tab) until the control has focus, then Enter,
// Space or arrow keys, and typing into fields. Each control is reached through the page's own
// focus order, and each one shows a visible focus ring when it gets there. The run covers
// redeeming invitations, creating one, the whole consent walk-through, setting up messages,
// writing both ways, a file attachment and its download, a link that must be expanded before it
// can be followed, a live session, comparing safety numbers, locking and unlocking, signing out
// and in, and the quick exit.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { launchBrowser, newPerson, stubNeutralSite, unstubNeutralSite } from "../lib/browser.mjs";
import { createInvitation, redeem, TIMEOUT } from "../lib/flows.mjs";
import { startServer } from "../lib/server.mjs";

const CLINICIAN = "Dr Kim Keys";
const CLIENT = "Sam Keys";

let server;
let browser;
let admin;
let clinician;
let client;

before(async () => {
  server = await startServer("keyboard");
  browser = await launchBrowser();
  admin = await newPerson(browser, "admin");
  await redeem(admin.page, server.setupLink, { displayName: "Ada Admin", phrase: "lamp in the hallway", passkeyName: "Laptop" });
  clinician = await newPerson(browser, "clinician");
  client = await newPerson(browser, "client");
});

after(async () => {
  await unstubNeutralSite(client?.context);
  await browser?.close();
  await server?.stop();
});

/** How many Tab presses may pass before a control counts as unreachable. */
const MAX_TABS = 80;

/**
 * Presses Tab (Shift+Tab with `back`) until `target` has focus, and checks that it shows a
 * focus ring. Fails when the control cannot be reached through the focus order.
 */
async function tabTo(page, target, { back = false } = {}) {
  await target.waitFor({ timeout: 30_000 });
  for (let i = 0; i < MAX_TABS; i += 1) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) {
      const ring = await target.evaluate((el) => {
        const style = getComputedStyle(el);
        return {
          focusVisible: el.matches(":focus-visible"),
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
          shadow: style.boxShadow !== "none",
        };
      });
      assert.ok(ring.focusVisible && (ring.outline || ring.shadow), `the focused control shows a focus ring (${JSON.stringify(ring)})`);
      return;
    }
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    return el === null ? "nothing" : `${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 40)}"`;
  });
  assert.fail(`${MAX_TABS} Tab presses did not reach the control (focus is on ${focused})`);
}

/** Tabs to a button or link and activates it with Enter. */
async function press(page, target) {
  await tabTo(page, target);
  await page.keyboard.press("Enter");
}

/** Tabs to a field and types into it. */
async function type(page, field, text) {
  await tabTo(page, field);
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type(text);
}

/**
 * In a radio group, moves with the arrow keys until `choice` is checked (arrow keys select as
 * they move, as in every native radio group).
 */
async function choose(page, group, choice) {
  await tabTo(page, group.getByRole("radio").and(page.locator(":checked")).or(group.getByRole("radio").first()).first());
  const count = await group.getByRole("radio").count();
  for (let i = 0; i <= count; i += 1) {
    if (await choice.isChecked()) return;
    await page.keyboard.press("ArrowDown");
  }
  assert.fail("the arrow keys did not reach the choice");
}

/**
 * Tabs to a file field and presses Space until the file chooser opens (a re-render can take
 * focus from the field between the two; a person would press again too). Fails after three.
 */
async function openChooserByKeyboard(page, field) {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await tabTo(page, field);
    const chooser = page.waitForEvent("filechooser", { timeout: 5_000 }).catch(() => null);
    await page.keyboard.press("Space");
    const opened = await chooser;
    if (opened !== null) return opened;
  }
  assert.fail("Space on the focused file field did not open the file chooser");
}

function button(page, name) {
  return page.getByRole("button", { name, exact: true });
}

function chat(page) {
  return page.getByRole("log", { name: "Messages" });
}

async function redeemByKeyboard(page, link, { displayName, phrase, passkeyName }) {
  await page.goto(link);
  await page.getByRole("button", { name: "Create my passkey" }).waitFor({ timeout: TIMEOUT });
  await type(page, page.getByLabel("Display name"), displayName);
  await type(page, page.getByLabel("Anti-phishing phrase"), phrase);
  await type(page, page.getByLabel("Passkey name"), passkeyName);
  await press(page, button(page, "Create my passkey"));
  await page.getByRole("heading", { level: 1, name: /^Hello, / }).waitFor({ timeout: TIMEOUT });
}

async function openMessages(page) {
  await press(page, page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Messages" }));
  await page.getByRole("heading", { level: 1, name: "Messages" }).waitFor({ timeout: TIMEOUT });
}

/** Presses "Set up with my passkey" if the page offers it before `ready` appears. */
async function setUpIfAsked(page, ready) {
  const setup = button(page, "Set up with my passkey");
  await setup.or(ready).first().waitFor({ timeout: 30_000 });
  if (await setup.isVisible()) await press(page, setup);
}

async function sendByKeyboard(page, text) {
  const box = page.getByLabel("Message", { exact: true });
  await box.and(page.locator(":enabled")).waitFor({ timeout: 30_000 });
  await type(page, box, text);
  await page.keyboard.press("Enter");
  // (A link in the text renders as a separate control: look for the words before it.)
  await chat(page).getByText(text.split(" https://")[0], { exact: false }).first().waitFor({ timeout: TIMEOUT });
  assert.equal(await box.inputValue(), "", "Enter sends and empties the composer");
}

test("a clinician and a client use Alcove with the keyboard alone", { timeout: 300_000 }, async () => {
  const { link: clinicianLink } = await createInvitation(admin.page, { role: "clinician", label: "K" });

  // The clinician redeems the invitation and invites a client.
  const c = clinician.page;
  await redeemByKeyboard(c, clinicianLink, { displayName: CLINICIAN, phrase: "brass compass", passkeyName: "Desk" });
  await type(c, c.getByLabel("Note for yourself (optional)"), "S");
  await press(c, c.getByRole("button", { name: /^Create (client )?invitation$/ }));
  const linkField = c.getByLabel("Invitation link");
  const confirm = button(c, "Confirm with my passkey");
  await linkField.or(confirm).first().waitFor({ timeout: TIMEOUT });
  if (await confirm.isVisible()) await press(c, confirm);
  await linkField.waitFor({ timeout: TIMEOUT });
  const clientLink = await linkField.inputValue();
  await press(c, button(c, "I have sent it, hide the link"));

  // The client redeems it and reads and accepts the consent document.
  const p = client.page;
  await redeemByKeyboard(p, clientLink, { displayName: CLIENT, phrase: "seven green kites", passkeyName: "Phone" });
  const doc = await p.evaluate(async () => (await fetch("/api/v1/consent/current")).json());
  await press(p, p.getByRole("link", { name: "Start" }));
  await press(p, button(p, "Start"));
  const sections = doc.body.split("\n").filter((l) => l.startsWith("## "));
  for (let i = 0; i < sections.length; i += 1) await press(p, button(p, "Next"));
  await p.getByRole("heading", { level: 1, name: "About this device" }).waitFor({ timeout: TIMEOUT });
  const others = p.getByRole("group", { name: /anyone else ever use/ });
  await choose(p, others, others.getByRole("radio", { name: "No" }));
  const mine = p.getByRole("group", { name: /yours alone/ });
  await choose(p, mine, mine.getByRole("radio", { name: "Yes" }));
  await press(p, button(p, "Next"));
  for (const [i, q] of doc.questions.entries()) {
    await p.getByRole("heading", { level: 1, name: `Question ${i + 1} of ${doc.questions.length}` }).waitFor({ timeout: TIMEOUT });
    const group = p.getByRole("group", { name: q.prompt });
    await choose(p, group, group.getByRole("radio", { name: q.choices[q.correct] }));
    await press(p, button(p, "Check my answer"));
    await press(p, p.getByRole("button", { name: /^(Next question|Continue)$/ }));
  }
  await press(p, button(p, "Accept with my passkey"));
  await p.getByRole("heading", { level: 1, name: "Thank you" }).waitFor({ timeout: TIMEOUT });

  // Both set their browsers up for messages; the clinician picks the client from the list.
  // (A browser whose passkey just signed in with its PRF secret is set up without asking.)
  await openMessages(p);
  await setUpIfAsked(p, p.getByRole("heading", { level: 2, name: CLINICIAN }));
  await p.getByRole("heading", { level: 2, name: CLINICIAN }).waitFor({ timeout: 30_000 });
  await openMessages(c);
  const pick = c.getByRole("navigation", { name: "Clients" }).getByRole("button", { name: new RegExp(`^${CLIENT}`) });
  await setUpIfAsked(c, pick);
  await press(c, pick);
  await c.getByRole("heading", { level: 2, name: CLIENT }).waitFor({ timeout: 30_000 });

  // Writing both ways: Enter sends.
  await sendByKeyboard(p, "Hello, typed without a mouse");
  await chat(c).getByText("Hello, typed without a mouse").waitFor({ timeout: 30_000 });
  await sendByKeyboard(c, "Read you. See https://example.org/worksheet");
  await chat(p).getByText("Read you.", { exact: false }).waitFor({ timeout: 30_000 });

  // A link is a toggle: Enter expands it, and only then is the address a link to follow.
  const toggle = chat(p).getByRole("button", { name: /example\.org/ });
  await press(p, toggle);
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  await tabTo(p, chat(p).getByRole("link", { name: "Open example.org in a new tab" }));

  // A file: Space on the file field opens the chooser; the other side downloads it by keyboard.
  const chooser = await openChooserByKeyboard(p, p.getByLabel("Attach a file"));
  await chooser.setFiles({ name: "plan.txt", mimeType: "text/plain", buffer: Buffer.from("my safety plan, step one") });
  await chat(c).getByText("plan.txt", { exact: true }).waitFor({ timeout: 30_000 });
  await press(c, button(c, "Download plan.txt"));
  const save = c.getByRole("link", { name: "Save plan.txt" });
  await tabTo(c, save, { back: true });
  const [download] = await Promise.all([c.waitForEvent("download"), c.keyboard.press("Enter")]);
  assert.equal(readFileSync(await download.path(), "utf8"), "my safety plan, step one");

  // A live session, started by the clinician and ended by the client.
  await press(c, button(c, "Start live session"));
  await p.getByRole("region", { name: "Live session" }).waitFor({ timeout: 30_000 });
  await press(p, button(p, "End live session"));
  await chat(c).getByText(`${CLIENT} ended the live session`, { exact: false }).waitFor({ timeout: 30_000 });

  // Comparing safety numbers: the disclosure opens with Enter, the confirmation with Enter.
  const summary = c.locator("summary", { hasText: "Check the safety number" });
  await press(c, summary);
  const digits = (await c.getByLabel("Safety number", { exact: true }).textContent()).trim();
  await press(p, p.locator("summary", { hasText: "Check the safety number" }));
  assert.equal((await p.getByLabel("Safety number", { exact: true }).textContent()).trim(), digits);
  await press(c, button(c, "The numbers match: mark as verified"));
  await c.locator(".verified-mark").waitFor({ timeout: TIMEOUT });

  // Locking by hand and unlocking with the passkey.
  await press(p, button(p, "Lock messages now"));
  await p.getByRole("heading", { level: 2, name: "Messages are locked" }).waitFor({ timeout: TIMEOUT });
  assert.equal(await p.getByText("Hello, typed without a mouse").count(), 0, "nothing decrypted stays on the locked page");
  await press(p, button(p, "Unlock with my passkey"));
  await p.getByRole("heading", { level: 2, name: CLINICIAN }).waitFor({ timeout: 30_000 });

  // Signing out and in again.
  await press(p, p.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }));
  await p.getByRole("heading", { level: 1, name: "Sign in" }).waitFor({ timeout: TIMEOUT });
  await press(p, button(p, "Sign in with a passkey"));
  await p.getByRole("heading", { level: 1, name: /^Hello, / }).waitFor({ timeout: TIMEOUT });

  // The quick exit: Escape three times leaves for a neutral site.
  // (The neutral site is stubbed: this machine may not reach the internet.)
  await stubNeutralSite(client.context);
  await openMessages(p);
  await p.keyboard.press("Escape");
  await p.keyboard.press("Escape");
  await p.keyboard.press("Escape");
  await p.waitForURL("https://www.wikipedia.org/", { timeout: TIMEOUT });

  assert.deepEqual([...clinician.problems, ...client.problems], []);
});

