// stream.ts holds the generated TypeScript of the streaming service
// (interop/streamsvc/streamsvc_wamp.ts: Count's iter.Seq2[int64, error]
// result as an AsyncIterable<bigint>) to the Go runtime's stream form, on
// one JavaScript client's adapter:
//
//   node stream.mjs --role caller|callee --client autobahn|wampy --serializer json|msgpack|cbor --url ws://HOST:PORT/ --realm realm1
//
// As a caller it iterates the generated CounterClient's streams and prints
// one JSON line per check and {done}. As a callee it serves Counter
// through the generated registerCounter (a generator), prints {ready},
// and runs until SIGTERM, SIGINT or the end of its input.

import { CounterClient, registerCounter, UnluckyError, type Counter } from '../streamsvc/streamsvc_wamp.js';
import * as w from '../streamsvc/wampgen.js';
import { connect, flags } from './connect.js';
import { emit, eq, fail, rejects, runChecks, show } from './harness.js';

const opts = flags(['role', 'client', 'serializer', 'url', 'realm']);
const conn = await connect(opts.client, opts.serializer, opts.url, opts.realm ?? 'realm1');

// ---------------------------------------------------------------- callee

const counter: Counter = {
  count(from, n) {
    if (n < 0 || n > 1000) throw new w.WampError(w.ErrInvalidArgument, `count: n must be in 0..1000, got ${n}`);
    return (function* () {
      for (let i = 0n; i < BigInt(n); i++) {
        if (from + i === 13n) throw new UnluckyError();
        yield from + i;
      }
    })();
  },
};

async function serve(): Promise<void> {
  await registerCounter(conn.peer, counter);
  emit({ ready: true, session: conn.sessionId, client: opts.client, serializer: opts.serializer });
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await conn.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

// ---------------------------------------------------------------- caller

const client = new CounterClient(conn.peer);

async function all(it: AsyncIterable<bigint>, got: bigint[] = []): Promise<string> {
  for await (const v of it) got.push(v);
  return got.join(' ');
}

// The names are interop/ts_test.go's tsStreamChecks.
const checks: [string, () => Promise<unknown>][] = [
  ['count(1, 5) yields 1 2 3 4 5', async () => eq(await all(client.count(1n, 5)), '1 2 3 4 5')],
  ['count(10, 5) yields 10 11 12, then fails with UnluckyError', async () => {
    const got: bigint[] = [];
    const e = (await rejects(all(client.count(10n, 5), got), UnluckyError)) as UnluckyError;
    eq(got.join(' '), '10 11 12');
    return `${got.join(' ')}, then ${e.name} ${e.uri}: ${e.message}`;
  }],
  ['count(0, 0) yields nothing', async () => eq(await all(client.count(0n, 0)), '')],
  ['count(1, 2000) fails with wamp.error.invalid_argument', async () => {
    const e = (await rejects(all(client.count(1n, 2000)), w.WampError)) as w.WampError;
    if (e.uri !== w.ErrInvalidArgument) fail(`got ${e.uri} ${show(e.args)}`);
    return 'refused';
  }],
  ['leaving count(100, 1000) after 3 items cancels it; the service keeps serving', async () => {
    const got: bigint[] = [];
    for await (const v of client.count(100n, 1000)) {
      got.push(v);
      if (got.length === 3) break;
    }
    eq(got.join(' '), '100 101 102');
    return eq(await all(client.count(20n, 2)), '20 21');
  }],
  ['each iteration of one count(…) makes its own call', async () => {
    const it = client.count(30n, 2);
    return eq(`${await all(it)}; ${await all(it)}`, '30 31; 30 31');
  }],
];

switch (opts.role) {
  case 'caller': {
    emit({ session: conn.sessionId, client: opts.client, serializer: opts.serializer });
    const failed = await runChecks(checks, emit);
    await conn.close();
    process.exit(failed ? 1 : 0);
    break;
  }
  case 'callee':
    await serve();
    break;
  default:
    process.stderr.write(`unknown --role ${opts.role}: caller or callee\n`);
    process.exit(2);
}
