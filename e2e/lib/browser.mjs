// Debian's Chromium through playwright-core, one browser context per person, each with its own
// CDP virtual authenticator (a platform passkey provider with user verification).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/** The site quick exit leaves for: the tests answer it with a stub page (no network here). */
export const NEUTRAL_SITE = "https://www.wikipedia.org/";

/**
 * Answers every request of `context` to the neutral site with a stub page. Quick exit replaces
 * the page's location and may be pressed again while that navigation is still in flight; the
 * browser then cancels the first request after the stub has begun to answer it, and Playwright
 * rejects the late answer with "Route is already handled". That rejection says nothing about
 * the page under test (each test checks that the stub page is shown), so only it is dropped.
 */
export async function stubNeutralSite(context) {
  await context.route(`${NEUTRAL_SITE}**`, (route) =>
    route
      .fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Wikipedia</title><h1>Neutral stub</h1>" })
      .catch((error) => {
        if (!requestWentAway(error)) throw error;
      }),
  );
}

/** Errors of an answer whose request went away first (the page reloaded, navigated or closed). */
function requestWentAway(error) {
  return /Route is already handled|Target page, context or browser has been closed|Request context disposed/.test(String(error));
}

/**
 * Answers every request of `context` matching `pattern` with the real answer's JSON, after
 * `edit(body)` has changed it: the network rewriting what the server said. A request the page
 * gives up while its answer is being fetched or sent (a reload, the test's end) rejects inside
 * Playwright, where nothing the test awaits could catch it; only those rejections are dropped, so
 * an assertion inside `edit` still fails the test.
 */
export async function rewriteJson(context, pattern, edit) {
  await context.route(pattern, async (route) => {
    let response;
    let body;
    try {
      response = await route.fetch();
      body = await response.json();
    } catch (error) {
      if (requestWentAway(error)) return;
      throw error;
    }
    edit(body);
    await route.fulfill({ response, json: body }).catch((error) => {
      if (!requestWentAway(error)) throw error;
    });
  });
}

/**
 * Drops the neutral-site stub of `context` once every answer it has begun is finished. An
 * answer still in flight when its page goes away (the next test navigates it, or the browser
 * closes) loses a race inside Playwright, whose late rejection nothing can catch and which
 * node:test then reports against the file: so wait for the answers, then let the page go.
 */
export async function unstubNeutralSite(context) {
  await context?.unrouteAll({ behavior: "wait" });
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A new person: their own browser context and page, with a virtual authenticator attached to
 * that page. Keep using this one page (navigate it): the authenticator belongs to it.
 * `problems` collects uncaught page errors and Content-Security-Policy violations.
 */
export async function newPerson(browser, name, { prf = true, userDataDir = null } = {}) {
  // A persistent profile (its own browser process) when the test inspects what the browser
  // wrote to disk; otherwise a fresh in-memory context of the shared browser.
  const context =
    userDataDir === null
      ? await browser.newContext({ locale: "en-GB", timezoneId: "UTC" })
      : await chromium.launchPersistentContext(userDataDir, {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          headless: true,
          args: CHROMIUM_ARGS,
          locale: "en-GB",
          timezoneId: "UTC",
        });
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const addAuthenticator = async () =>
    (
      await cdp.send("WebAuthn.addVirtualAuthenticator", {
        options: {
          protocol: "ctap2",
          transport: "internal",
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          // The WebAuthn PRF extension: the passkey derives the browser's device key.
          hasPrf: prf,
        },
      })
    ).authenticatorId;
  let authenticatorId = await addAuthenticator();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`${name}: uncaught error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
      problems.push(`${name}: CSP violation: ${message.text()}`);
    }
  });
  return {
    name,
    context,
    page,
    problems,
    userDataDir,
    /** Closes a persistent profile's browser (shared-browser contexts close with the browser). */
    async close() {
      if (userDataDir !== null) await context.close();
    },
    /** The passkeys this person's authenticator holds (with their private keys). */
    async credentials() {
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      return credentials;
    },
    /** Copies passkeys into this person's authenticator (a synced passkey, a second device). */
    async addCredentials(credentials) {
      for (const credential of credentials) {
        await cdp.send("WebAuthn.addCredential", { authenticatorId, credential });
      }
    },
    async removeCredential(credentialId) {
      await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId });
    },
    /** Swaps in an empty authenticator (a new device) and returns the old one's passkeys. */
    async newDevice() {
      const old = await this.credentials();
      await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
      authenticatorId = await addAuthenticator();
      return old;
    },
  };
}

const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core on the page and records serious or critical violations in `report`.
 * The page's CSP forbids inline scripts, so `page.addScriptTag({content})` is refused there;
 * the source is evaluated through the DevTools protocol instead, which the CSP does not govern.
 */
export async function checkAccessibility(page, label, report) {
  const loaded = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!loaded) {
    await page.evaluate(axeSource);
  }
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  report.push({ label, path: new URL(page.url()).pathname, violations: bad });
}
