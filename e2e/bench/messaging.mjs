// Browser messaging benchmark (not a test): `node e2e/bench/messaging.mjs [messages]`.
//
// Starts an `alcove serve` (ALCOVE_BIN, default target/debug/alcove; use a release build for
// numbers), sets up a clinician and a client in Chromium, and prints:
// - the web bundle's size (JS, CSS and wasm, raw and gzipped) as the server sends it;
// - time from loading the sign-in page to the first message sent (passkey sign-in, the
//   browser's device unlocked by the passkey's PRF secret, the conversation opened, a message
//   encrypted, posted and acknowledged by the server), median of 5;
// - the client tab's memory after N messages (default 1,000) arrived in the open conversation:
//   JS heap (CDP Performance metrics), DOM nodes, the wasm core's linear memory, and the
//   resident and proportional memory of the renderer processes of the client's browser (it
//   has a browser of its own; the largest renderer is the conversation's tab).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, launchBrowser, newPerson } from "../lib/browser.mjs";
import { acceptConsent, createInvitation, redeem, signIn, signOut, TIMEOUT } from "../lib/flows.mjs";
import { startServer } from "../lib/server.mjs";

const COUNT = Number(process.argv[2] ?? 1000);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The client tab sits idle while the messages arrive: no auto-lock during the run.
const server = await startServer("bench-messaging", { ALCOVE_AUTO_LOCK_SECS: "3600" });
const browser = await launchBrowser();
// The client's browser carries a switch Chromium ignores, to find its process by.
const MARK = `--alcove-bench-client=${process.pid}`;
const clientBrowser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: [...CHROMIUM_ARGS, MARK],
});

/** Renderer processes of the client's browser (Chromium forks them from a zygote, so they are
 * descendants of the browser process, not children). */
function clientRenderers() {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid=,args="]).toString().trim().split("\n");
  const procs = rows.map((l) => {
    const [pid, ppid, ...args] = l.trim().split(/\s+/);
    return { pid: Number(pid), ppid: Number(ppid), args: args.join(" ") };
  });
  const root = procs.find((p) => p.args.includes(MARK) && !p.args.includes("--type="));
  if (root === undefined) return [];
  const family = new Set([root.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (family.has(p.ppid) && !family.has(p.pid)) {
        family.add(p.pid);
        grew = true;
      }
    }
  }
  return procs.filter((p) => family.has(p.pid) && p.args.includes("--type=renderer")).map((p) => p.pid);
}

/** Resident and proportional (shared pages split among their users) KiB of a process. */
function memoryKiB(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1] ?? NaN);
  return { rss: field("Rss"), pss: field("Pss") };
}
try {
  // Bundle size, as served.
  const index = await (await fetch(`${server.origin}/`)).text();
  const assets = [...index.matchAll(/\/assets\/[^"]+/g)].map((m) => m[0]);
  const sizes = { js: [0, 0], css: [0, 0], wasm: [0, 0] };
  const seen = new Set();
  const queue = [...assets];
  while (queue.length > 0) {
    const path = queue.pop();
    if (seen.has(path)) continue;
    seen.add(path);
    const response = await fetch(`${server.origin}${path}`);
    if (!response.ok) continue;
    const body = Buffer.from(await response.arrayBuffer());
    const kind = path.endsWith(".js") ? "js" : path.endsWith(".css") ? "css" : path.endsWith(".wasm") ? "wasm" : null;
    if (kind === null) continue;
    sizes[kind][0] += body.length;
    sizes[kind][1] += gzipSync(body, { level: 9 }).length;
    // Chunks and the wasm module are named relative to the importing file, inside /assets/.
    if (kind === "js") for (const m of body.toString("utf8").matchAll(/[A-Za-z0-9_-]+-[A-Za-z0-9_-]{8}\.(js|wasm)/g)) queue.push(`/assets/${m[0]}`);
  }
  for (const [k, [raw, gz]] of Object.entries(sizes)) console.log(`bundle ${k}: ${raw} bytes, ${gz} gzipped`);

  const admin = await newPerson(browser, "admin");
  await redeem(admin.page, server.setupLink, { displayName: "Ada Admin", phrase: "lamp in the hallway", passkeyName: "Laptop" });
  const { link: clinicianLink } = await createInvitation(admin.page, { role: "clinician", label: "C" });
  const clinician = await newPerson(browser, "clinician");
  await redeem(clinician.page, clinicianLink, { displayName: "Dr Casey", phrase: "copper kettle", passkeyName: "Desk" });
  const { link: clientLink } = await createInvitation(clinician.page, { label: "R" });
  const client = await newPerson(clientBrowser, "client");
  await redeem(client.page, clientLink, { displayName: "Robin Client", phrase: "quiet river stones", passkeyName: "Phone" });
  await acceptConsent(client.page);

  const open = async (person, peer) => {
    await person.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Messages" }).click();
    const setup = person.page.getByRole("button", { name: "Set up with my passkey" });
    const heading = person.page.getByRole("heading", { level: 2, name: peer });
    const pick = person.page.getByRole("navigation", { name: "Clients" }).getByRole("button", { name: new RegExp(`^${peer}`) });
    await setup.or(heading).or(pick).first().waitFor({ timeout: 30_000 });
    if (await setup.isVisible()) await setup.click();
    await heading.or(pick).first().waitFor({ timeout: 30_000 });
    if (!(await heading.isVisible())) await pick.click();
    await heading.waitFor({ timeout: TIMEOUT });
  };
  await open(client, "Dr Casey");
  await open(clinician, "Robin Client");

  // Page load to first message sent, five times.
  const times = [];
  for (let i = 0; i < 5; i += 1) {
    await signOut(client.page);
    const started = Date.now();
    await signIn(client.page, server.origin);
    await open(client, "Dr Casey");
    const text = `first message ${i}`;
    await client.page.getByLabel("Message", { exact: true }).fill(text);
    await client.page.getByRole("button", { name: "Send", exact: true }).click();
    await client.page.getByRole("log", { name: "Messages" }).getByText(text).waitFor({ timeout: TIMEOUT });
    times.push(Date.now() - started);
  }
  console.log(`page load to first message sent: median ${median(times)} ms (runs: ${times.join(", ")})`);

  // N messages into the client's open conversation.
  const sendStarted = Date.now();
  for (let i = 0; i < COUNT; i += 1) {
    await clinician.page.getByLabel("Message", { exact: true }).fill(`message number ${i} with a little text to make it realistic`);
    await clinician.page.getByRole("button", { name: "Send", exact: true }).click();
    await clinician.page.getByRole("button", { name: "Send", exact: true }).waitFor({ state: "visible" });
  }
  await client.page.getByRole("log", { name: "Messages" }).getByText(`message number ${COUNT - 1} `).waitFor({ timeout: 120_000 });
  console.log(`${COUNT} messages sent through the UI in ${((Date.now() - sendStarted) / 1000).toFixed(1)} s`);
  const cdp = await client.context.newCDPSession(client.page);
  await cdp.send("Performance.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  const metrics = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  const { nodes } = await cdp.send("Memory.getDOMCounters");
  console.log(`client tab with ${COUNT} messages: JS heap ${(metrics.JSHeapUsedSize / 1048576).toFixed(1)} MiB used of ${(metrics.JSHeapTotalSize / 1048576).toFixed(1)} MiB, ${nodes} DOM nodes`);
  // The wasm core's linear memory: every WebAssembly.Memory in the page, found through the
  // DevTools protocol (the app keeps no global handle to it).
  const proto = await cdp.send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype" });
  const { objects } = await cdp.send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId });
  const { result } = await cdp.send("Runtime.callFunctionOn", {
    objectId: objects.objectId,
    functionDeclaration: "function () { return this.map((m) => m.buffer.byteLength); }",
    returnByValue: true,
  });
  const wasmBytes = result.value.reduce((a, b) => a + b, 0);
  console.log(`client tab's wasm linear memory: ${(wasmBytes / 1048576).toFixed(1)} MiB in ${result.value.length} memory`);
  const renderers = clientRenderers().map((pid) => ({ pid, ...memoryKiB(pid) })).sort((a, b) => b.rss - a.rss);
  for (const r of renderers) {
    console.log(`client browser renderer ${r.pid}: ${(r.rss / 1024).toFixed(1)} MiB resident, ${(r.pss / 1024).toFixed(1)} MiB proportional`);
  }
} finally {
  await clientBrowser.close();
  await browser.close();
  await server.stop();
}
