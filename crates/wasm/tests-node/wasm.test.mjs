// The wasm package in Node: two devices (a clinician's and a client's) talk through the real
// WebAssembly build of alcove-crypto, attachments round-trip, tampering is refused with a code,
// state survives a restore, and de-identification reports UTF-16 offsets.
//
// Run by `cargo xtask test` after `cargo xtask wasm`; ALCOVE_WASM_PKG points at target/wasm-pkg.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const pkg = process.env.ALCOVE_WASM_PKG ?? join(root, 'target', 'wasm-pkg');
const entry = join(pkg, 'node', 'alcove_wasm.js');
if (!existsSync(entry)) {
  throw new Error(`${entry} is missing: run \`cargo xtask wasm\` first`);
}
const w = createRequire(import.meta.url)(entry);

/** Asserts that `fn` throws an AlcoveError with `code`. */
function throwsCode(fn, code) {
  assert.throws(fn, (e) => {
    assert.equal(e.name, 'AlcoveError');
    assert.equal(e.code, code, `expected code ${code}, got ${e.code} (${e.message})`);
    return true;
  });
}

/** A clinician's and a client's device in one care conversation. */
function pair() {
  const clinician = w.Device.create('clin-1', 'laptop');
  const client = w.Device.create('client-7', 'phone');
  const conv = clinician.createConversation('care');
  assert.match(conv, /^01[0-9a-f]{32}$/);
  const kps = client.keyPackages(3);
  assert.equal(kps.length, 3);
  assert.ok(kps.every((k) => k instanceof Uint8Array && k.length > 100));
  const out = clinician.addDevices(conv, [kps[0]]);
  assert.equal(out.epoch, 0);
  assert.ok(out.commit instanceof Uint8Array);
  assert.ok(out.welcome instanceof Uint8Array);
  assert.equal(clinician.hasPendingCommit(conv), true);
  assert.equal(clinician.mergePendingCommit(conv), 1);
  assert.equal(client.join(out.welcome), conv);
  return { clinician, client, conv };
}

test('two devices create, add, join and exchange messages both ways', () => {
  const { clinician, client, conv } = pair();
  assert.equal(clinician.epoch(conv), 1);
  assert.equal(client.epoch(conv), 1);
  assert.deepEqual(client.epochAuthenticator(conv), clinician.epochAuthenticator(conv));
  assert.deepEqual(client.conversations(), [conv]);
  assert.equal(w.Device.conversationKind(conv), 'care');

  // Leaf order: the creator first.
  const members = clinician.members(conv).map((m) => `${m.userId}/${m.deviceId}`);
  assert.deepEqual(members, ['clin-1/laptop', 'client-7/phone']);
  assert.deepEqual(client.members(conv)[1].signatureKey, client.signatureKey);

  const m1 = clinician.encryptText(conv, 'How are you feeling today?');
  const in1 = client.process(conv, m1);
  assert.deepEqual(in1, {
    type: 'application',
    epoch: 1,
    sender: { userId: 'clin-1', deviceId: 'laptop' },
    payload: { kind: 'text', text: 'How are you feeling today?' },
  });
  const m2 = client.encryptText(conv, 'A bit better 🙂 thanks');
  const in2 = clinician.process(conv, m2);
  assert.equal(in2.payload.text, 'A bit better 🙂 thanks');
  assert.deepEqual(in2.sender, { userId: 'client-7', deviceId: 'phone' });

  // Structured payloads.
  const typing = client.process(conv, clinician.encrypt(conv, { kind: 'typing', active: true }));
  assert.deepEqual(typing.payload, { kind: 'typing', active: true });
  const receipt = clinician.process(conv, client.encrypt(conv, { kind: 'readReceipt', upTo: 41 }));
  assert.deepEqual(receipt.payload, { kind: 'readReceipt', upTo: 41 });
  throwsCode(() => clinician.encrypt(conv, { kind: 'shout', text: 'x' }), 'invalid_input');
  throwsCode(() => clinician.encrypt(conv, { kind: 'text' }), 'invalid_input');
});

test('a self-update is a commit for the peer and messages flow in the new epoch', () => {
  const { clinician, client, conv } = pair();
  const upd = client.selfUpdate(conv);
  assert.equal(upd.welcome, null);
  assert.equal(upd.epoch, 1);
  throwsCode(() => client.encryptText(conv, 'too early'), 'pending_commit');
  const seen = clinician.process(conv, upd.commit);
  assert.equal(seen.type, 'commit');
  assert.equal(seen.epoch, 2);
  assert.deepEqual(seen.sender, { userId: 'client-7', deviceId: 'phone' });
  assert.deepEqual(seen.added, []);
  assert.deepEqual(seen.removed, []);
  assert.equal(seen.removedSelf, false);
  // The delivery service echoes the accepted commit to its sender.
  assert.deepEqual(client.process(conv, upd.commit), { type: 'ownCommitMerged', epoch: 2 });
  assert.deepEqual(client.epochAuthenticator(conv), clinician.epochAuthenticator(conv));

  const m = client.encryptText(conv, 'after the update');
  assert.equal(clinician.process(conv, m).payload.text, 'after the update');
  const r = clinician.encryptText(conv, 'received');
  assert.equal(client.process(conv, r).payload.text, 'received');

  // A refused commit is discarded and the device can send again.
  clinician.selfUpdate(conv);
  clinician.discardPendingCommit(conv);
  assert.equal(clinician.hasPendingCommit(conv), false);
  assert.equal(client.process(conv, clinician.encryptText(conv, 'still epoch 2')).epoch, 2);
});

test('tampered, replayed and garbage messages are refused with a code, not a crash', () => {
  const { clinician, client, conv } = pair();
  const m = clinician.encryptText(conv, 'private');
  const bad = Uint8Array.from(m);
  bad[bad.length - 5] ^= 0x40;
  throwsCode(() => client.process(conv, bad), 'tampered');
  throwsCode(() => client.process(conv, new Uint8Array([1, 2, 3])), 'malformed');
  throwsCode(() => client.process('zz', m), 'invalid_input');
  // The conversation is unchanged: the genuine message still decrypts, once.
  assert.equal(client.process(conv, m).payload.text, 'private');
  throwsCode(() => client.process(conv, m), 'replayed');
  throwsCode(() => w.Device.create('bad id', 'x'), 'invalid_input');
  throwsCode(() => client.join(m), 'malformed');
});

test('safety numbers are equal on both sides', () => {
  const { clinician, client, conv } = pair();
  const a = clinician.safetyNumber(conv, 'client-7');
  const b = client.safetyNumber(conv, 'clin-1');
  assert.match(a.digits, /^[0-9]{60}$/);
  assert.equal(a.display.split(' ').length, 12);
  assert.equal(a.qr.length, 61);
  assert.deepEqual(a, b);

  // The same number from explicit device lists, in either order.
  const person = (userId, d) => ({
    userId,
    devices: [{ deviceId: d.deviceId, signatureKey: d.signatureKey }],
  });
  const fromLists = w.safetyNumber(person('client-7', client), person('clin-1', clinician));
  assert.deepEqual(fromLists, a);
  assert.deepEqual(w.safetyNumber(person('clin-1', clinician), person('client-7', client)), a);

  // Another device for the client changes the number.
  const tablet = w.Device.create('client-7', 'tablet');
  const other = w.safetyNumber(
    { userId: 'client-7', devices: [
      { deviceId: 'phone', signatureKey: client.signatureKey },
      { deviceId: 'tablet', signatureKey: tablet.signatureKey },
    ] },
    person('clin-1', clinician),
  );
  assert.notEqual(other.digits, a.digits);
  throwsCode(() => clinician.safetyNumber(conv, 'clin-1'), 'invalid_input');
});

test('state saved under a key restores, and a wrong key fails', () => {
  const { clinician, client, conv } = pair();
  const key = w.generateStateKey();
  assert.equal(key.length, 32);
  const state = client.exportState(key);
  client.free();

  const restored = w.Device.restore(state, key);
  assert.equal(restored.userId, 'client-7');
  assert.equal(restored.deviceId, 'phone');
  assert.equal(restored.process(conv, clinician.encryptText(conv, 'welcome back')).payload.text,
    'welcome back');
  assert.equal(clinician.process(conv, restored.encryptText(conv, 'hello again')).payload.text,
    'hello again');

  const wrong = Uint8Array.from(key);
  wrong[0] ^= 1;
  throwsCode(() => w.Device.restore(state, wrong), 'wrong_key');
  const altered = Uint8Array.from(state);
  altered[altered.length - 1] ^= 1;
  throwsCode(() => w.Device.restore(altered, key), 'wrong_key');
  throwsCode(() => w.Device.restore(state, key.subarray(0, 16)), 'invalid_input');
});

function sample(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) % 251;
  return b;
}

test('attachments of 0 B, 1 B, 64 KiB and 1 MiB round-trip, whole and streamed', () => {
  for (const n of [0, 1, 64 * 1024, 1024 * 1024]) {
    const plain = sample(n);
    const e = w.encryptAttachment(plain);
    assert.equal(e.key.length, 32);
    assert.equal(e.hash.length, 32);
    assert.equal(e.size, n);
    assert.equal(e.blob.length, w.encryptedSize(n));
    assert.deepEqual(w.decryptAttachment(e.key, e.blob, e.hash), plain);

    // Streamed in odd-sized pieces, with progress.
    const enc = new w.AttachmentEncryptor();
    const parts = [];
    for (let off = 0; off < n; off += 50_000) {
      parts.push(enc.update(plain.subarray(off, off + 50_000)));
      assert.equal(enc.bytesIn, Math.min(off + 50_000, n));
    }
    parts.push(enc.finish());
    const blob = Buffer.concat(parts);
    assert.equal(blob.length, w.encryptedSize(n));
    assert.equal(enc.bytesOut, blob.length);
    const hash = enc.hash;
    assert.equal(hash.length, 32);
    throwsCode(() => enc.finish(), 'invalid_input');

    const dec = new w.AttachmentDecryptor(enc.key, hash);
    const out = [];
    for (let off = 0; off < blob.length; off += 33_333) {
      out.push(dec.update(blob.subarray(off, off + 33_333)));
    }
    out.push(dec.finish());
    assert.deepEqual(new Uint8Array(Buffer.concat(out)), plain);
    assert.equal(dec.bytesOut, n);
    assert.deepEqual(w.decryptAttachment(enc.key, blob, hash), plain);
  }
});

test('a tampered attachment is refused', () => {
  const e = w.encryptAttachment(sample(100_000));
  const bad = Uint8Array.from(e.blob);
  bad[50] ^= 1;
  throwsCode(() => w.decryptAttachment(e.key, bad, e.hash), 'tampered');
  const dec = new w.AttachmentDecryptor(e.key);
  assert.throws(() => {
    dec.update(bad);
    dec.finish();
  }, (err) => err.code === 'tampered');
  const wrongKey = Uint8Array.from(e.key);
  wrongKey[0] ^= 1;
  throwsCode(() => w.decryptAttachment(wrongKey, e.blob, e.hash), 'tampered');
  throwsCode(() => w.decryptAttachment(e.key.subarray(1), e.blob, e.hash), 'invalid_input');
});

test('an attachment reference travels inside an MLS message', () => {
  const { clinician, client, conv } = pair();
  const e = w.encryptAttachment(sample(5000));
  const payload = {
    kind: 'attachment', blobId: 'blob-42', key: e.key, sha256: e.hash, size: e.size,
    name: 'worksheet.pdf', mime: 'application/pdf',
  };
  const got = client.process(conv, clinician.encrypt(conv, payload)).payload;
  assert.deepEqual(got, payload);
  assert.deepEqual(w.decryptAttachment(got.key, e.blob, got.sha256), sample(5000));
});

test('deid finds a name, a date and a phone number with UTF-16 offsets after an emoji', () => {
  w.deidWarmUp();
  const text = '😀🙂 Sarah Johnson called on 03/14/2024 from (555) 123-4567 — ok.';
  const spans = w.deidFind(text);
  const found = spans.map((s) => [s.type, text.slice(s.start, s.end)]);
  assert.ok(found.some(([t, s]) => t === 'NAME' && s === 'Sarah Johnson'), JSON.stringify(found));
  assert.ok(found.some(([t, s]) => t === 'DATE' && s === '03/14/2024'), JSON.stringify(found));
  assert.ok(found.some(([t, s]) => t === 'PHONE' && s.includes('123-4567')), JSON.stringify(found));
  const name = spans.find((s) => s.type === 'NAME');
  assert.equal(name.start, 5); // two emoji are two UTF-16 units each, then a space
  assert.equal(name.startByte, 9); // but four UTF-8 bytes each
  const utf8 = Buffer.from(text, 'utf8');
  for (const s of spans) {
    assert.equal(utf8.subarray(s.startByte, s.endByte).toString('utf8'), text.slice(s.start, s.end));
    assert.ok(s.score > 0 && s.score <= 1);
  }

  const redacted = w.deidRedact(text);
  assert.ok(redacted.startsWith('😀🙂 [NAME] called on [DATE]'), redacted);
  assert.ok(!redacted.includes('Sarah') && !redacted.includes('4567'), redacted);

  const key = new TextEncoder().encode('case-0001');
  const p = w.deidPseudonymize(text, key);
  assert.ok(!p.includes('Johnson') && !p.includes('03/14/2024'), p);
  assert.equal(p, w.deidPseudonymize(text, key));
});

test('deid takes the practice allow and deny lists, and refuses a bad deny line', () => {
  const text = 'Okafor Wellness intake: the client sees skip at the blue door group.';
  w.deidConfigure('Okafor Wellness', 'NAME skip\nORGANIZATION blue door group');
  assert.equal(w.deidRedact(text), 'Okafor Wellness intake: the client sees [NAME] at the [ORGANIZATION].');
  throwsCode(() => w.deidConfigure('', 'CLIENT skip'), 'invalid_list');
  // The refused lists left the configured engine in place; empty lists restore the default.
  assert.ok(w.deidRedact(text).includes('[NAME]'));
  w.deidConfigure('', '');
  assert.ok(!w.deidRedact(text).startsWith('Okafor Wellness'), w.deidRedact(text));
});

test('the browser helpers: key package inspection, PIN keys, QR codes and the log memory', () => {
  const device = w.Device.create('client-7', 'phone');
  const [kp] = device.keyPackages(1);
  const info = w.inspectKeyPackage(kp);
  assert.equal(info.userId, 'client-7');
  assert.equal(info.deviceId, 'phone');
  assert.deepEqual(Array.from(info.signatureKey), Array.from(device.signatureKey));
  assert.equal(info.lastResort, false);
  throwsCode(() => w.inspectKeyPackage(new Uint8Array([1, 2, 3])), 'malformed');

  const salt = new Uint8Array(16).fill(3);
  const a = w.pinKey('correct horse', salt, 64, 1);
  assert.equal(a.length, 32);
  assert.deepEqual(Array.from(a), Array.from(w.pinKey('correct horse', salt, 64, 1)));
  assert.notDeepEqual(Array.from(a), Array.from(w.pinKey('correct house', salt, 64, 1)));
  throwsCode(() => w.pinKey('12345', salt), 'invalid_input');

  const qr = w.qrMatrix(new TextEncoder().encode('safety number payload'));
  assert.ok(qr.size >= 21);
  assert.equal(qr.modules.length, qr.size * qr.size);

  assert.throws(() => new w.KeyLog('not a key'), (e) => e.code === 'log_key');
});
