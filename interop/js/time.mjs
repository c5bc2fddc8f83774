// time.mjs holds one JavaScript client to the way wampgen carries time
// (interop/timesvc): a time.Time travels as an RFC 3339 string with up to
// nine fractional digits, trailing zeros trimmed, its offset kept (Go's
// time.Time.MarshalText form), and a time.Duration as integer nanoseconds.
//
//   node time.mjs --role caller --client autobahn|wampy --serializer json|msgpack|cbor --url ws://HOST:PORT/ [--realm realm1]
//   node time.mjs --role callee --client autobahn|wampy --serializer json|msgpack|cbor --url ws://HOST:PORT/ [--realm realm1]
//
// As a caller it calls the Go service and prints one JSON line per check
// ({check, ok, got|error}) and a last line {done, passed, failed}; it exits 1
// if a check failed. As a callee it implements the service (echo and shift,
// on the strings themselves, to the nanosecond) and prints {ready, session},
// then one line {invocation, sees} per invocation: what the client decoded
// (the JavaScript type and value of each argument); it runs until SIGTERM,
// SIGINT or the end of its standard input.

import { flags, emit } from './args.mjs';
import { connect, WampError, jsonSafe } from './peers.mjs';

const opts = flags({
  role: { type: 'string', required: true },
  client: { type: 'string', required: true },
  serializer: { type: 'string', required: true },
  url: { type: 'string', required: true },
  realm: { type: 'string', default: 'realm1' },
});

const P = 'com.example.interop.time.';
const INVALID = 'wamp.error.invalid_argument';

// ------------------------------------------------------------ the wire form

// RFC 3339 as Go writes and reads it: a date, a time, up to nine fractional
// digits, Z or an offset.
const rfc3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

function describe(v) {
  if (v === null) return 'null';
  if (v instanceof Date) return `a Date ${v.toISOString()}`;
  if (v instanceof Uint8Array) return `bytes ${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return `a list ${JSON.stringify(v, jsonSafe)}`;
  if (typeof v === 'object') return `an object ${JSON.stringify(v, jsonSafe)}`;
  return `a ${typeof v} ${JSON.stringify(v, jsonSafe)}`;
}

// parse reads an RFC 3339 string into nanoseconds since the Unix epoch (a
// BigInt) and its offset ("Z" or "+hh:mm"), or throws.
function parse(s) {
  const m = typeof s === 'string' ? rfc3339.exec(s) : null;
  if (!m) throw new TypeError(`expected an RFC 3339 string, got ${describe(s)}`);
  const ms = Date.parse(m[1] + m[3]);
  if (Number.isNaN(ms)) throw new TypeError(`expected an RFC 3339 string, got ${describe(s)}`);
  const frac = BigInt((m[2] ?? '').padEnd(9, '0'));
  return { ns: BigInt(ms) * 1000000n + frac, offset: m[3] };
}

// format writes ns (since the epoch) in offset the way Go's MarshalText
// does: nine fractional digits at most, trailing zeros trimmed.
function format(ns, offset) {
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
  const digits = frac === 0n ? '' : '.' + String(frac).padStart(9, '0').replace(/0+$/, '');
  return base + digits + offset;
}

function nanoseconds(v) {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new TypeError(`expected integer nanoseconds, got ${describe(v)}`);
}

// ---------------------------------------------------------------- callee

async function serve(peer) {
  const procedures = {
    echo(args) {
      if (args.length !== 1) throw new WampError(INVALID, [`echo: expected 1 argument, got ${args.length}`]);
      parse(args[0]);
      return args[0];
    },
    shift(args) {
      if (args.length !== 2) throw new WampError(INVALID, [`shift: expected 2 arguments, got ${args.length}`]);
      const t = parse(args[0]);
      return format(t.ns + nanoseconds(args[1]), t.offset);
    },
  };
  for (const [name, fn] of Object.entries(procedures)) {
    await peer.register(P + name, async (args) => {
      emit({ invocation: P + name, sees: args.map(describe) });
      try {
        return fn(args);
      } catch (e) {
        if (e instanceof TypeError) throw new WampError(INVALID, [`${name}: ${e.message}`]);
        throw e;
      }
    });
  }
}

// ---------------------------------------------------------------- caller

class CheckError extends Error {}

function fail(message) {
  throw new CheckError(message);
}

async function single(peer, proc, args) {
  const r = await peer.call(P + proc, args);
  if (r.args.length !== 1 || Object.keys(r.kwargs).length !== 0) {
    fail(`${proc}: want a single result, got ${JSON.stringify(r, jsonSafe)}`);
  }
  return r.args[0];
}

// exact calls proc with args and requires the string want back.
async function exact(peer, proc, args, want) {
  const got = await single(peer, proc, args);
  if (got !== want) fail(`got ${describe(got)}, want the string ${JSON.stringify(want)}`);
  return got;
}

// The names are interop/time_test.go's timeCallerChecks.
const checks = [
  ['echo(a JS Date\'s toISOString(), .123Z) returns the same string; new Date() of it, the same milliseconds', async (p) => {
    const d = new Date(Date.UTC(2026, 11, 7, 17, 18, 11, 123));
    const s = d.toISOString();
    const got = await exact(p, 'echo', [s], '2026-12-07T17:18:11.123Z');
    if (new Date(got).getTime() !== d.getTime()) fail(`new Date(${got}) is ${new Date(got).toISOString()}`);
    return got;
  }],
  ['echo(a JS Date\'s toISOString(), .500Z) returns the same instant written as Go writes it, .5Z', async (p) => {
    const d = new Date(Date.UTC(2026, 11, 7, 17, 18, 11, 500));
    const got = await exact(p, 'echo', [d.toISOString()], '2026-12-07T17:18:11.5Z');
    if (new Date(got).getTime() !== d.getTime()) fail(`new Date(${got}) is ${new Date(got).toISOString()}`);
    return got;
  }],
  ['echo(2026-12-07T17:18:11.123456789Z) returns it to the nanosecond', async (p) =>
    exact(p, 'echo', ['2026-12-07T17:18:11.123456789Z'], '2026-12-07T17:18:11.123456789Z')],
  ['echo(2026-12-07T18:18:11.123456789+01:00) keeps the offset', async (p) =>
    exact(p, 'echo', ['2026-12-07T18:18:11.123456789+01:00'], '2026-12-07T18:18:11.123456789+01:00')],
  ['echo(0001-01-01T00:00:00Z), the zero time, returns it', async (p) =>
    exact(p, 'echo', ['0001-01-01T00:00:00Z'], '0001-01-01T00:00:00Z')],
  ['shift(2026-12-07T17:18:11.123456789Z, 1000000001 ns) = 2026-12-07T17:18:12.12345679Z', async (p) =>
    exact(p, 'shift', ['2026-12-07T17:18:11.123456789Z', 1000000001], '2026-12-07T17:18:12.12345679Z')],
  ['shift(a JS Date\'s toISOString(), -1 day in ns) = the Date a day before', async (p) => {
    const d = new Date(Date.UTC(2026, 11, 7, 17, 18, 11, 123));
    const want = new Date(d.getTime() - 86400000).toISOString();
    return exact(p, 'shift', [d.toISOString(), -86400 * 1e9], want);
  }],
  ['echo("yesterday") fails with wamp.error.invalid_argument', async (p) => {
    try {
      const r = await p.call(P + 'echo', ['yesterday']);
      fail(`got the result ${JSON.stringify(r, jsonSafe)}`);
    } catch (e) {
      if (e instanceof CheckError) throw e;
      if (!(e instanceof WampError) || e.uri !== INVALID) fail(`got ${e}, want ${INVALID}`);
    }
    return 'refused';
  }],
];

async function runChecks(peer) {
  let failed = 0;
  for (const [name, fn] of checks) {
    try {
      emit({ check: name, ok: true, got: String(await fn(peer)) });
    } catch (e) {
      failed++;
      emit({ check: name, ok: false, error: e instanceof CheckError || e instanceof WampError ? e.message : String(e.stack || e) });
    }
  }
  return failed;
}

// ---------------------------------------------------------------- main

const peer = await connect(opts);
switch (opts.role) {
  case 'caller': {
    emit({ session: peer.sessionId, client: peer.client, serializer: peer.serializer });
    const failed = await runChecks(peer);
    emit({ done: true, passed: checks.length - failed, failed });
    await peer.close();
    process.exit(failed ? 1 : 0);
    break;
  }
  case 'callee': {
    await serve(peer);
    emit({ ready: true, session: peer.sessionId, client: peer.client, serializer: peer.serializer });
    let closing = false;
    const stop = async () => {
      if (closing) return;
      closing = true;
      await peer.close();
      process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.stdin.on('end', stop);
    process.stdin.resume();
    break;
  }
  default:
    process.stderr.write(`unknown --role ${opts.role}: caller or callee\n`);
    process.exit(2);
}
