// contract.mjs is the calculator contract (examples/calculator/calc/calc.go)
// in JavaScript, both ways:
//
//   - register(peer) implements it as a callee, like the Go calc.Service,
//     publishing com.example.calc.computed after every successful add, div
//     and sqrt;
//   - checks is the list of checks a JavaScript caller runs against whatever
//     serves it, mirroring the Go checker (examples/calculator/checks.go).
//
// The check names are the Go checker's where the check is the same; the Go
// test (interop/) knows every name and what it expects of each.

import { WampError, jsonSafe } from './peers.mjs';

const P = 'com.example.calc.';
const INVALID = 'wamp.error.invalid_argument';

// COMPUTED is the calculator's one topic: after every successful add, div
// and sqrt the service publishes Arguments [{op, args, result}], op the
// procedure's last URI component, args the call's numbers, result its result.
export const COMPUTED = P + 'computed';

// ---------------------------------------------------------------- callee

function invalid(message) {
  return new WampError(INVALID, [message]);
}

// arg names positional argument i for error messages.
const arg = (i, name) => `argument ${i + 1} (${name})`;

function number(proc, where, v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && BigInt(Number(v)) === v) return Number(v);
  throw invalid(`${proc}: ${where}: expected a number, got ${describe(v)}`);
}

function integer(proc, where, v) {
  const n = number(proc, where, v);
  if (!Number.isSafeInteger(n)) throw invalid(`${proc}: ${where}: expected an integer, got ${n}`);
  return n;
}

function arity(proc, args, n) {
  if (args.length !== n) {
    throw invalid(`${proc}: expected ${n} positional arguments, got ${args.length}`);
  }
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v;
}

// register registers every procedure of the contract on peer, with
// onInvocation(procedure, details) told about each invocation.
export async function register(peer, onInvocation = () => {}) {
  let active = 0; // sleep calls running now

  // computed publishes the computation and returns its result. It is
  // acknowledged, and awaited before the call returns, so that a caller
  // that gets its result after subscribing gets the event too. A failed
  // publication does not fail the call (as in the Go service): it is
  // reported on stderr.
  async function computed(op, args, result) {
    try {
      await peer.publish(COMPUTED, [{ op, args, result }]);
    } catch (e) {
      console.error(`publish ${COMPUTED} after ${op}: ${e.message ?? e}`);
    }
    return result;
  }

  const procedures = {
    async add(args) {
      arity('add', args, 2);
      const a = number('add', arg(0, 'a'), args[0]);
      const b = number('add', arg(1, 'b'), args[1]);
      return computed('add', [a, b], a + b);
    },
    async div(args) {
      arity('div', args, 2);
      const a = number('div', arg(0, 'a'), args[0]);
      const b = number('div', arg(1, 'b'), args[1]);
      if (b === 0) throw new WampError(P + 'error.div_by_zero', ['division by zero']);
      return computed('div', [a, b], a / b);
    },
    async sqrt(args) {
      arity('sqrt', args, 1);
      const x = number('sqrt', arg(0, 'x'), args[0]);
      if (x < 0) {
        throw new WampError(P + 'error.negative_input', [`square root of negative input ${x}`], { input: x });
      }
      return computed('sqrt', [x], Math.sqrt(x));
    },
    fibonacci(args, kwargs, inv) {
      arity('fibonacci', args, 1);
      const n = integer('fibonacci', arg(0, 'n'), args[0]);
      if (n < 1 || n > 90) throw invalid(`fibonacci: n must be in 1..90, got ${n}`);
      let a = 1n;
      let b = 1n;
      for (let i = 1; i < n; i++) {
        if (inv.progress) inv.progress(Number(a));
        [a, b] = [b, a + b];
      }
      if (a <= BigInt(Number.MAX_SAFE_INTEGER) || !peer.canSendBigInt) return Number(a);
      return a;
    },
    stats(args) {
      arity('stats', args, 1);
      const values = args[0];
      if (!Array.isArray(values)) throw invalid(`stats: ${arg(0, 'values')}: expected a list, got ${describe(values)}`);
      values.forEach((v, i) => number('stats', `values[${i}]`, v));
      if (values.length === 0) throw invalid('stats: the list of values is empty');
      const sum = values.reduce((s, v) => s + v, 0);
      return { count: values.length, sum, mean: sum / values.length, min: Math.min(...values), max: Math.max(...values) };
    },
    round(args, kwargs) {
      arity('round', args, 0);
      const value = number('round', 'keyword argument value', kwargs.value);
      const places = integer('round', 'keyword argument places', kwargs.places);
      if (places < 0 || places > 15) throw invalid(`round: places must be in 0..15, got ${places}`);
      const p = 10 ** places;
      return Math.round(value * p) / p;
    },
    reverse_bytes(args) {
      arity('reverse_bytes', args, 1);
      let data;
      try {
        data = peer.fromWireBytes(args[0]);
      } catch (e) {
        throw invalid(`reverse_bytes: ${arg(0, 'data')}: ${e.message}`);
      }
      return peer.toWireBytes(data.reverse());
    },
    whoami(args, kwargs, inv) {
      arity('whoami', args, 0);
      if (inv.caller === undefined || inv.caller === null) {
        throw new WampError('wamp.error.option_not_allowed', ['whoami: the router did not disclose the caller']);
      }
      return inv.caller;
    },
    async sleep(args) {
      arity('sleep', args, 1);
      const ms = integer('sleep', arg(0, 'ms'), args[0]);
      if (ms < 0 || ms > 60000) throw invalid(`sleep: ms must be in 0..60000, got ${ms}`);
      active++;
      try {
        // Neither client tells a handler that its call was cancelled or
        // timed out: the sleep runs to its end.
        await new Promise((resolve) => setTimeout(resolve, ms));
      } finally {
        active--;
      }
      return ms;
    },
    active(args) {
      arity('active', args, 0);
      return active;
    },
  };

  for (const [name, fn] of Object.entries(procedures)) {
    await peer.register(P + name, async (args, kwargs, inv) => {
      onInvocation(P + name, { receive_progress: Boolean(inv.progress), caller: inv.caller ?? null });
      return fn(args, kwargs, inv);
    }, { discloseCaller: name === 'whoami' });
  }
}

// ---------------------------------------------------------------- caller

class CheckError extends Error {}

function fail(message) {
  throw new CheckError(message);
}

function show(v) {
  return JSON.stringify(v, jsonSafe);
}

function want(got, expect) {
  if (got !== expect) fail(`got ${show(got)}, want ${show(expect)}`);
  return show(got);
}

// expectError runs fn and returns the WampError it must fail with.
async function expectError(fn, uri) {
  try {
    const r = await fn();
    fail(`got the result ${show(r)}, want the error ${uri}`);
  } catch (e) {
    if (e instanceof CheckError) throw e;
    if (!(e instanceof WampError)) fail(`got ${e}, want the error ${uri}`);
    if (e.uri !== uri) fail(`got the error ${e.uri} ${show(e.args)}, want ${uri}`);
    return e;
  }
}

async function single(peer, proc, args, kwargs, opts) {
  const r = await peer.call(P + proc, args, kwargs, opts);
  if (r.args.length !== 1 || Object.keys(r.kwargs).length !== 0) {
    fail(`${proc}: want a single result, got ${show(r)}`);
  }
  return r.args[0];
}

// waitIdle polls active() until no sleep runs (the callee may finish a
// moment after the caller's call ended).
async function waitIdle(peer) {
  const deadline = Date.now() + 3000;
  for (;;) {
    const n = Number(await single(peer, 'active', []));
    if (n === 0) return;
    if (Date.now() > deadline) fail(`active = ${n} long after the sleep was stopped`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const bytesIn = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

// operand returns a random integer in 1..1e9: events go to every
// subscriber, so a check finds the events of its own calls by their
// operands, never assuming it is the only client.
const operand = () => 1 + Math.floor(Math.random() * 1e9);

// isComputation reports whether an event is the computation want
// ({op, args, result}), comparing numbers by value (a serializer may hand
// an integral one over as a BigInt).
function isComputation(ev, want) {
  const c = ev.args[0];
  if (c === null || typeof c !== 'object' || c.op !== want.op || !Array.isArray(c.args)) return false;
  const same = (x, y) => (typeof x === 'number' || typeof x === 'bigint') && Number(x) === y;
  return c.args.length === want.args.length && c.args.every((x, i) => same(x, want.args[i])) && same(c.result, want.result);
}

function showComputation(c) {
  return `${c.op}(${c.args.join(', ')}) = ${c.result}`;
}

// waitUntil polls cond until it holds or ms have passed.
async function waitUntil(cond, ms) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

// checkComputed subscribes to com.example.calc.computed, calls add, a div
// by zero, div and sqrt with random operands, and checks that each
// successful call produced exactly one matching event, of exactly the
// contract's shape, and the failed div none. A last add is a fence: events
// from one publisher reach a subscriber in order, so once the fence's event
// is in, so is every event the earlier calls caused.
async function checkComputed(p) {
  const events = [];
  const sub = await p.subscribe(COMPUTED, (args, kwargs) => events.push({ args, kwargs }));
  try {
    const [a, b, x] = [operand(), operand(), operand()];
    const want = [];
    want.push({ op: 'add', args: [a, b], result: Number(await single(p, 'add', [a, b])) });
    await expectError(() => p.call(P + 'div', [a, 0]), P + 'error.div_by_zero');
    want.push({ op: 'div', args: [a, b], result: Number(await single(p, 'div', [a, b])) });
    want.push({ op: 'sqrt', args: [x], result: Number(await single(p, 'sqrt', [x])) });
    const fence = { op: 'add', args: [operand(), operand()] };
    fence.result = Number(await single(p, 'add', fence.args));
    if (!(await waitUntil(() => events.some((ev) => isComputation(ev, fence)), 15000))) {
      const mine = want.filter((w) => events.some((ev) => isComputation(ev, w))).map(showComputation);
      fail(`no event for ${showComputation(fence)} within 15s (${events.length} events in all; of this check's calls, events for: ${mine.join('; ') || 'none'})`);
    }
    for (const w of want) {
      const got = events.filter((ev) => isComputation(ev, w));
      if (got.length !== 1) fail(`${got.length} events for ${showComputation(w)}, want 1`);
      const ev = got[0];
      if (ev.args.length !== 1 || Object.keys(ev.kwargs).length !== 0) {
        fail(`the event for ${showComputation(w)} is ${show(ev)}, want Arguments [{op, args, result}] only`);
      }
      const keys = Object.keys(ev.args[0]).sort().join(',');
      if (keys !== 'args,op,result') fail(`the event for ${showComputation(w)} has the keys ${keys}, want args, op, result`);
    }
    const failed = events.filter((ev) => {
      const c = ev.args[0];
      return c?.op === 'div' && Array.isArray(c.args) && Number(c.args[0]) === a && Number(c.args[1]) === 0;
    });
    if (failed.length) fail(`the failed div(${a}, 0) published ${show(failed)}`);
    return want.map(showComputation).join('; ');
  } finally {
    await sub.unsubscribe();
  }
}

export const checks = [
  ['add(2, 3) = 5', async (p) => want(await single(p, 'add', [2, 3]), 5)],
  ['div(10, 4) = 2.5', async (p) => want(await single(p, 'div', [10, 4]), 2.5)],
  ['div(1, 0) fails with com.example.calc.error.div_by_zero', async (p) => {
    const e = await expectError(() => p.call(P + 'div', [1, 0]), P + 'error.div_by_zero');
    want(e.args[0], 'division by zero');
    return `${e.uri} ${show(e.args)}`;
  }],
  ['sqrt(16) = 4', async (p) => want(await single(p, 'sqrt', [16]), 4)],
  ['sqrt(-4) fails with com.example.calc.error.negative_input {input: -4}', async (p) => {
    const e = await expectError(() => p.call(P + 'sqrt', [-4]), P + 'error.negative_input');
    want(Number(e.kwargs.input), -4);
    return `${e.uri} ${show(e.kwargs)}`;
  }],
  ['fibonacci(10) = 55, progress 1 1 2 3 5 8 13 21 34', async (p) => {
    const progress = [];
    const v = await single(p, 'fibonacci', [10], undefined, {
      progress: (r) => progress.push(Number(r.args[0])),
    });
    want(progress.join(' '), '1 1 2 3 5 8 13 21 34');
    return want(Number(v), 55);
  }],
  ['fibonacci(78) = 8944394323791464, the largest that a JS Number holds exactly', async (p) => {
    const v = await single(p, 'fibonacci', [78]);
    return want(BigInt(v), 8944394323791464n);
  }],
  ['fibonacci(90) = 2880067194370816120 without progress', async (p) => {
    const v = await single(p, 'fibonacci', [90]);
    if (BigInt(v) !== 2880067194370816120n) {
      fail(`got ${show(v)} (a JS ${typeof v}), want 2880067194370816120`);
    }
    return show(v);
  }],
  ['fibonacci(0) and fibonacci(91) fail with wamp.error.invalid_argument', async (p) => {
    for (const n of [0, 91]) await expectError(() => p.call(P + 'fibonacci', [n]), INVALID);
    return 'refused';
  }],
  ['stats([1, 2, 3, 4]) = {count 4, sum 10, mean 2.5, min 1, max 4}', async (p) => {
    const v = await single(p, 'stats', [[1, 2, 3, 4]]);
    const got = ['count', 'sum', 'mean', 'min', 'max'].map((k) => `${k} ${Number(v[k])}`).join(', ');
    return want(got, 'count 4, sum 10, mean 2.5, min 1, max 4');
  }],
  ['stats([]) fails with wamp.error.invalid_argument', async (p) => {
    await expectError(() => p.call(P + 'stats', [[]]), INVALID);
    return 'refused';
  }],
  ['round(value=3.14159, places=2) = 3.14 (keyword arguments)', async (p) =>
    want(await single(p, 'round', [], { value: 3.14159, places: 2 }), 3.14)],
  ['reverse_bytes(00 01 7f 80 fe ff) = ff fe 80 7f 01 00', async (p) => {
    const v = await single(p, 'reverse_bytes', [p.toWireBytes(new Uint8Array(bytesIn))]);
    let got;
    try {
      got = p.fromWireBytes(v);
    } catch (e) {
      fail(e.message);
    }
    return want(Buffer.from(got).toString('hex'), 'fffe807f0100');
  }],
  ["whoami() = this session's ID", async (p) => {
    const v = await single(p, 'whoami', []);
    return want(String(v), String(p.sessionId));
  }],
  ['sleep(50) = 50', async (p) => want(Number(await single(p, 'sleep', [50])), 50)],
  ['sleep(10000) cancelled after 100ms: wamp.error.canceled, then active() = 0', async (p) => {
    const c = p.callCancellable(P + 'sleep', [10000]);
    const timer = setTimeout(() => c.cancel('kill'), 100);
    const start = Date.now();
    try {
      await expectError(() => c.result, 'wamp.error.canceled');
    } finally {
      clearTimeout(timer);
    }
    const took = Date.now() - start;
    await waitIdle(p);
    return `wamp.error.canceled after ${took}ms`;
  }],
  ['sleep(10000) with a 200ms timeout: wamp.error.timeout, then active() = 0', async (p) => {
    const e = await expectError(() => p.call(P + 'sleep', [10000], undefined, { timeout: 200 }), 'wamp.error.timeout');
    await waitIdle(p);
    return `${e.uri} ${show(e.args)}`;
  }],
  ['computed: one event for each successful add, div and sqrt, none for a failed div', checkComputed],
  ['add("two", 3) and add(1) fail with wamp.error.invalid_argument, and the service keeps serving', async (p) => {
    for (const args of [['two', 3], [1], [1, 2, 3], [[1], 2]]) {
      await expectError(() => p.call(P + 'add', args), INVALID);
    }
    await expectError(() => p.call(P + 'round', [], { value: 'pi', places: 2 }), INVALID);
    want(await single(p, 'add', [1, 1]), 2);
    return 'refused';
  }],
];

// runChecks runs every check in order and reports each through report.
export async function runChecks(peer, report) {
  let failed = 0;
  for (const [name, fn] of checks) {
    try {
      const got = await fn(peer);
      report({ check: name, ok: true, got: String(got) });
    } catch (e) {
      failed++;
      report({ check: name, ok: false, error: e instanceof CheckError || e instanceof WampError ? e.message : String(e.stack || e) });
    }
  }
  return failed;
}
