// Runs the unit tests in tests-unit/ with Node's test runner.
//
// Node cannot run TypeScript, so this type-checks and compiles the tests and the modules they
// import (tsconfig.test.json) into .test-build/ as CommonJS, then runs `node --test` on them.
// Exits with the test runner's status.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = fileURLToPath(new URL("..", import.meta.url));
const out = join(webDir, ".test-build");

rmSync(out, { recursive: true, force: true });
const tsc = spawnSync(join(webDir, "node_modules", ".bin", "tsc"), ["-p", join(webDir, "tsconfig.test.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// package.json says "type": "module"; the compiled files are CommonJS.
writeFileSync(join(out, "package.json"), '{ "type": "commonjs" }\n');
const tests = spawnSync(process.execPath, ["--test", join(out, "tests-unit")], { stdio: "inherit", cwd: webDir });
process.exit(tests.status ?? 1);
