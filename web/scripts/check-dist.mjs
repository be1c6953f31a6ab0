// Checks that the committed bundle in web/dist is exactly what the sources build to.
//
// The `alcove` binary embeds web/dist, so a source change without a rebuild would ship stale UI.
// This builds into a temporary directory and compares both trees byte for byte; it exits 1 and
// names every difference when they differ. Fix with `npm run build`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const webDir = fileURLToPath(new URL("..", import.meta.url));
const committed = join(webDir, "dist");

function listFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out;
}

execFileSync(join(webDir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", webDir], { stdio: "inherit" });

const fresh = mkdtempSync(join(tmpdir(), "alcove-web-dist-"));
try {
  await build({
    root: webDir,
    configFile: join(webDir, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir: fresh, emptyOutDir: true },
  });
  let committedFiles = [];
  try {
    committedFiles = listFiles(committed);
  } catch {
    console.error("web/dist is missing: run `npm run build` in web/ and commit web/dist.");
    process.exit(1);
  }
  const freshFiles = listFiles(fresh);
  const problems = [];
  for (const f of freshFiles) {
    if (!committedFiles.includes(f)) problems.push(`missing from web/dist: ${f}`);
    else if (!readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f)))) problems.push(`differs: ${f}`);
  }
  for (const f of committedFiles) {
    if (!freshFiles.includes(f)) problems.push(`stale file in web/dist: ${f}`);
  }
  // The server sends the .gz twin to browsers that accept gzip: it must be the same file.
  for (const f of committedFiles.filter((name) => name.endsWith(".gz"))) {
    const twin = f.slice(0, -3);
    if (!committedFiles.includes(twin) || !gunzipSync(readFileSync(join(committed, f))).equals(readFileSync(join(committed, twin)))) {
      problems.push(`not the gzip of ${twin}: ${f}`);
    }
  }
  if (problems.length > 0) {
    console.error("web/dist is not what the sources build to:");
    for (const p of problems) console.error("  " + p);
    console.error("Run `npm run build` in web/ and commit web/dist.");
    process.exit(1);
  }
  console.log(`web/dist is current (${freshFiles.length} files).`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
