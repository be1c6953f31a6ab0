// A client device running the WebAssembly build of alcove-crypto in Node, talking to a native
// client through a real Alcove server (driven by tests/it/wasm_peer.rs).
//
// Environment: ALCOVE_ORIGIN, ALCOVE_COOKIE (a signed-in client's session), ALCOVE_USER_ID,
// ALCOVE_WASM_ENTRY (target/wasm-pkg/node/alcove_wasm.js). Prints READY once its device and
// key packages are registered, then joins the conversation it is welcomed to, decrypts what
// the native client sent, answers, and prints DONE <text it received>.

import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const origin = process.env.ALCOVE_ORIGIN;
const cookie = process.env.ALCOVE_COOKIE;
const userId = process.env.ALCOVE_USER_ID;
const w = createRequire(import.meta.url)(process.env.ALCOVE_WASM_ENTRY);

const b64 = (bytes) => Buffer.from(bytes).toString('base64url');
const unb64 = (text) => new Uint8Array(Buffer.from(text, 'base64url'));
const deviceId = `dev_${randomBytes(16).toString('hex')}`;

async function call(method, path, body) {
  const headers = { cookie, origin, 'x-alcove-device': deviceId };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(origin + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const device = w.Device.create(userId, deviceId);
await call('POST', '/api/v1/devices', {
  id: deviceId,
  signature_key: b64(device.signatureKey),
  label: 'Node',
});
const packages = device.keyPackages(2).map(b64);
packages.push(b64(device.lastResortKeyPackage()));
await call('POST', `/api/v1/devices/${deviceId}/key-packages`, { key_packages: packages });
console.log('READY');

let welcome;
for (let i = 0; i < 200 && !welcome; i++) {
  const list = await call('GET', '/api/v1/welcomes');
  welcome = list.welcomes[0];
  if (!welcome) await sleep(100);
}
if (!welcome) throw new Error('no welcome arrived');
const conv = device.join(unb64(welcome.data));
if (conv !== welcome.conversation_id) throw new Error('welcome for another conversation');
await call('DELETE', `/api/v1/welcomes/${welcome.id}`);

let received;
let cursor = welcome.seq;
for (let i = 0; i < 200 && received === undefined; i++) {
  const page = await call('GET', `/api/v1/conversations/${conv}/messages?after=${cursor}`);
  for (const m of page.messages) {
    cursor = m.seq;
    const incoming = device.process(conv, unb64(m.data));
    if (incoming.type === 'application' && incoming.payload.kind === 'text') {
      received = incoming.payload.text;
    }
  }
  if (received === undefined) await sleep(100);
}
if (received === undefined) throw new Error('no message arrived');
await call('POST', `/api/v1/conversations/${conv}/ack`, { seq: cursor });
const reply = device.encryptText(conv, `wasm heard: ${received}`);
await call('POST', `/api/v1/conversations/${conv}/messages`, { message: b64(reply) });
console.log(`DONE ${received}`);
