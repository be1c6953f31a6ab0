// The `alcove serve` process itself: HTTPS from certificate files with HSTS, and a clean
// shutdown on SIGTERM.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { alcoveBinary } from "../lib/server.mjs";

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts alcove with extra environment; resolves once it says it is listening. */
async function start(env) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "alcove-serve-"));
  const child = spawn(alcoveBinary(), ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", join(dir, "data")], {
    env: { ...process.env, ...env(port, dir) },
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 20_000;
  while (!output.includes("listening") && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(output.includes("listening"), `server did not start:\n${output}`);
  return { port, dir, child, exited, output: () => output };
}

function get(port, path, ca) {
  return new Promise((resolve, reject) => {
    const req = request({ host: "localhost", port, path, ca, servername: "localhost" }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("serves HTTPS from certificate files and sends HSTS", async () => {
  const certDir = mkdtempSync(join(tmpdir(), "alcove-cert-"));
  const cert = join(certDir, "cert.pem");
  const key = join(certDir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-days", "1",
    "-keyout", key, "-out", cert,
  ], { stdio: "ignore" });
  const server = await start((port) => ({
    ALCOVE_TLS_CERT: cert,
    ALCOVE_TLS_KEY: key,
    ALCOVE_PUBLIC_URL: `https://localhost:${port}`,
  }));
  try {
    assert.match(server.output(), /https:\/\/localhost:\d+\/setup#/, "the setup link uses https");
    const answer = await get(server.port, "/api/v1/setup/status", readFileSync(cert));
    assert.equal(answer.status, 200);
    assert.match(answer.headers["strict-transport-security"] ?? "", /max-age=\d+/);
    assert.match(answer.headers["content-security-policy"] ?? "", /frame-ancestors 'none'/);
    await assert.rejects(get(server.port, "/healthz", undefined), "an untrusted certificate is refused by clients");
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(server.dir, { recursive: true, force: true });
    rmSync(certDir, { recursive: true, force: true });
  }
});

test("SIGTERM shuts the server down cleanly: it exits 0 by itself and stops listening", async () => {
  const server = await start((port) => ({ ALCOVE_PUBLIC_URL: `http://localhost:${port}` }));
  try {
    const ready = await fetch(`http://localhost:${server.port}/readyz`);
    assert.equal(ready.status, 200);
    server.child.kill("SIGTERM");
    const { code, signal } = await server.exited;
    assert.equal(signal, null, "exited by itself, not killed");
    assert.equal(code, 0, server.output());
    assert.match(server.output(), /shutting down/);
    assert.match(server.output(), /stopped/);
    await assert.rejects(fetch(`http://localhost:${server.port}/healthz`), "nothing listens any more");
  } finally {
    rmSync(server.dir, { recursive: true, force: true });
  }
});
