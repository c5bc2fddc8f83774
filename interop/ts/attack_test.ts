// attack_test.ts: what a hostile peer sends and a careless caller passes,
// against the support module (templates/wampgen.ts) in Node.js, without a
// router: names an object inherits (constructor, toString, __proto__) as
// struct fields, values no serializer carries alike, late progressive
// results, a signal aborted before the call, errors that are not Errors.
// TestTSAttack (ts_attack_test.go) bundles and runs it; it prints one JSON
// line per check ({check, ok, error}) and {done: true}.

import * as w from '../../templates/wampgen.js';
import { emit, eq, throws, rejects, runChecks } from './harness.js';

const checks: [string, () => unknown][] = [];
const test = (name: string, fn: () => unknown) => checks.push([name, fn]);
const errors = new w.ErrorRegistry([]);

// A struct whose fields are named as what every object inherits.
const Inherited = w.struct<Record<string, unknown>>('Inherited', () => [
  { name: 'constructor', schema: w.string, omitempty: true },
  { name: 'toString', schema: w.any, omitempty: true },
  { name: 'valueOf', schema: w.nullable(w.string) },
  { name: '__proto__', schema: w.string, omitempty: true },
  { name: 'hasOwnProperty', schema: w.any },
]);

test('struct encode: optional fields named constructor, toString, valueOf, __proto__ are absent when the value does not have them as its own', () => {
  eq(JSON.stringify(w.encode(Inherited, {})), '{"valueOf":null,"hasOwnProperty":null}');
  const v: Record<string, unknown> = { constructor: 'c' };
  Object.defineProperty(v, '__proto__', { value: 'p', enumerable: true });
  const out = w.encode(Inherited, v) as Record<string, unknown>;
  eq(Object.keys(out).join(), 'constructor,valueOf,__proto__,hasOwnProperty');
  eq(out['constructor'] as unknown, 'c');
  eq(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, 'p');
});

test('struct omitempty: a nested struct whose fields are named as inherited members is empty when it has none of them', () => {
  const Outer = w.struct('Outer', () => [{ name: 'in', schema: Inherited, omitempty: true }]);
  eq(JSON.stringify(w.encode(Outer, { in: {} })), '{}');
});

test('struct decode: an inherited name is never read from the prototype; a "__proto__" key is an own property', () => {
  const v = w.decode(Inherited, JSON.parse('{"__proto__": "x", "constructor": "y"}')) as Record<string, unknown>;
  eq(Object.getPrototypeOf(v), Object.prototype);
  eq(Object.getOwnPropertyDescriptor(v, '__proto__')?.value, 'x');
  eq(v['constructor'] as unknown, 'y');
  const e = w.decode(Inherited, {}) as Record<string, unknown>;
  eq(Object.prototype.hasOwnProperty.call(e, 'constructor'), false);
  eq(({} as Record<string, unknown>).x, undefined);
});

test('any: encoding refuses what no serializer carries alike (functions, symbols, undefined in a list, a Date, a class instance)', () => {
  throws(() => w.encode(w.any, (() => 1) as unknown, 'v'), TypeError, /^v: /);
  throws(() => w.encode(w.any, Symbol('s') as unknown, 'v'), TypeError, /^v: /);
  throws(() => w.encode(w.any, [1, undefined], 'v'), TypeError, /^v\[1\]: /);
  throws(() => w.encode(w.any, { d: new Date(0) }, 'v'), TypeError, /^v\.d: /);
  class Point { x = 1; }
  throws(() => w.encode(w.any, new Point(), 'v'), TypeError, /^v: /);
  // What travels alike passes: null, booleans, numbers, bigints, strings,
  // bytes, lists, plain dictionaries, Maps with string keys.
  const ok = { a: [null, true, 1.5, 2n, 's', new Uint8Array([1])], m: new Map([['k', 1]]), o: Object.create(null) };
  eq(w.encode(w.any, ok), ok);
  // An absent value (a missing optional field) is null.
  eq(w.encode(w.any, undefined), null);
});

test('record: encoding a Date, a class instance or a list is a TypeError, not {}', () => {
  const r = w.record(w.int(8, true));
  throws(() => w.encode(r, new Date(0) as unknown as Record<string, number>, 'v'), TypeError, /^v: expected a dictionary/);
  class Bag { a = 1; }
  throws(() => w.encode(r, new Bag() as unknown as Record<string, number>, 'v'), TypeError, /^v: expected a dictionary/);
  eq(JSON.stringify(w.encode(r, Object.assign(Object.create(null), { a: 1 }))), '{"a":1}');
});

test('call: a progressive result after the final one is not given to onProgress', async () => {
  const P: w.ProcedureSpec = { uri: 'p.late', progress: w.int(32, true), result: w.int(32, true) };
  let late: (() => void) | undefined;
  const peer = fakePeer(async (o) => {
    o.onProgress?.([1], {});
    late = () => o.onProgress?.([2], {});
    return { args: [3], kwargs: {} };
  });
  const seen: number[] = [];
  eq(await w.call<number>(peer, P, [], { onProgress: (v: number) => seen.push(v) }, errors), 3);
  late!();
  eq(seen.join(), '1');
});

test('call: a signal aborted before the call rejects with wamp.error.canceled and sends nothing', async () => {
  let calls = 0;
  const peer = fakePeer(async () => { calls++; return { args: [1], kwargs: {} }; });
  const e = (await rejects(w.call(peer, { uri: 'p.x', result: w.int(8, true) }, [], { signal: AbortSignal.abort() }, errors), w.WampError)) as w.WampError;
  eq(e.uri, w.ErrCanceled);
  eq(calls, 0);
});

test('call: aborting after the result changes nothing', async () => {
  const ctl = new AbortController();
  const peer = fakePeer(async () => ({ args: [1], kwargs: {} }));
  eq(await w.call<number>(peer, { uri: 'p.x', result: w.int(8, true) }, [], { signal: ctl.signal }, errors), 1);
  ctl.abort();
});

test('call: an ERROR whose Arguments[0] is not a string is a WampError with the URI as its message', async () => {
  const peer = fakePeer(async () => { throw new w.WampError('x.err', undefined, { a: 1 }, [{ not: 'a string' }]); });
  const e = (await rejects(w.call(peer, { uri: 'p.x' }, [], undefined, errors), w.WampError)) as w.WampError;
  eq(e.uri, 'x.err');
  eq(e.message, 'x.err');
});

test('register: a handler that throws a string, undefined or null answers wamp.error.runtime_error, reported to onError', async () => {
  const spec: w.ProcedureSpec = { uri: 'p.t', args: [w.int(8, true)], result: w.int(8, true) };
  let handler: w.PeerHandler | undefined;
  const peer: w.Peer = { ...fakePeer(async () => ({ args: [], kwargs: {} })), register: async (_u, h) => { handler = h; return { unregister: async () => {} }; } };
  const reported: unknown[] = [];
  await w.register(peer, [w.handle(spec, (a) => { throw [undefined, null, 'a string'][a[0] as number]; })], { onError: (e) => reported.push(e) });
  for (const i of [0, 1, 2]) {
    const e = (await rejects(handler!([i], {}, { signal: new AbortController().signal, procedure: 'p.t' }), w.WampError)) as w.WampError;
    eq(e.uri, w.ErrRuntime);
  }
  eq(reported.length, 3);
});

test('register: a handler returning undefined for a procedure with a result answers wamp.error.runtime_error, not an empty YIELD', async () => {
  const spec: w.ProcedureSpec = { uri: 'p.u', result: w.int(8, true) };
  let handler: w.PeerHandler | undefined;
  const peer: w.Peer = { ...fakePeer(async () => ({ args: [], kwargs: {} })), register: async (_u, h) => { handler = h; return { unregister: async () => {} }; } };
  await w.register(peer, [w.handle(spec, () => undefined)]);
  const e = (await rejects(handler!([], {}, { signal: new AbortController().signal, procedure: 'p.u' }), w.WampError)) as w.WampError;
  eq(e.uri, w.ErrRuntime);
});

test('register: inv.progress after the handler returned sends nothing and throws (as the Go runtime\'s SendProgress returns an error)', async () => {
  const spec: w.ProcedureSpec = { uri: 'p.late', progress: w.int(8, true), result: w.int(8, true) };
  let handler: w.PeerHandler | undefined;
  const peer: w.Peer = { ...fakePeer(async () => ({ args: [], kwargs: {} })), register: async (_u, h) => { handler = h; return { unregister: async () => {} }; } };
  let kept: w.Invocation<number> | undefined;
  await w.register(peer, [w.handle(spec, (_a, inv) => { kept = inv; inv.progress(1); return 2; })]);
  const sent: unknown[][] = [];
  const r = await handler!([], {}, { signal: new AbortController().signal, procedure: 'p.late', progress: (a) => { sent.push(a); } });
  eq(JSON.stringify(r), '{"args":[2],"kwargs":{}}');
  throws(() => kept!.progress(3), Error, /after its handler returned/);
  eq(JSON.stringify(sent), '[[1]]');
});

test('call: a timeout beyond 2^31 − 1 ms (24.8 days) is not a timeout after 1 ms (setTimeout\'s overflow); as the Go runtime, it is not sent', async () => {
  let sent: number | undefined;
  const peer = fakePeer((o) => {
    sent = o.timeout;
    return new Promise((resolve) => setTimeout(() => resolve({ args: [1], kwargs: {} }), 50));
  });
  const days30 = 30 * 24 * 3600 * 1000;
  eq(await w.call<number>(peer, { uri: 'p.x', result: w.int(8, true) }, [], { timeout: days30 }, errors), 1);
  eq(sent, undefined);
});

test('callStream: a progressive result after the final one is not an item', async () => {
  const S: w.ProcedureSpec = { uri: 'p.s', stream: w.int(32, true) };
  let late: (() => void) | undefined;
  const peer = fakePeer(async (o) => {
    o.onProgress?.([1], {});
    late = () => o.onProgress?.([2], {});
    return { args: [], kwargs: {} };
  });
  const it = w.callStream<number>(peer, S, [], undefined, errors)[Symbol.asyncIterator]();
  eq((await it.next()).value, 1);
  await new Promise((r) => setTimeout(r, 10)); // the final result has arrived
  late!();
  eq((await it.next()).done, true);
});

test('autobahnPeer: a call pending when the transport closes rejects (Autobahn|JS leaves it pending for ever)', async () => {
  let closedBefore = false;
  const socket: { info: { protocol: string }; onclose: (evt: unknown) => unknown } = {
    info: { protocol: 'wamp.2.json' },
    onclose: () => { closedBefore = true; }, // the Connection's handler, which must still run
  };
  class AbError {
    error: string; args: unknown[]; kwargs: object;
    constructor(error: string, args: unknown[] = [], kwargs: object = {}) { this.error = error; this.args = args; this.kwargs = kwargs; }
  }
  class AbResult {
    args: unknown[]; kwargs: object;
    constructor(args: unknown[] = [], kwargs: object = {}) { this.args = args; this.kwargs = kwargs; }
  }
  const session = {
    _socket: socket,
    call: () => Object.assign(new Promise<unknown>(() => {}), { cancel() {} }),
    register: async () => ({}), unregister: async () => {}, publish: async () => {},
    subscribe: async () => ({}), unsubscribe: async () => {},
  };
  const peer = w.autobahnPeer(session as unknown as w.AutobahnSessionLike, { autobahn: { Error: AbError, Result: AbResult } as unknown as w.AutobahnModuleLike });
  const p = peer.call('p.x', [], undefined, {});
  socket.onclose({ wasClean: false });
  await rejects(p, Error, /closed/);
  eq(closedBefore, true);
});

function fakePeer(answer: (o: w.PeerCallOptions) => Promise<w.PeerResult>): w.Peer {
  return {
    call: (_uri, _args, _kwargs, o) => answer(o),
    register: async () => ({ unregister: async () => {} }),
    publish: async () => {},
    subscribe: async () => ({ unsubscribe: async () => {} }),
  };
}

await runChecks(checks, emit);
