// The foundation journey: first-run setup, staff and client invitations, passkey sign-in and the
// anti-phishing phrase; then what must hold around it (look-alike origins, security headers,
// accessibility, logs).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { checkAccessibility, launchBrowser, newPerson } from "../lib/browser.mjs";
import { createInvitation, redeem, shownPhrase, signIn, signOut, TIMEOUT } from "../lib/flows.mjs";
import { startServer } from "../lib/server.mjs";

const ADMIN = { displayName: "Rowan Admin-Canary", phrase: "heron over still water", passkeyName: "Admin laptop" };
const CLINICIAN = { displayName: "Dr Mira Canary-Clinician", phrase: "copper kettle singing", passkeyName: "Clinic desktop" };
const CLIENT = { displayName: "Sam Canary-Client", phrase: "seven quiet lanterns", passkeyName: "My phone" };

describe("foundation", { timeout: 180_000 }, () => {
  let server;
  let browser;
  const people = {};
  const a11y = [];
  const documentResponses = [];
  const invitationLinks = [];

  before(async () => {
    server = await startServer("foundation");
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("first-run setup → admin invites a clinician → clinician invites a client → client signs in and sees their phrase", async () => {
    const admin = (people.admin = await newPerson(browser, "admin"));
    assert.ok(server.setupLink.startsWith(`${server.origin}/setup#`), `setup link has the token in its fragment`);

    // The setup page, before and after the passkey.
    documentResponses.push(await admin.page.goto(server.setupLink));
    await admin.page.getByRole("heading", { level: 1, name: "Set up Alcove" }).waitFor({ timeout: TIMEOUT });
    await checkAccessibility(admin.page, "setup", a11y);
    await redeem(admin.page, null, ADMIN);
    assert.equal(await shownPhrase(admin.page), ADMIN.phrase);
    assert.equal((await admin.credentials()).length, 1, "the admin's authenticator holds one passkey");
    await checkAccessibility(admin.page, "admin home", a11y);

    // The admin invites a clinician (confirming with the passkey if the server asks).
    const { link: clinicianLink } = await createInvitation(admin.page, { role: "clinician", label: "Mira" });
    invitationLinks.push(clinicianLink);
    assert.match(clinicianLink, new RegExp(`^${server.origin}/invite#.{22,}$`));
    await admin.page.getByRole("cell", { name: "Mira" }).waitFor({ timeout: TIMEOUT });
    await checkAccessibility(admin.page, "admin home with invitations", a11y);

    // The clinician, in their own browser, redeems it, signs out, and signs in with the passkey.
    const clinician = (people.clinician = await newPerson(browser, "clinician"));
    await clinician.page.goto(clinicianLink);
    await clinician.page.getByRole("heading", { level: 1, name: "Welcome to Alcove" }).waitFor({ timeout: TIMEOUT });
    await clinician.page.getByText(/as a clinician/).waitFor({ timeout: TIMEOUT });
    await checkAccessibility(clinician.page, "invitation", a11y);
    await redeem(clinician.page, null, CLINICIAN);
    assert.equal(await shownPhrase(clinician.page), CLINICIAN.phrase);
    await signOut(clinician.page);
    await checkAccessibility(clinician.page, "sign in", a11y);
    await signIn(clinician.page, server.origin);
    assert.equal(await shownPhrase(clinician.page), CLINICIAN.phrase);
    await clinician.page.getByRole("heading", { level: 2, name: "Your clients" }).waitFor({ timeout: TIMEOUT });

    // The clinician invites a client.
    const { link: clientLink } = await createInvitation(clinician.page, { label: "S." });
    invitationLinks.push(clientLink);
    await checkAccessibility(clinician.page, "clinician home", a11y);

    // The client redeems it in their own browser, signs out, signs in again, sees their phrase.
    const client = (people.client = await newPerson(browser, "client"));
    await redeem(client.page, clientLink, CLIENT);
    await checkAccessibility(client.page, "client home", a11y);
    await signOut(client.page);
    await signIn(client.page, server.origin);
    assert.equal(await shownPhrase(client.page), CLIENT.phrase);
    await client.page.getByText("If this is not your phrase, close this page.").waitFor({ timeout: TIMEOUT });
    await client.page.goto(`${server.origin}/account`);
    await client.page.getByRole("heading", { level: 1, name: "Your account" }).waitFor({ timeout: TIMEOUT });
    await client.page.getByText("You have only one passkey.").waitFor({ timeout: TIMEOUT });
    assert.equal(await shownPhrase(client.page), CLIENT.phrase);
    await checkAccessibility(client.page, "client account", a11y);

    // Each person's phrase is their own.
    assert.equal(await shownPhrase(admin.page), ADMIN.phrase);

    // A used invitation shows the clear page and creates nothing.
    const stranger = await newPerson(browser, "stranger");
    await stranger.page.goto(clientLink);
    await stranger.page.getByRole("heading", { level: 1, name: "This invitation has already been used" }).waitFor({ timeout: TIMEOUT });
    await stranger.page.getByText("Ask your clinician for a new one.").or(stranger.page.getByText("If you are a client, ask your clinician")).first().waitFor({ timeout: TIMEOUT });
    await checkAccessibility(stranger.page, "used invitation", a11y);
    assert.equal((await stranger.credentials()).length, 0, "no passkey was created from a used invitation");
    await stranger.context.close();

    // The admin sees everyone.
    await admin.page.reload();
    for (const person of [ADMIN, CLINICIAN, CLIENT]) {
      await admin.page.getByRole("cell", { name: person.displayName, exact: true }).waitFor({ timeout: TIMEOUT });
    }
  });

  test("a look-alike origin cannot use the passkey; the real origin still can", async () => {
    const admin = people.admin;
    assert.ok(admin, "the journey above created the admin");
    // A tiny site on another origin (127.0.0.1 is a secure context, like localhost).
    const lookalike = createServer((_, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<!doctype html><html lang=en><title>Alcove</title><h1>Sign in</h1></html>");
    });
    await new Promise((r) => lookalike.listen(0, "127.0.0.1", r));
    try {
      const fakeOrigin = `http://127.0.0.1:${lookalike.address().port}`;
      await admin.page.goto(`${fakeOrigin}/signin`);
      const outcome = await admin.page.evaluate(async () => {
        try {
          await navigator.credentials.get({
            publicKey: {
              rpId: "localhost",
              challenge: crypto.getRandomValues(new Uint8Array(32)),
              allowCredentials: [],
              userVerification: "required",
              timeout: 5000,
            },
          });
          return "a credential was returned";
        } catch (error) {
          return error.name;
        }
      });
      assert.equal(outcome, "SecurityError");
    } finally {
      await new Promise((r) => lookalike.close(r));
    }
    // Back on the real origin the same passkey signs in.
    await admin.page.goto(`${server.origin}/`);
    await admin.page.getByRole("heading", { level: 1, name: /^Hello, / }).waitFor({ timeout: TIMEOUT });
    await signOut(admin.page);
    await signIn(admin.page, server.origin);
    assert.equal(await shownPhrase(admin.page), ADMIN.phrase);
  });

  test("a client who lost their passkey gets a recovery invitation from their clinician", async () => {
    const clinician = people.clinician;
    assert.ok(clinician, "the journey above created the clinician");
    await clinician.page.goto(`${server.origin}/`);
    await clinician.page.getByRole("button", { name: `Recovery invitation for ${CLIENT.displayName}` }).click();
    await clinician.page.getByText("Only issue this after you have confirmed who the person is, by voice or in a session.").waitFor({ timeout: TIMEOUT });
    await checkAccessibility(clinician.page, "recovery warning", a11y);
    await clinician.page.getByRole("button", { name: "I have confirmed who they are: create the link" }).click();
    const confirm = clinician.page.getByRole("button", { name: "Confirm with my passkey" });
    const linkField = clinician.page.getByLabel("Invitation link");
    await linkField.or(confirm).first().waitFor({ timeout: TIMEOUT });
    if (await confirm.isVisible()) await confirm.click();
    const link = await linkField.inputValue();
    invitationLinks.push(link);

    // The client, on a new device with no passkey, registers a new one for the same account.
    const newPhone = await newPerson(browser, "client's new phone");
    await newPhone.page.goto(link);
    await newPhone.page.getByRole("heading", { level: 1, name: "Add a new passkey" }).waitFor({ timeout: TIMEOUT });
    assert.equal(await newPhone.page.getByLabel("Display name").count(), 0, "recovery asks for no new name");
    await checkAccessibility(newPhone.page, "recovery", a11y);
    await redeem(newPhone.page, null, { passkeyName: "New phone" });
    assert.equal(await shownPhrase(newPhone.page), CLIENT.phrase, "the same account, with the same phrase");
    await newPhone.page.goto(`${server.origin}/account`);
    await newPhone.page.locator(".passkey-name", { hasText: "New phone" }).waitFor({ timeout: TIMEOUT });
    assert.equal(await newPhone.page.locator(".passkey-name").count(), 2, "the old passkey was not removed silently");
    people.newPhone = newPhone;
  });

  test("documents carry the security headers", async () => {
    for (const path of ["/", "/signin", "/setup", "/invite", "/account"]) {
      const response = await fetch(`${server.origin}${path}`);
      assert.equal(response.status, 200, `${path} serves the app`);
      const csp = response.headers.get("content-security-policy") ?? "";
      for (const directive of ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) {
        assert.ok(csp.includes(directive), `${path}: CSP has ${directive} (got: ${csp})`);
      }
      assert.ok(/script-src 'self'/.test(csp) && !csp.includes("'unsafe-inline'"), `${path}: no inline scripts allowed`);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", `${path}: X-Content-Type-Options`);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer", `${path}: Referrer-Policy`);
      assert.ok(response.headers.get("permissions-policy"), `${path}: Permissions-Policy`);
    }
    // The document the browser loaded during the journey had them too.
    const first = documentResponses[0];
    assert.ok(first, "the setup document was recorded");
    const headers = await first.allHeaders();
    assert.ok((headers["content-security-policy"] ?? "").includes("frame-ancestors 'none'"));
    assert.equal(headers["x-content-type-options"], "nosniff");
    assert.equal(headers["referrer-policy"], "no-referrer");
  });

  test("no serious or critical accessibility violations on any page visited", () => {
    assert.ok(a11y.length >= 8, `axe ran on ${a11y.length} pages`);
    const failures = a11y.filter((r) => r.violations.length > 0);
    assert.deepEqual(failures, [], JSON.stringify(failures, null, 2));
  });

  test("no page error or Content-Security-Policy violation in any browser", () => {
    const problems = Object.values(people).flatMap((p) => p.problems);
    assert.deepEqual(problems, []);
  });

  test("the server log holds no name, phrase or invitation token", async () => {
    const log = server.readLog();
    assert.ok(log.length > 0, "the server wrote a log");
    for (const person of [ADMIN, CLINICIAN, CLIENT]) {
      for (const secret of [person.displayName, person.phrase, person.passkeyName]) {
        assert.ok(!log.includes(secret), `the log must not contain "${secret}"`);
      }
    }
    assert.equal(invitationLinks.length, 3);
    for (const link of invitationLinks) {
      const token = new URL(link).hash.slice(1);
      assert.ok(token.length >= 22);
      assert.ok(!log.includes(token), "the log must not contain an invitation token");
    }
  });
});
