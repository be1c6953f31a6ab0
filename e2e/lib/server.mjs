// Starts and stops an `alcove serve` for one test file.
//
// Each server gets a free port on 127.0.0.1, a fresh data directory, and
// ALCOVE_PUBLIC_URL=http://localhost:<port> (the WebAuthn relying-party id is `localhost`, so
// pages must be opened at that origin). Its stdout and stderr go to e2e/.artifacts/<name>-server.log,
// kept after the run for the log checks. The one-time setup link is read from the first stdout
// line that contains `/setup`.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const e2eDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const artifactsDir = join(e2eDir, ".artifacts");

/** The alcove binary: $ALCOVE_BIN, or ../target/debug/alcove relative to e2e/. */
export function alcoveBinary() {
  return process.env.ALCOVE_BIN ? resolve(process.env.ALCOVE_BIN) : resolve(e2eDir, "../target/debug/alcove");
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitHealthy(origin, deadline) {
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${origin}/healthz`);
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${origin} did not become healthy: ${last}`);
}

/**
 * Starts a server. `name` names its log file; `env` adds environment variables
 * (ALCOVE_IDLE_TIMEOUT_STAFF_SECS, ALCOVE_INVITATION_TTL_SECS, …); `configToml`, when given, is
 * written to an alcove.toml passed with ALCOVE_CONFIG (for keys without a variable, such as
 * `reauth_window_secs`).
 * Returns { origin, port, setupLink, logPath, dataDir, readLog(), stop() }.
 */
export async function startServer(name, env = {}, configToml = null) {
  const bin = alcoveBinary();
  if (!existsSync(bin)) {
    throw new Error(`alcove binary not found at ${bin}: run \`cargo build -p alcove-cli\` or set ALCOVE_BIN`);
  }
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const workDir = mkdtempSync(join(tmpdir(), "alcove-e2e-"));
  const dataDir = join(workDir, "data");
  const configEnv = {};
  if (configToml !== null) {
    configEnv.ALCOVE_CONFIG = join(workDir, "alcove.toml");
    writeFileSync(configEnv.ALCOVE_CONFIG, configToml);
  }
  mkdirSync(artifactsDir, { recursive: true });
  const logPath = join(artifactsDir, `${name}-server.log`);
  const log = createWriteStream(logPath);
  const child = spawn(bin, ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir], {
    env: { ...process.env, ALCOVE_PUBLIC_URL: origin, ...configEnv, ...env },
    cwd: workDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));

  const setupLink = await new Promise((resolveLink, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line containing /setup within 30 s; see ${logPath}`)), 30_000);
    let found = false;
    createInterface({ input: child.stdout }).on("line", (line) => {
      log.write(line + "\n");
      if (!found && line.includes("/setup")) {
        const match = line.match(/https?:\/\/\S+/);
        if (match) {
          found = true;
          clearTimeout(timer);
          resolveLink(match[0]);
        }
      }
    });
    createInterface({ input: child.stderr }).on("line", (line) => log.write(line + "\n"));
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!found) reject(new Error(`alcove exited (code ${code}, signal ${signal}) before printing the setup link; see ${logPath}`));
    });
  });

  await waitHealthy(origin, Date.now() + 15_000);

  let stopped = false;
  return {
    origin,
    port,
    setupLink,
    logPath,
    dataDir,
    readLog: () => readFileSync(logPath, "utf8"),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await new Promise((r) => log.end(r));
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
