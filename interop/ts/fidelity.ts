// fidelity.ts holds the generated schemas (interop/fidelitysvc: Every, a
// field of every mapped Go type) to what the Go runtime writes and reads,
// on one JavaScript client's adapter and serializer:
//
//   node fidelity.mjs --role caller|callee --client autobahn|wampy --serializer json|msgpack|cbor --url ws://HOST:PORT/ --realm realm1
//
// As a caller it calls the Go service's sample(which) and compares the
// decoded value with what the mapping promises (expected below), then
// sends that value back with same(which, v), where Go compares it with its
// own. As a callee it serves the same values through registerFidelity for
// a Go caller (TestTSFidelity does the Go side). A sample a serializer
// cannot carry exactly (64-bit extremes over JSON) must be refused, never
// rounded: such a check reports {refused}.

import { FidelityClient, registerFidelity, type Every, type Fidelity } from '../fidelitysvc/fidelitysvc_wamp.js';
import * as w from '../fidelitysvc/wampgen.js';
import { connect, flags } from './connect.js';
import { emit, fail, show } from './harness.js';

const opts = flags(['role', 'client', 'serializer', 'url', 'realm']);
const conn = await connect(opts.client, opts.serializer, opts.url, opts.realm ?? 'realm1');

// own makes a dictionary whose keys are all own properties ('__proto__'
// included, which an object literal would take as the prototype).
function own(entries: [string, unknown][]): Record<string, any> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const child: Every = {
  depth: 0, kind: 'child', bool: false, str: '', f32: 0, f64: 0, int: 0, uint: 0,
  i8: 0, i16: 0, i32: 0, u8: 0, u16: 0, u32: 0, i64: 0n, u64: 0n, took: 0,
  at: '0001-01-01T00:00:00Z', blob: new Uint8Array(0), nil_blob: new Uint8Array(0), hash: new Uint8Array(4),
  list: [], nil_list: [], triple: [0, 0, 0], map: {}, nil_map: {}, ptr: null, nil_ptr: null,
  level: 'L0', temp: 0, free: null, constructor: '', child: null,
  tagged: { inner: { kind: '', depth: 0 }, kind: '' },
};

/** expected is what sample(which) must decode to (fidelitysvc.Sample). */
function expected(which: number): Every {
  const v: Every = {
    depth: 3, note: 'extra', kind: 'outer', bool: true, str: 'héllo \u2028 \u0000 <"\'>',
    f32: 1.5, f64: -1e308, int: 2 ** 53 - 1, uint: 2 ** 53 - 1,
    i8: -128, i16: -32768, i32: -2147483648, u8: 255, u16: 65535, u32: 4294967295,
    i64: -(2n ** 53n - 1n), u64: 2n ** 53n - 1n, took: -(2 ** 53 - 1),
    at: '2026-12-07T18:18:11.123456789+01:30',
    blob: new Uint8Array([0, 1, 2, 0xfe, 0xff]), nil_blob: new Uint8Array(0), hash: new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
    list: [2147483647, 0, -1], nil_list: [], triple: [1, -2, 3],
    map: own([['constructor', 2], ['toString', 1], ['', 3]]), nil_map: {},
    ptr: 7, nil_ptr: null, level: 'L42', temp: -273.15, free: { a: ['x', true, null] },
    constructor: 'ctor', child: { ...child },
    tagged: { inner: { kind: 'in', depth: 1 }, kind: 'out' },
  };
  switch (which) {
    case 0:
      return v;
    case 1:
      return { ...v, i64: -(2n ** 63n), u64: 2n ** 64n - 1n };
    case 2:
      return { ...v, str: '\u0000AAAA' };
    case 3:
      return { ...v, map: own([['__proto__', 1]]) };
  }
  throw new RangeError(`no sample ${which}`);
}

/** diff returns where got differs from want ('' when it does not): own
 * keys, exact numbers (Object.is), bigints, bytes, prototypes of plain
 * objects (a decoded dictionary must be an ordinary object, never one
 * whose prototype a key set). */
function diff(got: unknown, want: unknown, path = 'value'): string {
  if (want instanceof Uint8Array) {
    if (!(got instanceof Uint8Array) || got.length !== want.length || got.some((x, i) => x !== want[i])) return `${path}: got ${show(got)}, want ${show(want)}`;
    return '';
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) return `${path}: got ${show(got)}, want ${show(want)}`;
    for (let i = 0; i < want.length; i++) {
      const d = diff(got[i], want[i], `${path}[${i}]`);
      if (d) return d;
    }
    return '';
  }
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got)) return `${path}: got ${show(got)}, want a dictionary`;
    if (Object.getPrototypeOf(got) !== Object.prototype) return `${path}: its prototype is not Object.prototype`;
    const gk = Object.keys(got).sort(), wk = Object.keys(want).sort();
    if (gk.join('\u0001') !== wk.join('\u0001')) return `${path}: keys ${show(gk)}, want ${show(wk)}`;
    for (const k of wk) {
      const d = diff((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return '';
  }
  return Object.is(got, want) ? '' : `${path}: got ${show(got)} (${typeof got}), want ${show(want)} (${typeof want})`;
}

// ---------------------------------------------------------------- callee

const impl: Fidelity = {
  sample: (which) => expected(which),
  same: (which, v) => diff(v, expected(which)),
};

async function serve(): Promise<void> {
  await registerFidelity(conn.peer, impl, {
    onError: (err, info) => emit({ error: `${info.procedure}: ${err instanceof Error ? err.message : show(err)}` }),
  });
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

// check runs one sample both ways: {check, ok, exact} when every value
// came and went exactly, {check, ok, refused} when the sample was refused
// with an error that says why (BadResultError decoding, RangeError
// encoding), and {check, ok: false, error} for anything else: a value that
// arrived different, above all.
async function check(which: number): Promise<void> {
  const client = new FidelityClient(conn.peer);
  const name = `sample ${which}`;
  let got: Every;
  try {
    got = await client.sample(which);
  } catch (e) {
    if (e instanceof w.BadResultError) {
      emit({ check: name, ok: true, refused: `decoding: ${e.message}` });
    } else {
      emit({ check: name, ok: false, error: `sample: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : show(e)}` });
    }
    // Back to Go all the same: refused before sending, or the same.
    try {
      const d = await client.same(which, expected(which));
      emit({ check: `${name} back`, ok: d === '', error: d || undefined, exact: d === '' });
    } catch (e2) {
      // Refused before sending (RangeError), or by the Go side's decoding.
      const refused = e2 instanceof RangeError || (e2 instanceof w.WampError && e2.uri === w.ErrInvalidArgument);
      const text = e2 instanceof Error ? `${e2.constructor.name}: ${e2.message}` : show(e2);
      emit(refused ? { check: `${name} back`, ok: true, refused: text } : { check: `${name} back`, ok: false, error: text });
    }
    return;
  }
  const d = diff(got, expected(which));
  emit(d ? { check: name, ok: false, error: d } : { check: name, ok: true, exact: true });
  try {
    const back = await client.same(which, got);
    emit({ check: `${name} back`, ok: back === '', error: back || undefined, exact: back === '' });
  } catch (e) {
    emit({ check: `${name} back`, ok: false, error: e instanceof Error ? `${e.constructor.name}: ${e.message}` : show(e) });
  }
}

// keyProto gets sample 3, whose map has the key "__proto__", and reports
// what the client library made of it: {exact} (the key an own property,
// the prototype untouched), {renamed} (msgpackr and cbor-x write it
// "__proto_"), or {closed} (msgpack5 throws, and the adapter ends the
// session rather than the process); anything else fails.
async function keyProto(): Promise<void> {
  const client = new FidelityClient(conn.peer);
  const name = 'sample 3';
  try {
    // (autobahnPeer rejects a call pending when the session closes; the
    // timeout is a backstop should an adapter not.)
    const got = await client.sample(3, { timeout: 5000 });
    const d = diff(got, expected(3));
    if (!d) return emit({ check: name, ok: true, exact: true });
    const renamed = Object.keys(got.map).join() === '__proto_' && Object.getPrototypeOf(got.map) === Object.prototype;
    emit(renamed ? { check: name, ok: true, renamed: d } : { check: name, ok: false, error: d });
  } catch (e) {
    emit({ check: name, ok: true, closed: e instanceof Error ? `${e.constructor.name}: ${e.message}` : show(e) });
  }
}

switch (opts.role) {
  case 'caller': {
    emit({ session: conn.sessionId, client: opts.client, serializer: opts.serializer });
    for (const which of [0, 1, 2]) await check(which);
    await keyProto();
    emit({ done: true });
    // (After keyProto on msgpack5 the session is closed already: Autobahn|JS
    // throws "connection already closed".)
    await Promise.race([conn.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    process.exit(0);
    break;
  }
  case 'callee':
    await serve();
    break;
  default:
    fail(`unknown --role ${opts.role}: caller or callee`);
}
