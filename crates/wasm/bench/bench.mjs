// Benchmarks of the wasm package in Node (not tests: they report, they do not judge).
//
//   cargo xtask wasm-bench          # builds target/wasm-pkg, then runs this
//   node crates/wasm/bench/bench.mjs  # against an existing build (ALCOVE_WASM_PKG to override)
//
// Reports medians: MLS encrypt and decrypt of a 1 KiB text message (µs per message), whole-file
// attachment encryption and decryption (MB/s, 1 MB = 10^6 bytes) and de-identification (MB/s of
// UTF-8 input), plus the one-time costs of loading the module and building the deid engine.

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const pkg = process.env.ALCOVE_WASM_PKG ?? join(root, 'target', 'wasm-pkg');
const entry = join(pkg, 'node', 'alcove_wasm.js');
if (!existsSync(entry)) {
  console.error(`${entry} is missing: run \`cargo xtask wasm\` first`);
  process.exit(1);
}

let t0 = performance.now();
const w = createRequire(import.meta.url)(entry);
const loadMs = performance.now() - t0;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// --- MLS -------------------------------------------------------------------------------
const clinician = w.Device.create('clin-1', 'laptop');
const client = w.Device.create('client-7', 'phone');
const conv = clinician.createConversation('care');
const out = clinician.addDevices(conv, client.keyPackages(1));
clinician.mergePendingCommit(conv);
client.join(out.welcome);

const text = 'x'.repeat(1024);
const N = 500;
for (let i = 0; i < 50; i++) client.process(conv, clinician.encryptText(conv, text)); // warm-up
const encUs = [];
const msgs = [];
for (let i = 0; i < N; i++) {
  t0 = performance.now();
  const m = clinician.encryptText(conv, text);
  encUs.push((performance.now() - t0) * 1000);
  msgs.push(m);
}
const decUs = [];
for (const m of msgs) {
  t0 = performance.now();
  const r = client.process(conv, m);
  decUs.push((performance.now() - t0) * 1000);
  if (r.payload.text.length !== 1024) throw new Error('round trip failed');
}

// --- attachments -----------------------------------------------------------------------
const size = 8 * 1024 * 1024;
const plain = new Uint8Array(size);
for (let i = 0; i < size; i++) plain[i] = (i * 131) & 0xff;
const encMBs = [];
const decMBs = [];
for (let i = 0; i < 7; i++) {
  t0 = performance.now();
  const e = w.encryptAttachment(plain);
  encMBs.push(size / 1e6 / ((performance.now() - t0) / 1000));
  t0 = performance.now();
  const d = w.decryptAttachment(e.key, e.blob, e.hash);
  decMBs.push(size / 1e6 / ((performance.now() - t0) / 1000));
  if (d.length !== size) throw new Error('attachment round trip failed');
}

// --- de-identification -----------------------------------------------------------------
t0 = performance.now();
w.deidWarmUp();
const deidInitMs = performance.now() - t0;
const paragraph =
  'Client Maria Gonzalez (DOB 04/12/1987) attended session on March 3, 2024 with her sister ' +
  'Ana. She reports conflict with her supervisor at Riverside Elementary School in Springfield. ' +
  'Contact: (217) 555-0143, maria.g@example.com. Discussed sleep hygiene and coping strategies; ' +
  'she felt heard and will try journaling before our next appointment. ';
let note = '';
while (note.length < 200_000) note += paragraph;
const noteBytes = Buffer.byteLength(note, 'utf8');
// The first call runs while V8 is still optimising the module: report it on its own, warm
// up, then take the median of nine calls of each function.
t0 = performance.now();
const spansPerRun = w.deidFind(note).length;
const deidFirstMs = performance.now() - t0;
for (let i = 0; i < 3; i++) {
  w.deidFind(note);
  w.deidRedact(note);
}
const deidMBs = [];
for (let i = 0; i < 9; i++) {
  t0 = performance.now();
  w.deidFind(note);
  deidMBs.push(noteBytes / 1e6 / ((performance.now() - t0) / 1000));
}
const redactMBs = [];
for (let i = 0; i < 9; i++) {
  t0 = performance.now();
  w.deidRedact(note);
  redactMBs.push(noteBytes / 1e6 / ((performance.now() - t0) / 1000));
}

const r = (x, d = 1) => Number(x.toFixed(d));
const results = {
  node: process.version,
  module_load_ms: r(loadMs),
  mls_encrypt_1kib_us_median: r(median(encUs)),
  mls_decrypt_1kib_us_median: r(median(decUs)),
  mls_messages: N,
  attachment_encrypt_mb_s_median: r(median(encMBs)),
  attachment_decrypt_mb_s_median: r(median(decMBs)),
  attachment_size_bytes: size,
  deid_engine_init_ms: r(deidInitMs),
  deid_first_find_ms: r(deidFirstMs),
  deid_find_mb_s_median: r(median(deidMBs), 2),
  deid_redact_mb_s_median: r(median(redactMBs), 2),
  deid_input_bytes: noteBytes,
  deid_spans: spansPerRun,
};
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(34)} ${v}`);
console.log(JSON.stringify(results));
