// progressive.mjs streams the input of the calculator's com.example.calc.sum
// with Wampy.js's progressiveCall (progressive call invocations: CALL [1]
// with progress, CALL [2] with progress, CALL [3] without), and reports what
// happens:
//
//   node progressive.mjs --serializer json|msgpack|cbor --url ws://HOST:PORT/ [--realm realm1]
//
// It prints JSON lines: {session}, then {announced} (whether Wampy's HELLO,
// read off the wire, announced progressive_call_invocations as a caller), then {sent, error?}
// (whether progressiveCall and sendData threw), then {outcome: "result",
// args} or {outcome: "error", uri, message} or {outcome: "pending"} (nothing
// settled the call within 20 s), and {closed, messages} (whether the
// session was closed, and every message the router sent, decoded).

import { flags, emit } from './args.mjs';
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { WebSocket as NodeWebSocket } from 'ws';

const opts = flags({
  serializer: { type: 'string', required: true },
  url: { type: 'string', required: true },
  realm: { type: 'string', default: 'realm1' },
});

const serializer = {
  json: () => new JsonSerializer(),
  msgpack: () => new MsgpackSerializer(),
  cbor: () => new CborSerializer(),
}[opts.serializer];
if (!serializer) {
  process.stderr.write(`unknown serializer ${opts.serializer}\n`);
  process.exit(2);
}

// Spy is the WebSocket Wampy uses, keeping the frames both sides send.
const received = [];
const sent = [];
class Spy extends NodeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (ev) => received.push(ev.data));
  }

  send(data, ...rest) {
    sent.push(data);
    return super.send(data, ...rest);
  }
}

let closed = false;
const ser = serializer();
const ws = new Wampy(opts.url, {
  realm: opts.realm,
  serializer: ser,
  ws: Spy, // Wampy's documented way to run in Node.js, NodeWebSocket, spied on
  autoReconnect: false,
  onClose: () => { closed = true; },
});
await ws.connect();
emit({ session: ws.getSessionId() });

// What Wampy's HELLO (its first message) announced for the caller role.
const hello = await ser.decode(sent[0]);
if (hello?.[0] !== 1) throw new Error(`Wampy's first message is not a HELLO: ${JSON.stringify(hello)}`);
emit({ announced: hello[2]?.roles?.caller?.features?.progressive_call_invocations === true });

let result;
try {
  const call = ws.progressiveCall('com.example.calc.sum', { argsList: [1] });
  call.sendData({ argsList: [2] }, { progress: true });
  call.sendData({ argsList: [3] }, { progress: false });
  result = call.result;
  emit({ sent: true });
} catch (e) {
  emit({ sent: false, error: String(e?.message ?? e) });
}

if (result) {
  const timeout = new Promise((resolve) => setTimeout(() => resolve('pending'), 20000));
  const outcome = await Promise.race([
    result.then((r) => ({ outcome: 'result', args: r?.argsList ?? [] }),
      (e) => ({ outcome: 'error', uri: e?.errorUri ?? null, message: String(e?.message ?? e) })),
    timeout.then(() => ({ outcome: 'pending' })),
  ]);
  emit(outcome);
}
// Give the close a moment to be noticed when the router ended the session.
for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 100));
// The messages the router sent, decoded, each as [type, …].
const messages = [];
for (const data of received) {
  try {
    messages.push(await ser.decode(data));
  } catch (e) {
    messages.push(`undecodable: ${e?.message ?? e}`);
  }
}
emit({ closed, messages });
if (!closed) await ws.disconnect();
process.exit(0);
