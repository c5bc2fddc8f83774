// caller.mjs runs the calculator contract's checks with one JavaScript
// client as the CALLER against whatever serves the contract at --url:
//
//   node caller.mjs --client autobahn|wampy --serializer json|msgpack|cbor --url ws://HOST:PORT/ [--realm realm1]
//
// It prints one JSON line per check ({check, ok, got|error}) and a last line
// {done, passed, failed}; it exits 1 if a check failed.

import { flags, emit } from './args.mjs';
import { connect } from './peers.mjs';
import { checks, runChecks } from './contract.mjs';

const opts = flags({
  client: { type: 'string', required: true },
  serializer: { type: 'string', required: true },
  url: { type: 'string', required: true },
  realm: { type: 'string', default: 'realm1' },
});

const peer = await connect(opts);
emit({ session: peer.sessionId, client: peer.client, serializer: peer.serializer });
const failed = await runChecks(peer, emit);
emit({ done: true, passed: checks.length - failed, failed });
await peer.close();
process.exit(failed ? 1 : 0);
