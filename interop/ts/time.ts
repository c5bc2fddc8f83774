// time.ts holds the generated TypeScript of the time service
// (interop/timesvc/timesvc_wamp.ts: a time.Time as w.time, an RFC 3339
// string; a time.Duration as w.int(64, true), integer nanoseconds) to the
// way wampgen carries time, on one JavaScript client's adapter:
//
//   node time.mjs --role caller|callee --client autobahn|wampy --serializer json|msgpack|cbor --url ws://HOST:PORT/ --realm realm1
//
// As a caller it runs js/time.mjs's checks (the same names) through the
// generated ClockClient and prints one JSON line per check and {done}. As a
// callee it serves Clock through the generated registerClock (echo and
// shift on the strings themselves, to the nanosecond), prints {ready}, then
// {invocation, sees} per invocation (what the adapter decoded, before the
// schemas), and runs until SIGTERM, SIGINT or the end of its input.

import { ClockClient, ClockProcedures, registerClock, type Clock } from '../timesvc/timesvc_wamp.js';
import * as w from '../timesvc/wampgen.js';
import { connect, flags } from './connect.js';
import { emit, eq, fail, rejects, runChecks, show } from './harness.js';

const opts = flags(['role', 'client', 'serializer', 'url', 'realm']);
const conn = await connect(opts.client, opts.serializer, opts.url, opts.realm ?? 'realm1');

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return `bytes ${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return `a list ${show(v)}`;
  if (typeof v === 'object') return `an object ${show(v)}`;
  return `a ${typeof v} ${show(v)}`;
}

// ---------------------------------------------------------------- callee

const rfc3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

// nanos reads an RFC 3339 string (w.time has checked it) into nanoseconds
// since the epoch and its offset.
function nanos(s: string): { ns: bigint; offset: string } {
  const m = rfc3339.exec(s)!;
  const ms = Date.parse(m[1] + m[3]);
  return { ns: BigInt(ms) * 1000000n + BigInt((m[2] ?? '').padEnd(9, '0')), offset: m[3] };
}

// text writes ns in offset as Go's MarshalText does (at most nine
// fractional digits, trailing zeros trimmed).
function text(ns: bigint, offset: string): string {
  let shift = 0n;
  if (offset !== 'Z') {
    const sign = offset[0] === '-' ? -1n : 1n;
    shift = sign * (BigInt(offset.slice(1, 3)) * 3600n + BigInt(offset.slice(4, 6)) * 60n) * 1000000000n;
  }
  const local = ns + shift;
  let sec = local / 1000000000n;
  let frac = local % 1000000000n;
  if (frac < 0n) {
    frac += 1000000000n;
    sec -= 1n;
  }
  const base = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  return base + (frac === 0n ? '' : '.' + String(frac).padStart(9, '0').replace(/0+$/, '')) + offset;
}

const clock: Clock = {
  echo: (t) => t,
  shift(t, d) {
    const { ns, offset } = nanos(t);
    return text(ns + BigInt(d), offset);
  },
};

async function serve(): Promise<void> {
  const peer: w.Peer = {
    ...conn.peer,
    register(uri, handler, o) {
      return conn.peer.register(uri, (args, kwargs, details) => {
        emit({ invocation: uri, sees: args.map(describe) });
        return handler(args, kwargs, details);
      }, o);
    },
  };
  await registerClock(peer, clock);
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

const client = new ClockClient(conn.peer);

// The names are interop/time_test.go's timeCallerChecks.
const checks: [string, () => Promise<unknown>][] = [
  ["echo(a JS Date's toISOString(), .123Z) returns the same string; new Date() of it, the same milliseconds", async () => {
    const d = new Date(Date.UTC(2026, 11, 7, 17, 18, 11, 123));
    const got = await client.echo(d.toISOString());
    eq(got, '2026-12-07T17:18:11.123Z');
    return eq(new Date(got).getTime(), d.getTime());
  }],
  ["echo(a JS Date's toISOString(), .500Z) returns the same instant written as Go writes it, .5Z", async () => {
    const d = new Date(Date.UTC(2026, 11, 7, 17, 18, 11, 500));
    const got = await client.echo(d.toISOString());
    eq(got, '2026-12-07T17:18:11.5Z');
    return eq(new Date(got).getTime(), d.getTime());
  }],
  ['echo(2026-12-07T17:18:11.123456789Z) returns it to the nanosecond', async () =>
    eq(await client.echo('2026-12-07T17:18:11.123456789Z'), '2026-12-07T17:18:11.123456789Z')],
  ['echo(2026-12-07T18:18:11.123456789+01:00) keeps the offset', async () =>
    eq(await client.echo('2026-12-07T18:18:11.123456789+01:00'), '2026-12-07T18:18:11.123456789+01:00')],
  ['echo(0001-01-01T00:00:00Z), the zero time, returns it', async () =>
    eq(await client.echo('0001-01-01T00:00:00Z'), '0001-01-01T00:00:00Z')],
  ['shift(2026-12-07T17:18:11.123456789Z, 1000000001 ns) = 2026-12-07T17:18:12.12345679Z', async () =>
    eq(await client.shift('2026-12-07T17:18:11.123456789Z', 1000000001), '2026-12-07T17:18:12.12345679Z')],
  ["shift(a JS Date's toISOString(), -1 day in ns) = the Date a day before", async () => {
    const d = new Date(Date.UTC(2026, 11, 7, 17, 18, 11, 123));
    return eq(await client.shift(d.toISOString(), -86400 * 1e9), new Date(d.getTime() - 86400000).toISOString());
  }],
  ['echo("yesterday") fails with wamp.error.invalid_argument', async () => {
    // The generated client refuses it before sending …
    await rejects(client.echo('yesterday'), RangeError, /^argument 1: "yesterday" is not an RFC 3339 time$/);
    // … and the service refuses it from the peer underneath.
    const e = (await rejects(conn.peer.call(ClockProcedures.echo, ['yesterday'], undefined, {}), w.WampError)) as w.WampError;
    if (e.uri !== w.ErrInvalidArgument) fail(`got ${e.uri} ${show(e.args)}, want ${w.ErrInvalidArgument}`);
    return 'refused';
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
