// support_test.ts: unit tests of the TypeScript support module
// (templates/wampgen.ts) in Node.js, without a router: the schemas (edge
// values, paths in errors, zero values, omitempty), the errors, and call,
// callStream, register, publish and subscribe through a fake Peer. The Go
// test TestTSSupport (ts_test.go) bundles and runs it; it prints one JSON
// line per check ({check, ok, error}) and {done: true}.

import * as w from '../../templates/wampgen.js';
// Another copy of the module, as each generated package directory has.
import * as other from '../timesvc/wampgen.js';
import { emit, fail, eq, throws, rejects, runChecks } from './harness.js';

const checks: [string, () => unknown][] = [];
const test = (name: string, fn: () => unknown) => checks.push([name, fn]);

// ---------------------------------------------------------------- integers

test('int(64, true): 2^53 − 1 and its negative pass both ways, 2^53 is a RangeError naming the path', () => {
  const s = w.int(64, true);
  eq(w.decode(s, Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  eq(w.decode(s, -Number.MAX_SAFE_INTEGER), -Number.MAX_SAFE_INTEGER);
  eq(w.encode(s, Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  throws(() => w.decode(s, 2 ** 53, 'result'), RangeError, /^result: 9007199254740992 is out of range/);
  throws(() => w.encode(s, 2 ** 53, 'argument 1'), RangeError, /^argument 1: /);
  throws(() => w.decode(s, 2n ** 53n, 'x'), RangeError, /^x: 9007199254740992 is out of range/);
  eq(w.decode(s, 12n), 12);
});

test('int: NaN, ±Infinity, fractions, strings, null and booleans are TypeErrors', () => {
  const s = w.int(32, true);
  for (const v of [NaN, Infinity, -Infinity, 1.5, '1', null, undefined, true, [1], {}]) {
    throws(() => w.decode(s, v, 'v'), TypeError, /^v: expected an integer \(Go int32\)/);
    throws(() => w.encode(s, v as number, 'v'), TypeError, /^v: expected an integer/);
  }
});

test('int: −0 becomes 0 (Go integers have no −0)', () => {
  eq(Object.is(w.decode(w.int(64, true), -0), 0), true);
  eq(Object.is(w.encode(w.int(8, false), -0), 0), true);
});

test('int: the bounds of every width, and one past them', () => {
  const cases: [8 | 16 | 32, boolean, number, number][] = [
    [8, true, -128, 127], [8, false, 0, 255], [16, true, -32768, 32767], [16, false, 0, 65535],
    [32, true, -(2 ** 31), 2 ** 31 - 1], [32, false, 0, 2 ** 32 - 1],
  ];
  for (const [bits, signed, min, max] of cases) {
    const s = w.int(bits, signed);
    eq(w.decode(s, min), min);
    eq(w.decode(s, max), max);
    throws(() => w.decode(s, min - 1), RangeError, /out of range/);
    throws(() => w.decode(s, max + 1), RangeError, /out of range/);
    throws(() => w.encode(s, max + 1), RangeError, /out of range/);
  }
  throws(() => w.decode(w.int(64, false), -1), RangeError, /out of range for Go uint/);
});

test('int64 and uint64: bigint bounds exact, one past them a RangeError', () => {
  const i64min = -(2n ** 63n), i64max = 2n ** 63n - 1n, u64max = 2n ** 64n - 1n;
  eq(w.decode(w.int64, i64min), i64min);
  eq(w.decode(w.int64, i64max), i64max);
  eq(w.encode(w.int64, i64max), i64max);
  throws(() => w.decode(w.int64, i64max + 1n), RangeError, /out of range for Go int64/);
  throws(() => w.decode(w.int64, i64min - 1n), RangeError, /out of range for Go int64/);
  eq(w.decode(w.uint64, u64max), u64max);
  eq(w.decode(w.uint64, 0n), 0n);
  throws(() => w.decode(w.uint64, u64max + 1n), RangeError, /out of range for Go uint64/);
  throws(() => w.decode(w.uint64, -1n), RangeError, /out of range for Go uint64/);
  throws(() => w.encode(w.uint64, -1n), RangeError, /out of range/);
});

test('int64: a safe Number decodes exactly, a Number beyond 2^53 is a RangeError (it cannot have arrived exactly)', () => {
  eq(w.decode(w.int64, 8944394323791464), 8944394323791464n);
  eq(w.decode(w.int64, -5), -5n);
  throws(() => w.decode(w.int64, 2880067194370816000, 'result'), RangeError, /^result: the number 2880067194370816000 is beyond 2\^53 and cannot have arrived exactly/);
  throws(() => w.decode(w.int64, 0.5), TypeError, /expected an integer \(Go int64\)/);
  throws(() => w.decode(w.int64, '1'), TypeError, /expected an integer/);
});

test('float64: numbers and bigints decode, −0 and NaN kept, strings refused', () => {
  eq(w.decode(w.float64, 2.5), 2.5);
  eq(w.decode(w.float64, 3n), 3);
  eq(Object.is(w.decode(w.float64, -0), -0), true);
  eq(Number.isNaN(w.decode(w.float64, NaN)), true);
  throws(() => w.decode(w.float64, '2.5', 'a'), TypeError, /^a: expected a number, got a string$/);
  throws(() => w.decode(w.float64, null, 'a'), TypeError, /got null/);
});

// ---------------------------------------------------------------- bytes, strings, time

test('bytes: Uint8Array and Buffer decode as a copy; null as empty; a NUL-base64 string as its bytes', () => {
  const b = Buffer.from([0, 1, 0xff]);
  const d = w.decode(w.bytes, b);
  eq(d instanceof Uint8Array, true);
  eq(Buffer.from(d).toString('hex'), '0001ff');
  b[0] = 9;
  eq(d[0], 0); // a copy
  eq(w.decode(w.bytes, null).length, 0);
  eq(Buffer.from(w.decode(w.bytes, '\u0000AAH/')).toString('hex'), '0001ff');
  eq(w.decode(w.bytes, '\u0000').length, 0);
});

test('bytes: bad base64 after NUL is a TypeError; a plain string, a list or a number too', () => {
  for (const s of ['\u0000!!', '\u0000AAH', '\u0000AAH/=', '\u0000A===', '\u0000AB==']) {
    throws(() => w.decode(w.bytes, s, 'data'), TypeError, /^data: a NUL-prefixed string that is not valid base64$/);
  }
  throws(() => w.decode(w.bytes, 'AAH/', 'data'), TypeError, /^data: expected bytes, got a string$/);
  throws(() => w.decode(w.bytes, [1, 2], 'data'), TypeError, /got a list/);
  throws(() => w.encode(w.bytes, [1, 2] as unknown as Uint8Array, 'data'), TypeError, /expected bytes/);
});

test('base64 both ways for every length 0..9 and all byte values', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let n = 0; n < 10; n++) {
    const b = all.slice(250 - n, 250);
    const s = w.base64Encode(b);
    eq(s, Buffer.from(b).toString('base64'));
    eq(Buffer.from(w.base64Decode(s)!).toString('hex'), Buffer.from(b).toString('hex'));
  }
  eq(w.base64Encode(all), Buffer.from(all).toString('base64'));
});

test('fixedBytes(4): the length is checked both ways', () => {
  const s = w.fixedBytes(4);
  eq(w.decode(s, new Uint8Array([1, 2, 3, 4])).length, 4);
  throws(() => w.decode(s, new Uint8Array(3), 'id'), RangeError, /^id: expected 4 bytes, got 3$/);
  throws(() => w.encode(s, new Uint8Array(5), 'id'), RangeError, /expected 4 bytes, got 5/);
  eq(w.decode(w.struct<{ id: Uint8Array }>('T', () => [{ name: 'id', schema: s }]), {}).id.length, 4); // zero value
});

test('time: RFC 3339 as Go writes it passes exactly; other texts are RangeErrors', () => {
  for (const t of ['2026-12-07T18:18:11.123456789+01:00', '0001-01-01T00:00:00Z', '2024-02-29T23:59:59.5Z']) {
    eq(w.decode(w.time, t), t);
    eq(w.encode(w.time, t), t);
  }
  for (const t of ['2026-12-07', '2026-12-07 18:18:11Z', '2026-13-01T00:00:00Z', '2025-02-29T00:00:00Z',
    '2026-12-07T24:00:00Z', '2026-12-07T18:18:11.1234567890Z', '2026-12-07T18:18:11+1:00', 'now']) {
    throws(() => w.encode(w.time, t, 'at'), RangeError, /^at: .* is not an RFC 3339 time$/);
  }
  throws(() => w.decode(w.time, 5, 'at'), TypeError, /expected an RFC 3339 time/);
});

// ---------------------------------------------------------------- containers and structs

interface Node { name: string; next: Node | null; tags?: string[] }
const NodeSchema: w.Schema<Node> = w.struct<Node>('Node', () => [
  { name: 'name', schema: w.string },
  { name: 'next', schema: w.nullable(NodeSchema) },
  { name: 'tags', schema: w.list(w.string), omitempty: true },
]);

test('struct: recursive (lazy fields); missing fields decode as zero values, unknown keys are ignored', () => {
  const n = w.decode(NodeSchema, { name: 'a', next: { name: 'b', extra: 1 }, more: true });
  eq(JSON.stringify(n), '{"name":"a","next":{"name":"b","next":null}}');
  eq(JSON.stringify(w.decode(NodeSchema, {})), '{"name":"","next":null}');
  // A null field is its zero value, as Go decodes it.
  eq(JSON.stringify(w.decode(NodeSchema, { name: null, tags: null })), '{"name":"","next":null,"tags":[]}');
});

test('struct: errors name the path of the value', () => {
  throws(() => w.decode(NodeSchema, { name: 'a', next: { name: 7 } }, 'result'), TypeError, /^result\.next\.name: expected a string, got the number 7$/);
  throws(() => w.decode(NodeSchema, { name: 'a', tags: ['x', 1] }, 'result'), TypeError, /^result\.tags\[1\]: expected a string/);
  throws(() => w.decode(NodeSchema, [1], 'result'), TypeError, /^result: expected a dictionary \(Node\), got a list$/);
  throws(() => w.decode(NodeSchema, null, 'result'), TypeError, /got null/);
  const rec = w.record(w.int(8, false));
  throws(() => w.decode(rec, { 'a b': 300 }, 'm'), RangeError, /^m\["a b"\]: 300 is out of range/);
});

test('struct: omitempty leaves out what Go leaves out (false, 0, "", null, empty lists and maps, zero structs)', () => {
  interface Inner { n: number }
  const Inner = w.struct<Inner>('Inner', () => [{ name: 'n', schema: w.int(32, true) }]);
  interface T { b?: boolean; i?: number; s?: string; p?: number | null; l?: string[]; m?: Record<string, number>; x?: Inner; t?: string; by?: Uint8Array; keep: number }
  const T = w.struct<T>('T', () => [
    { name: 'b', schema: w.bool, omitempty: true }, { name: 'i', schema: w.int(64, true), omitempty: true },
    { name: 's', schema: w.string, omitempty: true }, { name: 'p', schema: w.nullable(w.float64), omitempty: true },
    { name: 'l', schema: w.list(w.string), omitempty: true }, { name: 'm', schema: w.record(w.float64), omitempty: true },
    { name: 'x', schema: Inner, omitempty: true }, { name: 't', schema: w.time, omitempty: true },
    { name: 'by', schema: w.bytes, omitempty: true }, { name: 'keep', schema: w.float64 },
  ]);
  const empty = { b: false, i: 0, s: '', p: null, l: [], m: {}, x: { n: 0 }, t: '0001-01-01T00:00:00Z', by: new Uint8Array(0), keep: 0 };
  eq(JSON.stringify(w.encode(T, empty)), '{"keep":0}');
  eq(JSON.stringify(w.encode(T, { keep: 1 })), '{"keep":1}');
  const full = w.encode(T, { b: true, i: 1, s: 'x', p: 0, l: ['a'], m: { a: 1 }, x: { n: 1 }, t: '2026-01-01T00:00:00Z', by: new Uint8Array(1), keep: 2 }) as Record<string, unknown>;
  eq(Object.keys(full).join(','), 'b,i,s,p,l,m,x,t,by,keep');
  throws(() => w.encode(T, {} as T, 'v'), TypeError, /^v\.keep: missing/);
});

test('list and record: null decodes empty; a fixed length is checked; a null map entry is its zero value', () => {
  eq(w.decode(w.list(w.float64), null).length, 0);
  eq(JSON.stringify(w.decode(w.record(w.float64), null)), '{}');
  eq(JSON.stringify(w.decode(w.record(w.float64), { a: null })), '{"a":0}');
  eq(JSON.stringify(w.decode(w.record(w.nullable(w.float64)), { a: null })), '{"a":null}');
  eq(w.decode(w.list(w.float64, 2), [1, 2]).length, 2);
  throws(() => w.decode(w.list(w.float64, 2), [1, 2, 3], 'v'), RangeError, /^v: expected a list of 2, got 3 elements$/);
  throws(() => w.decode(w.list(w.float64, 2), null, 'v'), TypeError, /expected a list of 2/);
  throws(() => w.decode(w.list(w.float64), [1, null], 'v'), TypeError, /^v\[1\]: expected a number, got null$/);
  eq(JSON.stringify(w.decode(w.record(w.float64), new Map([['a', 1]]))), '{"a":1}');
  throws(() => w.decode(w.record(w.float64), new Map([[1, 1]]), 'm'), TypeError, /a dictionary key is the number 1/);
});

test('record: a "__proto__" key is an own property, not the prototype', () => {
  const r = w.decode(w.record(w.float64), JSON.parse('{"__proto__": 5}'));
  eq(Object.getPrototypeOf(r), Object.prototype);
  eq(Object.keys(r).join(), '__proto__');
  eq(r['__proto__'], 5);
});

test(`depth: ${w.MAX_DEPTH} levels of nesting pass, one more is a RangeError (decode, encode, any)`, () => {
  const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
  let s: w.Schema<any> = w.float64;
  for (let i = 0; i < w.MAX_DEPTH + 1; i++) s = w.list(s);
  throws(() => w.decode(s, deep(w.MAX_DEPTH + 1)), RangeError, /nested deeper than 100 levels/);
  throws(() => w.encode(s, deep(w.MAX_DEPTH + 1)), RangeError, /nested deeper than 100 levels/);
  w.decode(w.any, deep(w.MAX_DEPTH - 1));
  throws(() => w.decode(w.any, deep(w.MAX_DEPTH + 1)), RangeError, /nested deeper/);
  // A recursive struct cannot be made to recurse without bound either.
  let v: unknown = { name: 'end' };
  for (let i = 0; i < 200; i++) v = { name: 'n', next: v };
  throws(() => w.decode(NodeSchema, v), RangeError, /nested deeper/);
});

test('decodeKeywords is strict as Go: unknown key, missing and null required fields', () => {
  interface R { value: number; places: number; note?: string; p: number | null }
  const R = w.struct<R>('R', () => [
    { name: 'value', schema: w.float64 }, { name: 'places', schema: w.int(64, true) },
    { name: 'note', schema: w.string, omitempty: true }, { name: 'p', schema: w.nullable(w.float64) },
  ]);
  eq(JSON.stringify(w.decodeKeywords(R, { value: 1, places: 2 })), '{"value":1,"places":2,"p":null}');
  throws(() => w.decodeKeywords(R, { value: 1, places: 2, x: 1 }), TypeError, /keyword arguments\.x: no such field/);
  throws(() => w.decodeKeywords(R, { value: 1 }), TypeError, /keyword arguments\.places: missing/);
  throws(() => w.decodeKeywords(R, { value: null, places: 1 }), TypeError, /keyword arguments\.value: null/);
});

// ---------------------------------------------------------------- errors

class DivByZeroError extends w.WampError {
  static readonly uri = 'com.example.calc.error.div_by_zero';
  constructor(message = 'division by zero') { super(DivByZeroError.uri, message); }
  static fromWire(args: unknown[]): DivByZeroError { return new DivByZeroError(w.messageOf(args)); }
}
interface NegFields { input: number }
const NegFieldsSchema = w.struct<NegFields>('NegativeInputError', () => [{ name: 'input', schema: w.float64 }]);
class NegativeInputError extends w.WampError {
  static readonly uri = 'com.example.calc.error.negative_input';
  input: number;
  constructor(fields: NegFields, message?: string) {
    super(NegativeInputError.uri, message ?? `square root of negative input ${fields.input}`, w.encode(NegFieldsSchema, fields) as Record<string, unknown>);
    this.input = fields.input;
  }
  static fromWire(args: unknown[], kwargs: Record<string, unknown>): NegativeInputError {
    return new NegativeInputError(w.errorFields(NegFieldsSchema, kwargs), w.messageOf(args));
  }
}
const errors = new w.ErrorRegistry([DivByZeroError, NegativeInputError]);

test('ErrorRegistry: a known URI becomes its class (fields decoded), an unknown one a WampError, a bad payload a WampError saying why', () => {
  const e = errors.fromWire(DivByZeroError.uri, ['division by zero'], {});
  eq(e instanceof DivByZeroError && e instanceof w.WampError && e instanceof Error, true);
  eq(e.message, 'division by zero');
  const n = errors.fromWire(NegativeInputError.uri, ['square root of negative input -4'], { input: -4 });
  eq(n instanceof NegativeInputError && (n as NegativeInputError).input === -4, true);
  const u = errors.fromWire('x.y', ['m'], {});
  eq(u.constructor === w.WampError && u.uri === 'x.y' && u.message === 'm', true);
  const bad = errors.fromWire(NegativeInputError.uri, ['m'], { input: 'x' });
  eq(bad.constructor === w.WampError && /does not fit/.test(bad.message), true);
  eq(new NegativeInputError({ input: -1 }).name, 'NegativeInputError');
  throws(() => new w.ErrorRegistry([DivByZeroError, { uri: DivByZeroError.uri, fromWire: DivByZeroError.fromWire }]), Error, /two error classes/);
});

test('two copies of the module: instanceof WampError holds across them, and a call maps another copy\'s error to its class', async () => {
  const e = new other.WampError('com.example.calc.error.div_by_zero', 'division by zero');
  eq(e instanceof w.WampError && w.isWampError(e) && !(e instanceof w.BadResultError), true);
  eq(new w.WampError('x') instanceof other.WampError, true);
  eq(({ uri: 'x' }) instanceof w.WampError, false);
  eq(new DivByZeroError() instanceof NegativeInputError, false);
  const peer: w.Peer = {
    call: async () => { throw e; },
    register: async () => ({ unregister: async () => {} }),
    publish: async () => {},
    subscribe: async () => ({ unsubscribe: async () => {} }),
  };
  await rejects(w.call(peer, { uri: 'p.div', args: [], result: w.float64 }, [], undefined, errors), DivByZeroError, /^division by zero$/);
});

// ---------------------------------------------------------------- calls through a fake peer

type Answer = (args: unknown[], kwargs: Record<string, unknown> | undefined, o: w.PeerCallOptions) => Promise<w.PeerResult>;

// fakePeer answers calls with answer and records what was sent; register
// serves handlers locally (invoke), failing for the URIs in refuse.
function fakePeer(answer: Answer, refuse: string[] = []) {
  const sent: { uri: string; args: unknown[]; kwargs?: Record<string, unknown>; options: w.PeerCallOptions }[] = [];
  const registered = new Map<string, w.PeerHandler>();
  const unregistered: string[] = [];
  const published: unknown[] = [];
  const subs: w.PeerEventHandler[] = [];
  const peer: w.Peer = {
    async call(uri, args, kwargs, options) {
      sent.push({ uri, args, kwargs, options });
      return answer(args, kwargs, options);
    },
    async register(uri, handler) {
      if (refuse.includes(uri)) throw new w.WampError('wamp.error.procedure_already_exists', uri);
      registered.set(uri, handler);
      return { unregister: async () => { registered.delete(uri); unregistered.push(uri); } };
    },
    async publish(uri, args, kwargs, options) { published.push({ uri, args, kwargs, options }); },
    async subscribe(_uri, handler) { subs.push(handler); return { unsubscribe: async () => {} }; },
  };
  const invoke = (uri: string, args: unknown[], kwargs: Record<string, unknown> = {}, progress?: unknown[][]) => {
    const h = registered.get(uri);
    if (!h) throw new Error(`not registered: ${uri}`);
    const d: w.PeerInvocationDetails = { signal: new AbortController().signal, procedure: uri, caller: 7 };
    if (progress) d.progress = (a) => { progress.push(a); };
    return h(args, kwargs, d);
  };
  return { peer, sent, registered, unregistered, published, subs, invoke };
}

const Add: w.ProcedureSpec = { uri: 'p.add', args: [w.float64, w.float64], result: w.float64 };
const Fib: w.ProcedureSpec = { uri: 'p.fib', args: [w.int(64, true)], progress: w.int64, result: w.int64 };
const Round: w.ProcedureSpec = {
  uri: 'p.round',
  kwargs: w.struct('RoundRequest', () => [{ name: 'value', schema: w.float64 }, { name: 'places', schema: w.int(64, true) }]),
  result: w.float64,
};
const None: w.ProcedureSpec = { uri: 'p.none' };
const Stream: w.ProcedureSpec = { uri: 'p.stream', args: [], stream: w.int(32, true) };
const Who: w.ProcedureSpec = { uri: 'p.who', result: w.uint64, discloseCaller: true };

const ok = (args: unknown[], kwargs: Record<string, unknown> = {}): Promise<w.PeerResult> => Promise.resolve({ args, kwargs });

test('call: positional arguments encoded, the single result decoded; a kwargs procedure sends ArgumentsKw only', async () => {
  const f = fakePeer(async (a) => ok([(a[0] as number) + (a[1] as number)]));
  eq(await w.call<number>(f.peer, Add, [2, 3], undefined, errors), 5);
  const g = fakePeer(async () => ok([3.14]));
  eq(await w.call<number>(g.peer, Round, [{ value: 3.14159, places: 2 }], undefined, errors), 3.14);
  eq(JSON.stringify([g.sent[0].args, g.sent[0].kwargs]), '[[],{"value":3.14159,"places":2}]');
  const h = fakePeer(async () => ok([5n]));
  eq(await w.call<bigint>(h.peer, Who, [], undefined, errors), 5n);
  eq(h.sent[0].options.discloseMe, true);
});

test('call: arguments that do not fit reject before anything is sent', async () => {
  const f = fakePeer(async () => ok([1]));
  await rejects(w.call(f.peer, Add, ['two', 3], undefined, errors), TypeError, /^argument 1: expected a number, got a string$/);
  await rejects(w.call(f.peer, Add, [1], undefined, errors), TypeError, /takes 2 arguments, got 1/);
  eq(f.sent.length, 0);
});

test('call: a result of the wrong count or type rejects with BadResultError; an ERROR as its class', async () => {
  await rejects(w.call(fakePeer(async () => ok([1, 2])).peer, Add, [1, 1], undefined, errors), w.BadResultError, /^p\.add: result: want 1 value, got 2$/);
  await rejects(w.call(fakePeer(async () => ok(['x'])).peer, Add, [1, 1], undefined, errors), w.BadResultError, /^p\.add: result: expected a number/);
  await rejects(w.call(fakePeer(async () => ok([1])).peer, None, [], undefined, errors), w.BadResultError, /want no values, got 1/);
  eq(await w.call(fakePeer(async () => ok([])).peer, None, [], undefined, errors), undefined);
  const e = await rejects(w.call(fakePeer(async () => { throw new w.WampError(NegativeInputError.uri, 'neg', { input: -4 }); }).peer, Add, [1, 1], undefined, errors), NegativeInputError);
  eq((e as NegativeInputError).input, -4);
});

test('call: progressive results decoded to onProgress, in order; a bad one cancels the call with BadResultError', async () => {
  const got: bigint[] = [];
  const f = fakePeer(async (_a, _k, o) => {
    for (const v of [1, 1, 2]) o.onProgress!([v], {});
    return ok([3]);
  });
  eq(await w.call<bigint>(f.peer, Fib, [4], { onProgress: (v: bigint) => got.push(v) }, errors), 3n);
  eq(got.join(' '), '1 1 2');
  let aborted = false;
  const g = fakePeer((_a, _k, o) => new Promise((_, reject) => {
    o.signal!.addEventListener('abort', () => { aborted = true; reject(new w.WampError(w.ErrCanceled)); });
    o.onProgress!(['x'], {});
  }));
  await rejects(w.call(g.peer, Fib, [4], { onProgress: () => {} }, errors), w.BadResultError, /progressive result: expected an integer/);
  eq(aborted, true);
  // Without onProgress nothing is asked for.
  const h = fakePeer(async () => ok([3]));
  await w.call(h.peer, Fib, [4], undefined, errors);
  eq(h.sent[0].options.onProgress, undefined);
});

test('call: an onProgress that throws cancels the call, which rejects with its error', async () => {
  let aborted = false;
  const f = fakePeer((_a, _k, o) => new Promise((_, reject) => {
    o.signal!.addEventListener('abort', () => { aborted = true; reject(new w.WampError(w.ErrCanceled)); });
    setTimeout(() => o.onProgress!([1], {}), 5); // from the library's message handling, later
  }));
  await rejects(w.call(f.peer, Fib, [4], { onProgress: () => { throw new SyntaxError('the UI broke'); } }, errors), SyntaxError, /^the UI broke$/);
  eq(aborted, true);
});

test('call: an AbortSignal rejects at once with wamp.error.canceled and cancels through the peer (mode kill)', async () => {
  let cancelled = '';
  const f = fakePeer((_a, _k, o) => new Promise((_, reject) => {
    o.signal!.addEventListener('abort', () => {
      cancelled = o.cancelMode!;
      setTimeout(() => reject(new w.WampError(w.ErrCanceled, 'late')), 50); // the late ERROR is ignored
    });
  }));
  const ctl = new AbortController();
  const p = w.call(f.peer, Add, [1, 1], { signal: ctl.signal }, errors);
  ctl.abort();
  const e = await rejects(p, w.WampError);
  eq((e as w.WampError).uri, w.ErrCanceled);
  eq(cancelled, 'kill');
  await new Promise((r) => setTimeout(r, 80));
  const pre = new AbortController();
  pre.abort();
  const g = fakePeer(async () => ok([1]));
  eq(((await rejects(w.call(g.peer, Add, [1, 1], { signal: pre.signal }, errors), w.WampError)) as w.WampError).uri, w.ErrCanceled);
  eq(g.sent.length, 0);
});

test('call: timeout travels as CALL.Options.timeout and rejects with wamp.error.timeout locally too', async () => {
  const f = fakePeer(() => new Promise(() => {}));
  const e = await rejects(w.call(f.peer, Add, [1, 1], { timeout: 30 }, errors), w.WampError);
  eq((e as w.WampError).uri, w.ErrTimeout);
  eq(f.sent[0].options.timeout, 30);
  await rejects(w.call(f.peer, Add, [1, 1], { timeout: -1 }, errors), RangeError, /timeout/);
  // Beyond 2^31 − 1 ms: not sent (as Go), and no timer that fires at once.
  const ctl = new AbortController();
  const long = w.call(f.peer, Add, [1, 1], { timeout: 3e9, signal: ctl.signal }, errors);
  await new Promise((r) => setTimeout(r, 50));
  eq(f.sent[f.sent.length - 1].options.timeout, undefined);
  ctl.abort();
  eq(((await rejects(long, w.WampError)) as w.WampError).uri, w.ErrCanceled);
});

test('call: options.uri for a pattern procedure must match it', async () => {
  const P: w.ProcedureSpec = { uri: 'p.ops.', match: 'prefix', args: [], result: w.float64 };
  const f = fakePeer(async () => ok([1]));
  await w.call(f.peer, P, [], { uri: 'p.ops.add' }, errors);
  eq(f.sent[0].uri, 'p.ops.add');
  await rejects(w.call(f.peer, P, [], { uri: 'q.add' }, errors), w.WampError, /not matched by the procedure's pattern/);
  await rejects(w.call(f.peer, Add, [1, 1], { uri: 'p.other' }, errors), w.WampError, /not a pattern/);
  const W: w.ProcedureSpec = { uri: 'p..get', match: 'wildcard', args: [] };
  await w.call(f.peer, W, [], { uri: 'p.x.get' }, errors).catch(() => {});
  eq(f.sent[1].uri, 'p.x.get');
});

test('callStream: progressive results, then the final result\'s items; leaving early cancels', async () => {
  const f = fakePeer(async (_a, _k, o) => {
    for (const v of [1, 2, 3]) o.onProgress!([v], {});
    return ok([]);
  });
  const got: number[] = [];
  for await (const v of w.callStream<number>(f.peer, Stream, [], undefined, errors)) got.push(v);
  eq(got.join(' '), '1 2 3');
  const g = fakePeer(async () => ok([4, 5])); // a callee that sent every item at the end
  const got2: number[] = [];
  for await (const v of w.callStream<number>(g.peer, Stream, [], undefined, errors)) got2.push(v);
  eq(got2.join(' '), '4 5');
  let aborted = false;
  const h = fakePeer((_a, _k, o) => new Promise((_, reject) => {
    o.onProgress!([1], {});
    o.signal!.addEventListener('abort', () => { aborted = true; reject(new w.WampError(w.ErrCanceled)); });
  }));
  for await (const v of w.callStream<number>(h.peer, Stream, [], undefined, errors)) {
    eq(v, 1);
    break;
  }
  eq(aborted, true);
  const bad = fakePeer(async () => { throw new w.WampError(DivByZeroError.uri, 'division by zero'); });
  const it = w.callStream<number>(bad.peer, Stream, [], undefined, errors)[Symbol.asyncIterator]();
  await rejects(it.next(), DivByZeroError);
});

test('register: all or none; handlers decode, answer invalid_argument, pass WampErrors, redact other errors', async () => {
  const f = fakePeer(async () => ok([]), ['p.fib']);
  await rejects(w.register(f.peer, [w.handle(Add, (a) => a[0] + a[1]), w.handle(Fib, () => 1n)]), w.WampError, /^p\.fib$/);
  eq(f.unregistered.join(), 'p.add');
  eq(f.registered.size, 0);

  const reported: string[] = [];
  const g = fakePeer(async () => ok([]));
  const regs = await w.register(g.peer, [
    w.handle(Add, (a) => {
      if (a[1] === 0) throw new DivByZeroError();
      if (a[1] === 13) throw new Error('secret: db password');
      return a[0] + a[1];
    }),
    w.handle(Round, (a) => Math.round(a[0].value)),
    w.handle(Fib, (a, inv) => { for (let i = 0; i < a[0]; i++) inv.progress(BigInt(i)); return 2n ** 62n; }),
    w.handle(Stream, function* () { yield 1; yield 2; }),
    w.handle(Who, (_a, inv) => BigInt(inv.caller!)),
  ], { onError: (e, info) => reported.push(`${(e as Error).message} ${info.procedure} ${info.incident}`) });
  eq(JSON.stringify(await g.invoke('p.add', [2, 3])), '{"args":[5],"kwargs":{}}');
  const inv = await rejects(g.invoke('p.add', ['two', 3]), w.WampError);
  eq((inv as w.WampError).uri, w.ErrInvalidArgument);
  eq((inv as w.WampError).message, 'p.add: argument 1: expected a number, got a string');
  eq(((await rejects(g.invoke('p.add', [1]), w.WampError)) as w.WampError).message, 'p.add takes 2 arguments, got 1');
  eq(((await rejects(g.invoke('p.round', [1], {}), w.WampError)) as w.WampError).message, 'p.round takes keyword arguments only, got 1 positional argument');
  eq(((await rejects(g.invoke('p.round', [], { value: 1, places: 1, x: 2 }), w.WampError)) as w.WampError).uri, w.ErrInvalidArgument);
  eq(JSON.stringify(await g.invoke('p.round', [], { value: 2.4, places: 0 })), '{"args":[2],"kwargs":{}}');
  const dz = await rejects(g.invoke('p.add', [1, 0]), DivByZeroError);
  eq((dz as w.WampError).uri, DivByZeroError.uri);
  const rt = (await rejects(g.invoke('p.add', [1, 13]), w.WampError)) as w.WampError;
  eq(rt.uri, w.ErrRuntime);
  if (/secret/.test(rt.message) || !/^p\.add failed; incident [0-9a-f]{8} in the callee's log$/.test(rt.message)) fail(`runtime error text ${rt.message}`);
  eq(reported.length === 1 && reported[0].startsWith('secret: db password p.add ') && reported[0].endsWith(rt.message.split(' ')[3]), true);
  const progress: unknown[][] = [];
  eq(JSON.stringify(await g.invoke('p.fib', [3], {}, progress), (_, v) => (typeof v === 'bigint' ? `${v}n` : v)), '{"args":["4611686018427387904n"],"kwargs":{}}');
  eq(JSON.stringify(progress, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)), '[["0n"],["1n"],["2n"]]');
  // Without receive_progress inv.progress sends nothing (as Go's ProgressSender).
  eq(JSON.stringify(await g.invoke('p.fib', [3]), (_, v) => (typeof v === 'bigint' ? `${v}n` : v)), '{"args":["4611686018427387904n"],"kwargs":{}}');
  // A stream: every item in the final result without progress, each as a progressive result with.
  eq(JSON.stringify(await g.invoke('p.stream', [])), '{"args":[1,2],"kwargs":{}}');
  const sp: unknown[][] = [];
  eq(JSON.stringify(await g.invoke('p.stream', [], {}, sp)), '{"args":[],"kwargs":{}}');
  eq(JSON.stringify(sp), '[[1],[2]]');
  eq(JSON.stringify(await g.invoke('p.who', []), (_, v) => (typeof v === 'bigint' ? `${v}n` : v)), '{"args":["7n"],"kwargs":{}}');
  await regs.unregister();
  eq(g.registered.size, 0);
});

test('register: a handler ending with its call\'s cancellation answers wamp.error.canceled', async () => {
  const g = fakePeer(async () => ok([]));
  await w.register(g.peer, [w.handle(Add, (_a, inv) => new Promise((_, reject) => {
    inv.signal.addEventListener('abort', () => reject(inv.signal.reason));
  }))]);
  const ctl = new AbortController();
  const p = g.registered.get('p.add')!([1, 2], {}, { signal: ctl.signal, procedure: 'p.add' });
  ctl.abort();
  const e = (await rejects(p, w.WampError)) as w.WampError;
  eq(e.uri, w.ErrCanceled);
});

test('register: a result that does not fit its type is a runtime error (redacted), not a crash', async () => {
  const g = fakePeer(async () => ok([]));
  await w.register(g.peer, [w.handle(Add, () => 'five')], { errorText: w.exposeErrorText });
  const e = (await rejects(g.invoke('p.add', [1, 2]), w.WampError)) as w.WampError;
  eq(e.uri, w.ErrRuntime);
  eq(e.message, 'result: expected a number, got a string');
});

test('register: a result the peer cannot send (checkWire) is the registrar\'s runtime error, reported to onError', async () => {
  const g = fakePeer(async () => ok([]));
  g.peer.checkWire = (v, path) => {
    if (typeof v === 'bigint' && v > 2n ** 53n) throw new RangeError(`${path}: the integer ${v} is beyond 2^53`);
  };
  const reported: string[] = [];
  await w.register(g.peer, [w.handle(Fib, () => 2n ** 60n)], { onError: (e) => reported.push(`${e instanceof RangeError} ${(e as Error).message}`) });
  const e = (await rejects(g.invoke('p.fib', [3]), w.WampError)) as w.WampError;
  eq(e.uri, w.ErrRuntime);
  eq(reported.join(), 'true result: the integer 1152921504606846976 is beyond 2^53');
});

test('results: a procedure with several results sends and receives them as a tuple', async () => {
  const DivMod: w.ProcedureSpec = { uri: 'p.divmod', args: [w.int(64, true), w.int(64, true)], results: [w.int(64, true), w.int(64, true)] };
  const f = fakePeer(async (a) => ok([Math.floor((a[0] as number) / (a[1] as number)), (a[0] as number) % (a[1] as number)]));
  eq(JSON.stringify(await w.call<[number, number]>(f.peer, DivMod, [7, 2], undefined, errors)), '[3,1]');
  await rejects(w.call(fakePeer(async () => ok([3])).peer, DivMod, [7, 2], undefined, errors), w.BadResultError, /want 2 values, got 1/);
  await rejects(w.call(fakePeer(async () => ok([3, 'x'])).peer, DivMod, [7, 2], undefined, errors), w.BadResultError, /result 2: expected an integer/);
  const g = fakePeer(async () => ok([]));
  await w.register(g.peer, [w.handle(DivMod, (a) => [Math.floor(a[0] / a[1]), a[0] % a[1]])], { errorText: w.exposeErrorText });
  eq(JSON.stringify(await g.invoke('p.divmod', [7, 2])), '{"args":[3,1],"kwargs":{}}');
  const h = fakePeer(async () => ok([]));
  await w.register(h.peer, [w.handle(DivMod, () => 3)], { errorText: w.exposeErrorText });
  eq(((await rejects(h.invoke('p.divmod', [7, 2]), w.WampError)) as w.WampError).message, 'result: expected a tuple of 2 values, got the number 3');
});

test('cancel: the spec\'s cancel mode is the default, CallOptions.cancelMode overrides it', async () => {
  const modes: string[] = [];
  const f = fakePeer((_a, _k, o) => new Promise((_, reject) => {
    o.signal!.addEventListener('abort', () => { modes.push(o.cancelMode!); reject(new w.WampError(w.ErrCanceled)); });
  }));
  const Skip: w.ProcedureSpec = { ...Add, cancel: 'skip' };
  for (const o of [{}, { cancelMode: 'killnowait' as const }]) {
    const ctl = new AbortController();
    const p = w.call(f.peer, Skip, [1, 1], { ...o, signal: ctl.signal }, errors);
    ctl.abort();
    await rejects(p, w.WampError);
  }
  eq(modes.join(), 'skip,killnowait');
});

test('publish to a pattern topic: options.uri, checked against the pattern; subscribeAll is all or none', async () => {
  const T: w.TopicSpec = { uri: 't.ops.', match: 'prefix', args: [w.string] };
  const f = fakePeer(async () => ok([]));
  await w.publish(f.peer, T, ['x'], { uri: 't.ops.add' });
  await w.publish(f.peer, T, ['y']);
  await rejects(w.publish(f.peer, T, ['z'], { uri: 'u.add' }), w.WampError, /not matched by the topic's pattern t\.ops\./);
  eq(JSON.stringify(f.published.map((p) => (p as { uri: string }).uri)), '["t.ops.add","t.ops."]');
  let unsubscribed = 0;
  let n = 0;
  const peer: w.Peer = {
    ...f.peer,
    async subscribe() {
      if (++n === 2) throw new w.WampError('wamp.error.not_authorized');
      return { unsubscribe: async () => { unsubscribed++; } };
    },
  };
  const h: w.EventHandler = { spec: T, fn: () => {} };
  await rejects(w.subscribeAll(peer, [h, h, h]), w.WampError, /not_authorized/);
  eq(unsubscribed, 1);
  n = 10;
  const subs = await w.subscribeAll(peer, [h, h]);
  await subs.unsubscribe();
  eq(unsubscribed, 3);
});

test('publish and subscribe: encoded, decoded; a bad event is refused and reported', async () => {
  interface C { op: string; args: number[]; result: number }
  const CS = w.struct<C>('Computation', () => [
    { name: 'op', schema: w.string }, { name: 'args', schema: w.list(w.float64) }, { name: 'result', schema: w.float64 },
  ]);
  const T: w.TopicSpec = { uri: 't.computed', args: [CS] };
  const f = fakePeer(async () => ok([]));
  await w.publish(f.peer, T, [{ op: 'add', args: [1, 2], result: 3 }], { acknowledge: true });
  eq(JSON.stringify(f.published), '[{"uri":"t.computed","args":[{"op":"add","args":[1,2],"result":3}],"options":{"acknowledge":true}}]');
  await rejects(w.publish(f.peer, T, [{ op: 1 }]), TypeError, /argument 1\.op: expected a string/);
  const got: string[] = [];
  const errs: string[] = [];
  await w.subscribe(f.peer, T, (a, ev) => { got.push(`${a[0].op} ${a[0].args.length} ${ev.topic}`); }, { onError: (e) => errs.push((e as Error).message) });
  await f.subs[0]([{ op: 'div', result: 2 }], {}, { topic: 't.computed', publication: 1 });
  await f.subs[0]([{ op: 5 }], {}, { topic: 't.computed' });
  await f.subs[0]([], {}, { topic: 't.computed' });
  eq(got.join(';'), 'div 0 t.computed');
  eq(errs.join(';'), 't.computed: argument 1.op: expected a string, got the number 5;t.computed: takes 1 arguments, got 0');
});

// ---------------------------------------------------------------- adapters, against fake libraries

// fakeWampy records what wampyPeer hands Wampy.js and answers with reply.
function fakeWampy(protocol: string, reply: (payload: w.WampyPayloadLike | undefined, o: any) => Promise<w.WampyPayloadLike | undefined>) {
  const calls: { uri: string; payload: w.WampyPayloadLike | undefined; options: any }[] = [];
  const rpcs = new Map<string, (o: w.WampyInvocationLike) => Promise<w.WampyPayloadLike | undefined>>();
  const wampy: w.WampyLike = {
    call(uri, payload, options) { calls.push({ uri, payload, options }); return reply(payload, options); },
    cancel() { return true; },
    getOpStatus: () => ({ reqId: 1 }),
    async register(uri, rpc) { rpcs.set(uri, rpc); },
    async unregister() {},
    async publish() {},
    async subscribe() { return { subscriptionId: 1 }; },
    async unsubscribe() {},
    getOptions: () => ({ serializer: { protocol } }),
  };
  return { wampy, calls, rpcs };
}

test('wampyPeer over JSON: bytes as NUL + base64 both ways, safe bigints as numbers, others and NaN refused', async () => {
  const f = fakeWampy('json', async () => ({ argsList: ['\u0000AAH/', '\u0000!!', 'plain', 5], argsDict: { b: '\u0000/w==' } }));
  const peer = w.wampyPeer(f.wampy);
  const r = await peer.call('p', [new Uint8Array([0, 1, 255]), 7n, { x: [new Uint8Array([1])] }], undefined, {});
  eq(JSON.stringify(f.calls[0].payload), '{"argsList":["\\u0000AAH/",7,{"x":["\\u0000AQ=="]}]}');
  eq(r.args[0] instanceof Uint8Array && Buffer.from(r.args[0] as Uint8Array).toString('hex'), '0001ff');
  eq(r.args[1], '\u0000!!'); // not base64: stays a string, as in the Go runtime
  eq(r.args[2], 'plain');
  eq(Buffer.from(r.kwargs.b as Uint8Array).toString('hex'), 'ff');
  await rejects(Promise.resolve().then(() => peer.call('p', [2n ** 60n], undefined, {})), RangeError, /the integer 1152921504606846976 is beyond 2\^53, which this client's json serializer cannot send exactly/);
  await rejects(Promise.resolve().then(() => peer.call('p', [NaN], undefined, {})), RangeError, /NaN cannot travel in JSON/);
  // Through the generated code's call, the error names the argument, before anything is sent.
  const n = f.calls.length;
  await rejects(w.call(peer, Add, [1, Infinity], undefined, errors), RangeError, /^argument 2: Infinity cannot travel in JSON$/);
  await rejects(w.publish(peer, { uri: 't', args: [w.record(w.int64)] }, [{ big: 2n ** 60n }]), RangeError, /^argument 1\.big: the integer 1152921504606846976 is beyond 2\^53/);
  eq(f.calls.length, n);
  throws(() => peer.checkWire!({ a: [2n ** 60n] }, 'result'), RangeError, /^result\.a\[0\]: the integer/);
});

test('wampyPeer over CBOR: bytes as a Buffer (not a typed array), bigints beyond 2^53 as they are; errors and progress converted', async () => {
  const f = fakeWampy('cbor', async (_p, o) => {
    o.progress_callback({ argsList: [1] });
    throw { errorUri: 'x.err', argsList: ['boom'], argsDict: { n: 1 } };
  });
  const peer = w.wampyPeer(f.wampy);
  const progress: unknown[] = [];
  const e = (await rejects(peer.call('p', [new Uint8Array([1]), 2n ** 60n], undefined, { onProgress: (a) => progress.push(a[0]) }), w.WampError)) as w.WampError;
  const sent = f.calls[0].payload!.argsList!;
  eq(Buffer.isBuffer(sent[0]), true);
  eq(sent[1], 2n ** 60n);
  eq(f.calls[0].options.progress_callback !== undefined, true);
  eq(`${e.uri} ${e.message} ${JSON.stringify(e.kwargs)} ${progress.join()}`, 'x.err boom {"n":1} 1');
  throws(() => w.wampyPeer({ ...f.wampy, getOptions: () => ({}) }), Error, /the serializer is unknown: pass options\.serializer/);
});

test('wampyPeer as a callee: results, WampErrors and other errors as Wampy.js sends them', async () => {
  const f = fakeWampy('json', async () => undefined);
  const peer = w.wampyPeer(f.wampy);
  await peer.register('p.x', async (args) => {
    if (args[0] === 'fail') throw new w.WampError('x.err', 'no', { k: new Uint8Array([2]) });
    if (args[0] === 'crash') throw new Error('secret');
    if (args[0] === 'none') return { args: [], kwargs: {} };
    return { args: [args[0], new Uint8Array([9])], kwargs: {} };
  }, {});
  const rpc = f.rpcs.get('p.x')!;
  const inv = (a: unknown[]) => rpc({ argsList: a, details: { caller: 5n }, result_handler: () => {} });
  eq(JSON.stringify(await inv(['\u0000AQ=='])), '{"argsList":["\\u0000AQ==","\\u0000CQ=="]}');
  eq(await inv(['none']), undefined);
  let thrown: any;
  await inv(['fail']).catch((e) => { thrown = e; });
  eq(JSON.stringify(thrown), '{"error":"x.err","argsList":["no"],"argsDict":{"k":"\\u0000Ag=="}}');
  await inv(['crash']).catch((e) => { thrown = e; });
  eq(thrown.error, w.ErrRuntime);
  if (!/^p\.x failed; incident [0-9a-f]{8} in the callee's log$/.test(thrown.argsList[0])) fail(`runtime error ${JSON.stringify(thrown)}`);
});

test('autobahnPeer: needs the autobahn module; unwraps Result, answers with Result and Error; CBOR bytes as Buffer', async () => {
  class AbError {
    error: string;
    args: unknown[];
    kwargs: object;
    constructor(error: string, args: unknown[] = [], kwargs: object = {}) {
      this.error = error;
      this.args = args;
      this.kwargs = kwargs;
    }
  }
  class AbResult {
    args: unknown[];
    kwargs: object;
    constructor(args: unknown[] = [], kwargs: object = {}) {
      this.args = args;
      this.kwargs = kwargs;
    }
  }
  const autobahn = { Error: AbError, Result: AbResult };
  let endpoint: any;
  let sent: unknown[] = [];
  const session: w.AutobahnSessionLike = {
    call(_uri, args) {
      sent = args ?? [];
      const p: any = Promise.resolve(new AbResult([1, 2], { k: 3 }));
      p.cancel = () => {};
      return p;
    },
    register(_uri, ep) { endpoint = ep; return Promise.resolve({}); },
    unregister: () => Promise.resolve(),
    publish: () => undefined,
    subscribe: () => Promise.resolve({}),
    unsubscribe: () => Promise.resolve(),
  };
  throws(() => w.autobahnPeer(session, {} as w.AutobahnPeerOptions), TypeError, /needs options\.autobahn/);
  throws(() => w.autobahnPeer(session, { autobahn }), Error, /the serializer is unknown/);
  const peer = w.autobahnPeer(session, { autobahn, serializer: 'cbor' });
  const r = await peer.call('p', [new Uint8Array([1])], undefined, {});
  eq(Buffer.isBuffer(sent[0]), true);
  eq(JSON.stringify(r), '{"args":[1,2],"kwargs":{"k":3}}');
  await peer.register('p.x', async (args, _kw, d) => {
    if (args[0] === 1) throw new w.WampError('x.err', 'no');
    if (args[0] === 2) throw new Error('secret');
    return { args: [d.caller], kwargs: {} };
  }, {});
  const res = await endpoint([0], {}, { caller: 7n });
  eq(res instanceof AbResult && JSON.stringify(res), '{"args":[7],"kwargs":{}}');
  const e1 = await endpoint([1], {}, {}).catch((e: unknown) => e);
  eq(e1 instanceof AbError && `${e1.error} ${JSON.stringify(e1.args)}`, 'x.err ["no"]');
  const e2 = await endpoint([2], {}, {}).catch((e: unknown) => e);
  eq(e2 instanceof AbError && e2.error, w.ErrRuntime);
  eq(/secret/.test(JSON.stringify(e2)), false);
});

await runChecks(checks, emit);
