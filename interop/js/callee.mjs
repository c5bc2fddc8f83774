// callee.mjs implements the calculator contract with one JavaScript client
// as the CALLEE, registered at --url:
//
//   node callee.mjs --client autobahn|wampy --serializer json|msgpack|cbor --url ws://HOST:PORT/ [--realm realm1]
//
// It prints {ready, session} once every procedure is registered, then one
// line {invocation, details} per invocation (what the dealer told it), and
// runs until SIGTERM, SIGINT or the end of its standard input.

import { flags, emit } from './args.mjs';
import { connect } from './peers.mjs';
import { register } from './contract.mjs';

const opts = flags({
  client: { type: 'string', required: true },
  serializer: { type: 'string', required: true },
  url: { type: 'string', required: true },
  realm: { type: 'string', default: 'realm1' },
});

const peer = await connect(opts);
await register(peer, (procedure, details) => emit({ invocation: procedure, details }));
emit({ ready: true, session: peer.sessionId, client: peer.client, serializer: peer.serializer });

let closing = false;
async function stop() {
  if (closing) return;
  closing = true;
  await peer.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
