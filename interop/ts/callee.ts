// callee.ts implements the calculator contract in TypeScript, as the
// generated interface Calculator (examples/calculator/calc/calc_wamp.ts)
// describes it, and serves it through the generated registrar
// (registerCalculator) on one JavaScript client's adapter, publishing its
// events through the generated CalculatorEventsPublisher:
//
//   node callee.mjs --client autobahn|wampy --serializer json|msgpack|cbor --url ws://HOST:PORT/ --realm realm1
//
// It prints {ready, session} once every procedure is registered, then one
// line {invocation, details} per invocation (what the dealer told the
// adapter), and runs until SIGTERM, SIGINT or the end of its standard input.

import {
  type Calculator, CalculatorEventsPublisher, DivByZeroError, NegativeInputError, registerCalculator, type Stats, type RoundRequest,
} from '../../examples/calculator/calc/calc_wamp.js';
import * as w from '../../examples/calculator/calc/wampgen.js';
import { connect, flags } from './connect.js';
import { emit } from './harness.js';

const opts = flags(['client', 'serializer', 'url', 'realm']);
const conn = await connect(opts.client, opts.serializer, opts.url, opts.realm ?? 'realm1');

// reporting wraps the adapter to report what the dealer told each
// invocation (whether the caller asked for progressive results, and who
// it is), for the Go test's checks of what a client lacks.
function reporting(peer: w.Peer): w.Peer {
  return {
    ...peer,
    call: peer.call.bind(peer),
    publish: peer.publish.bind(peer),
    subscribe: peer.subscribe.bind(peer),
    register(uri, handler, o) {
      return peer.register(uri, (args, kwargs, details) => {
        emit({ invocation: uri, details: { receive_progress: Boolean(details.progress), caller: details.caller ?? null } });
        return handler(args, kwargs, details);
      }, o);
    },
  };
}

const peer = reporting(conn.peer);
const events = new CalculatorEventsPublisher(peer);

const invalid = (message: string) => new w.WampError(w.ErrInvalidArgument, message);

// computed publishes the computation (acknowledged, awaited, as the Go
// service does, so that a caller subscribed before its call gets the event
// first) and returns the result; a failed publication does not fail the
// call.
async function computed(op: string, args: number[], result: number): Promise<number> {
  try {
    await events.computed({ op, args, result }, { acknowledge: true });
  } catch (e) {
    process.stderr.write(`publish computed after ${op}: ${e}\n`);
  }
  return result;
}

let active = 0; // sleep calls running now

const calculator: Calculator = {
  add: (a, b) => computed('add', [a, b], a + b),
  div(a, b) {
    if (b === 0) throw new DivByZeroError();
    return computed('div', [a, b], a / b);
  },
  sqrt(x) {
    if (x < 0) throw new NegativeInputError({ input: x }, `square root of negative input ${x}`);
    return computed('sqrt', [x], Math.sqrt(x));
  },
  fibonacci(n, inv) {
    if (n < 1 || n > 90) throw invalid(`fibonacci: n must be in 1..90, got ${n}`);
    let [a, b] = [1n, 1n];
    for (let i = 1; i < n; i++) {
      inv.progress(a);
      [a, b] = [b, a + b];
    }
    return a;
  },
  stats(values: number[]): Stats {
    if (values.length === 0) throw invalid('stats: the list of values is empty');
    const sum = values.reduce((s, v) => s + v, 0);
    return { count: values.length, sum, mean: sum / values.length, min: Math.min(...values), max: Math.max(...values) };
  },
  round({ value, places }: RoundRequest) {
    if (places < 0 || places > 15) throw invalid(`round: places must be in 0..15, got ${places}`);
    const p = 10 ** places;
    return Math.round(value * p) / p;
  },
  reverseBytes: (data) => data.slice().reverse(),
  whoami(inv) {
    if (inv.caller === undefined) throw new w.WampError('wamp.error.option_not_allowed', 'whoami: the router did not disclose the caller');
    return BigInt(inv.caller);
  },
  async sleep(ms, inv) {
    if (ms < 0 || ms > 60000) throw invalid(`sleep: ms must be in 0..60000, got ${ms}`);
    active++;
    try {
      // It would stop when the call is cancelled, but neither client tells
      // its callee (inv.signal never aborts): the sleep runs to its end.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        inv.signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      });
    } finally {
      active--;
    }
    return ms;
  },
  active: () => active,
};

await registerCalculator(peer, calculator, {
  onError: (e, { procedure, incident }) => process.stderr.write(`${procedure}: incident ${incident}: ${e}\n`),
});
emit({ ready: true, session: conn.sessionId, client: opts.client, serializer: opts.serializer });

let closing = false;
async function stop(): Promise<void> {
  if (closing) return;
  closing = true;
  await conn.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
