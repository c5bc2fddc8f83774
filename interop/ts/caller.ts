// caller.ts runs the calculator contract's checks through the GENERATED
// TypeScript client (examples/calculator/calc/calc_wamp.ts) on one
// JavaScript client's adapter against whatever serves the contract:
//
//   node caller.mjs --client autobahn|wampy --serializer json|msgpack|cbor --url ws://HOST:PORT/ --realm realm1
//
// The checks are those of js/contract.mjs (the same names, so the Go test
// and the README table treat them alike), made through the typed API: mapped
// errors as their classes, progressive results through onProgress,
// cancellation through an AbortSignal, the timeout option, the events
// through the generated subscriber. It prints one JSON line per check
// ({check, ok, got|error}) and {done, failed}; it exits 1 if a check failed.

import {
  CalculatorClient, CalculatorProcedures, DivByZeroError, NegativeInputError, subscribeCalculatorEventsComputed,
  CalculatorEventsTopics, type Computation,
} from '../../examples/calculator/calc/calc_wamp.js';
import * as w from '../../examples/calculator/calc/wampgen.js';
import { connect, flags, type Connection } from './connect.js';
import { emit, eq, fail, rejects, runChecks, show } from './harness.js';

const opts = flags(['client', 'serializer', 'url', 'realm']);
const conn = await connect(opts.client, opts.serializer, opts.url, opts.realm ?? 'realm1');
const client = new CalculatorClient(conn.peer);
emit({ session: conn.sessionId, client: opts.client, serializer: opts.serializer });

// uriOf awaits a call that must fail with a WampError and returns it.
async function wampError(p: Promise<unknown>, uri: string): Promise<w.WampError> {
  const e = (await rejects(p, w.WampError)) as w.WampError;
  if (e.uri !== uri) fail(`got the error ${e.uri} ${show(e.args)}, want ${uri}`);
  return e;
}

// waitIdle polls active() until no sleep runs (the callee may finish a
// moment after the caller's call ended).
async function waitIdle(): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const n = await client.active();
    if (n === 0) return;
    if (Date.now() > deadline) fail(`active = ${n} long after the sleep was stopped`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const operand = () => 1 + Math.floor(Math.random() * 1e9);

const showComputation = (c: Computation) => `${c.op}(${c.args.join(', ')}) = ${c.result}`;

const same = (c: Computation, want: Computation) =>
  c.op === want.op && c.result === want.result && c.args.length === want.args.length && c.args.every((x, i) => x === want.args[i]);

async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

// checkComputed: as js/contract.mjs's, through the generated subscriber
// (each event decoded into a Computation; one that does not fit is
// reported to onError and fails the check).
async function checkComputed(): Promise<string> {
  const events: { c: Computation; topic: string }[] = [];
  const refused: string[] = [];
  const sub = await subscribeCalculatorEventsComputed(conn.peer, (c, ev) => { events.push({ c, topic: ev.topic }); }, {
    onError: (e) => refused.push(e instanceof Error ? e.message : String(e)),
  });
  try {
    const [a, b, x] = [operand(), operand(), operand()];
    const want: Computation[] = [];
    want.push({ op: 'add', args: [a, b], result: await client.add(a, b) });
    await rejects(client.div(a, 0), DivByZeroError);
    want.push({ op: 'div', args: [a, b], result: await client.div(a, b) });
    want.push({ op: 'sqrt', args: [x], result: await client.sqrt(x) });
    const fargs = [operand(), operand()];
    const fence: Computation = { op: 'add', args: fargs, result: await client.add(fargs[0], fargs[1]) };
    if (!(await waitUntil(() => events.some((ev) => same(ev.c, fence)), 15000))) {
      fail(`no event for ${showComputation(fence)} within 15s (${events.length} events in all, ${refused.length} refused: ${refused.join('; ')})`);
    }
    for (const wc of want) {
      const got = events.filter((ev) => same(ev.c, wc));
      if (got.length !== 1) fail(`${got.length} events for ${showComputation(wc)}, want 1`);
      eq(got[0].topic, CalculatorEventsTopics.computed);
    }
    const failed = events.filter((ev) => ev.c.op === 'div' && ev.c.args[0] === a && ev.c.args[1] === 0);
    if (failed.length) fail(`the failed div(${a}, 0) published ${show(failed)}`);
    if (refused.length) fail(`events refused by the generated subscriber: ${refused.join('; ')}`);
    return want.map(showComputation).join('; ');
  } finally {
    await sub.unsubscribe();
  }
}

const checks: [string, () => Promise<unknown>][] = [
  ['add(2, 3) = 5', async () => eq(await client.add(2, 3), 5)],
  ['div(10, 4) = 2.5', async () => eq(await client.div(10, 4), 2.5)],
  ['div(1, 0) fails with com.example.calc.error.div_by_zero', async () => {
    const e = await rejects(client.div(1, 0), DivByZeroError) as DivByZeroError;
    eq(e.uri, DivByZeroError.uri);
    eq(e.message, 'division by zero');
    return `${e.name} ${e.uri} ${e.message}`;
  }],
  ['sqrt(16) = 4', async () => eq(await client.sqrt(16), 4)],
  ['sqrt(-4) fails with com.example.calc.error.negative_input {input: -4}', async () => {
    const e = await rejects(client.sqrt(-4), NegativeInputError) as NegativeInputError;
    eq(e.input, -4);
    return `${e.name} ${e.uri} input ${e.input}: ${e.message}`;
  }],
  ['fibonacci(10) = 55, progress 1 1 2 3 5 8 13 21 34', async () => {
    const progress: bigint[] = [];
    const v = await client.fibonacci(10, { onProgress: (p) => progress.push(p) });
    eq(progress.join(' '), '1 1 2 3 5 8 13 21 34');
    return eq(v, 55n);
  }],
  ['fibonacci(78) = 8944394323791464, the largest that a JS Number holds exactly', async () => eq(await client.fibonacci(78), 8944394323791464n)],
  ['fibonacci(90) = 2880067194370816120 without progress', async () => eq(await client.fibonacci(90), 2880067194370816120n)],
  ['fibonacci(0) and fibonacci(91) fail with wamp.error.invalid_argument', async () => {
    for (const n of [0, 91]) await wampError(client.fibonacci(n), w.ErrInvalidArgument);
    return 'refused';
  }],
  ['stats([1, 2, 3, 4]) = {count 4, sum 10, mean 2.5, min 1, max 4}', async () => {
    const v = await client.stats([1, 2, 3, 4]);
    return eq(show(v), '{"count":4,"sum":10,"mean":2.5,"min":1,"max":4}');
  }],
  ['stats([]) fails with wamp.error.invalid_argument', async () => {
    await wampError(client.stats([]), w.ErrInvalidArgument);
    return 'refused';
  }],
  ['round(value=3.14159, places=2) = 3.14 (keyword arguments)', async () => eq(await client.round({ value: 3.14159, places: 2 }), 3.14)],
  ['reverse_bytes(00 01 7f 80 fe ff) = ff fe 80 7f 01 00', async () => {
    const v = await client.reverseBytes(new Uint8Array([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]));
    if (!(v instanceof Uint8Array)) fail(`got ${show(v)}, not a Uint8Array`);
    return eq(Buffer.from(v).toString('hex'), 'fffe807f0100');
  }],
  ["whoami() = this session's ID", async () => eq(await client.whoami(), BigInt(conn.sessionId))],
  ['sleep(50) = 50', async () => eq(await client.sleep(50), 50)],
  ['sleep(10000) cancelled after 100ms: wamp.error.canceled, then active() = 0', async () => {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 100);
    const start = Date.now();
    try {
      await wampError(client.sleep(10000, { signal: ctl.signal }), w.ErrCanceled);
    } finally {
      clearTimeout(timer);
    }
    const took = Date.now() - start;
    await waitIdle();
    return `wamp.error.canceled after ${took}ms`;
  }],
  ['sleep(10000) with a 200ms timeout: wamp.error.timeout, then active() = 0', async () => {
    const e = await wampError(client.sleep(10000, { timeout: 200 }), w.ErrTimeout);
    await waitIdle();
    return `${e.uri} ${show(e.args)}`;
  }],
  ['computed: one event for each successful add, div and sqrt, none for a failed div', checkComputed],
  ['add("two", 3) and add(1) fail with wamp.error.invalid_argument, and the service keeps serving', async () => {
    // The generated client refuses them before sending anything …
    await rejects(client.add('two' as unknown as number, 3), TypeError, /^argument 1: expected a number, got a string$/);
    await rejects((client.add as (...a: unknown[]) => Promise<number>)(1), TypeError, /^argument 2: expected a number, got nothing$/);
    // … and the service refuses them from the peer underneath.
    for (const args of [['two', 3], [1], [1, 2, 3], [[1], 2]]) {
      await wampError(conn.peer.call(CalculatorProcedures.add, args, undefined, {}), w.ErrInvalidArgument);
    }
    await wampError(conn.peer.call(CalculatorProcedures.round, [], { value: 'pi', places: 2 }, {}), w.ErrInvalidArgument);
    eq(await client.add(1, 1), 2);
    return 'refused';
  }],
];

const failed = await runChecks(checks, emit);
await closeQuietly(conn);
process.exit(failed ? 1 : 0);

async function closeQuietly(c: Connection): Promise<void> {
  try {
    await c.close();
  } catch (e) {
    process.stderr.write(`close: ${e}\n`);
  }
}
