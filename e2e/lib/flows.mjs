// What a person does in the UI, written once for every test: redeem a link, sign in and out,
// create invitations (confirming with the passkey when the server asks).
import assert from "node:assert/strict";

export const TIMEOUT = 15_000;

/** Waits for the signed-in home page; on failure, says what the page announced instead. */
async function waitForHome(page) {
  try {
    await page.getByRole("heading", { level: 1, name: /^Hello, / }).waitFor({ timeout: TIMEOUT });
  } catch (error) {
    const shown = await page.locator(".status-area").textContent().catch(() => "");
    throw new Error(`the home page did not appear (page says: "${shown?.trim()}")`, { cause: error });
  }
}

/** Opens a setup or invitation link (unless `link` is null: already open) and completes the
 * form; ends on the home page. */
export async function redeem(page, link, { displayName, phrase, passkeyName }) {
  if (link !== null) await page.goto(link);
  await page.getByRole("button", { name: "Create my passkey" }).waitFor({ timeout: TIMEOUT });
  assert.equal(new URL(page.url()).hash, "", "the token must be removed from the address bar");
  if (displayName !== undefined) await page.getByLabel("Display name").fill(displayName);
  if (phrase !== undefined) await page.getByLabel("Anti-phishing phrase").fill(phrase);
  if (passkeyName !== undefined) await page.getByLabel("Passkey name").fill(passkeyName);
  await page.getByRole("button", { name: "Create my passkey" }).click();
  await waitForHome(page);
}

/** The text of the anti-phishing phrase banner. */
export async function shownPhrase(page) {
  const banner = page.getByRole("complementary", { name: "Your anti-phishing phrase" });
  await banner.waitFor({ timeout: TIMEOUT });
  return (await banner.locator(".phrase-text").textContent()).trim();
}

export async function signOut(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor({ timeout: TIMEOUT });
}

export async function signIn(page, origin) {
  await page.goto(`${origin}/signin`);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await waitForHome(page);
}

/**
 * Creates an invitation from the home page and returns `{ link, reauthAsked }`.
 * `role` is chosen in the role list when the person may invite several roles.
 */
export async function createInvitation(page, { role, label }) {
  if (role !== undefined) await page.getByLabel("Role").selectOption(role);
  if (label !== undefined) await page.getByLabel("Note for yourself (optional)").fill(label);
  await page.getByRole("button", { name: /^Create (client )?invitation$/ }).click();
  const linkField = page.getByLabel("Invitation link");
  const confirm = page.getByRole("button", { name: "Confirm with my passkey" });
  await linkField.or(confirm).first().waitFor({ timeout: TIMEOUT });
  let reauthAsked = false;
  if (await confirm.isVisible()) {
    reauthAsked = true;
    await confirm.click();
  }
  await linkField.waitFor({ timeout: TIMEOUT });
  const link = await linkField.inputValue();
  await page.getByRole("button", { name: "I have sent it, hide the link" }).click();
  return { link, reauthAsked };
}

/**
 * A client accepts the current consent document from the home page: every screen, the device
 * questions (`others`: others use this device; `mine`: it is theirs alone), the right answer to
 * every question, and the passkey signature. Ends on the "Thank you" screen.
 */
export async function acceptConsent(page, { others = false, mine = true } = {}) {
  const doc = await page.evaluate(async () => (await fetch("/api/v1/consent/current")).json());
  await page.getByRole("link", { name: "Start" }).click();
  await page.getByRole("button", { name: "Start" }).click();
  const sections = doc.body.split("\n").filter((l) => l.startsWith("## "));
  for (let i = 0; i < sections.length; i += 1) {
    await page.getByRole("button", { name: "Next", exact: true }).click();
  }
  await page.getByRole("heading", { level: 1, name: "About this device" }).waitFor({ timeout: TIMEOUT });
  await page.getByRole("group", { name: /anyone else ever use/ }).getByRole("radio", { name: others ? "Yes" : "No" }).check();
  await page.getByRole("group", { name: /yours alone/ }).getByRole("radio", { name: mine ? "Yes" : "No" }).check();
  await page.getByRole("button", { name: "Next", exact: true }).click();
  for (const [i, q] of doc.questions.entries()) {
    await page.getByRole("heading", { level: 1, name: `Question ${i + 1} of ${doc.questions.length}` }).waitFor({ timeout: TIMEOUT });
    await page.getByRole("group", { name: q.prompt }).getByRole("radio", { name: q.choices[q.correct] }).check();
    await page.getByRole("button", { name: "Check my answer" }).click();
    await page.getByRole("button", { name: /^(Next question|Continue)$/ }).click();
  }
  await page.getByRole("button", { name: "Accept with my passkey" }).click();
  await page.getByRole("heading", { level: 1, name: "Thank you" }).waitFor({ timeout: TIMEOUT });
}
