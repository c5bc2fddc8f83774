// app.ts is the calculator's web page: a Wampy.js session to the router that
// serves this page (ws://HOST/), calling the procedures of
// examples/calculator/calc/calc.go through the TypeScript client wampgen
// generates from it (calc/calc_wamp.ts, over the support module
// calc/wampgen.ts and its Wampy.js adapter), and showing a live log of the
// computations the service publishes (every client's, not only this
// page's). No URI is written here: they come from the generated module, as
// the types of arguments, results, events and errors do.
//
// interop/build-web.mjs type-checks it (tsc --strict) and bundles it, with
// the generated modules and Wampy.js and its serializers from
// interop/package-lock.json, into calc.js, which `calculator serve` embeds;
// nothing is fetched from elsewhere.
//
// Query parameters: serializer=json|msgpack|cbor (default json), realm=NAME
// (default realm1).

import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';
import * as w from '../calc/wampgen.js';
import {
  CalculatorClient,
  CalculatorEventsTopics,
  DivByZeroError,
  NegativeInputError,
  subscribeCalculatorEventsComputed,
  type Computation,
} from '../calc/calc_wamp.js';

const serializers = {
  json: () => new JsonSerializer(),
  msgpack: () => new MsgpackSerializer(),
  cbor: () => new CborSerializer(),
};
type SerializerName = keyof typeof serializers;

function isSerializer(s: string | null): s is SerializerName {
  return s !== null && Object.hasOwn(serializers, s);
}

// $ returns the element id, of the type the page declares it with.
function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
}
const input = (id: string) => $<HTMLInputElement>(id);
const button = (id: string) => $<HTMLButtonElement>(id);
const buttons = () => document.querySelectorAll<HTMLButtonElement>('button');

const params = new URLSearchParams(location.search);
const realm = params.get('realm') || 'realm1';
const requested = params.get('serializer');
const serializer: SerializerName = isSerializer(requested) ? requested : 'json';
const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;

type Kind = 'ok' | 'error' | 'pending';

// show writes text to an <output> as ok, error or pending.
function show(out: HTMLElement, kind: Kind, text: string): void {
  out.dataset.kind = kind;
  out.textContent = text;
}

function text(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (v !== null && typeof v === 'object') {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  }
  return String(v);
}

// describe says what a failed call answered. The calculator's own errors
// arrive as the generated classes, with their typed fields; any other WAMP
// error (wamp.error.canceled, …) as a w.WampError, shown as it arrived:
// "URI: args kwargs". Other failures (a closed connection, an argument the
// client refused to send) keep their message.
function describe(e: unknown): string {
  if (e instanceof DivByZeroError) {
    return `DivByZeroError: ${e.message} (${DivByZeroError.uri})`;
  }
  if (e instanceof NegativeInputError) {
    return `NegativeInputError{input: ${text(e.input)}}: ${e.message} (${NegativeInputError.uri})`;
  }
  if (e instanceof w.WampError) {
    const payload = e.args.map(text);
    if (Object.keys(e.kwargs).length) payload.push(text(e.kwargs));
    return payload.length ? `${e.uri}: ${payload.join(' ')}` : e.uri;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

// prepend adds li at the top of the list id, keeping the newest 50.
function prepend(id: string, li: HTMLLIElement): void {
  const list = $(id);
  list.prepend(li);
  while (list.children.length > 50) list.lastElementChild?.remove();
}

function log(call: string, outcome: string, failed: boolean): void {
  const li = document.createElement('li');
  li.textContent = `${call} → ${outcome}`;
  if (failed) li.className = 'error';
  prepend('log', li);
}

// onComputed shows one event of CalculatorEvents.Computed, decoded by the
// generated subscriber.
function onComputed(c: Computation): void {
  const li = document.createElement('li');
  li.textContent = `${c.op}(${c.args.map(text).join(', ')}) = ${text(c.result)}`;
  prepend('computed', li);
}

// onBadEvent shows an event that did not fit Computation: the generated
// subscriber never hands it to onComputed as if it fitted.
function onBadEvent(err: unknown): void {
  const li = document.createElement('li');
  li.textContent = `unexpected event: ${describe(err)}`;
  li.className = 'error';
  prepend('computed', li);
}

function setStatus(state: 'connected' | 'closed', message: string): void {
  $('status').dataset.state = state;
  $('status').textContent = message;
}

const wampy = new Wampy(url, {
  realm,
  serializer: serializers[serializer](),
  autoReconnect: true,
  onClose: () => setStatus('closed', 'connection closed'),
  onError: (e) => setStatus('closed', `connection failed: ${describe(e)}`),
  onReconnectSuccess: () => setStatus('connected', connectedText()),
});
// The adapter converts values for the serializer (over JSON: bytes to and
// from WAMP's binary convention; 64-bit integers and non-finite numbers
// that JSON cannot carry exactly refused). Without the option it would read
// the serializer from wampy's options; the page names it.
const peer = w.wampyPeer(wampy, { serializer });
const client = new CalculatorClient(peer);

function connectedText(): string {
  return `connected to ${url} as session ${text(wampy.getSessionId())} (realm ${realm}, ${serializer})`;
}

// call runs one call of the client, logs it and returns its result.
async function call<R>(label: string, fn: () => Promise<R>): Promise<R> {
  try {
    const v = await fn();
    log(label, text(v), false);
    return v;
  } catch (e) {
    log(label, describe(e), true);
    throw e;
  }
}

// num and int read a number field. An empty or malformed field is the
// user's mistake, said as such, and nothing is sent (the client would send
// NaN over MessagePack and CBOR, and refuse it over JSON).
function num(id: string): number {
  const v = input(id).valueAsNumber;
  if (!Number.isFinite(v)) throw new RangeError(`${id}: enter a number`);
  return v;
}

function int(id: string): number {
  const v = input(id).valueAsNumber;
  if (!Number.isSafeInteger(v)) throw new RangeError(`${id}: enter a whole number`);
  return v;
}

async function arithmetic(name: string, ids: string[], fn: (args: number[]) => Promise<number>): Promise<void> {
  let args: number[];
  try {
    args = ids.map(num);
  } catch (e) {
    show($('result'), 'error', describe(e));
    return;
  }
  const label = `${name}(${args.join(', ')})`;
  show($('result'), 'pending', `${label}…`);
  try {
    const v = await call(label, () => fn(args));
    show($('result'), 'ok', `${label} = ${text(v)}`);
  } catch (e) {
    show($('result'), 'error', describe(e));
  }
}

button('add').onclick = () => arithmetic('add', ['a', 'b'], ([a, b]) => client.add(a, b));
button('div').onclick = () => arithmetic('div', ['a', 'b'], ([a, b]) => client.div(a, b));
button('sqrt').onclick = () => arithmetic('sqrt', ['a'], ([x]) => client.sqrt(x));

button('fibonacci').onclick = async () => {
  const list = $('progress');
  list.replaceChildren();
  let n: number;
  try {
    n = int('n');
  } catch (e) {
    show($('fib-result'), 'error', describe(e));
    return;
  }
  show($('fib-result'), 'pending', `fibonacci(${n}): waiting for results…`);
  try {
    const v = await call(`fibonacci(${n})`, () =>
      client.fibonacci(n, {
        onProgress: (f) => {
          const li = document.createElement('li');
          li.textContent = text(f);
          list.append(li);
        },
      }),
    );
    show($('fib-result'), 'ok', `fibonacci(${n}) = ${text(v)} after ${list.children.length} progressive results`);
  } catch (e) {
    show($('fib-result'), 'error', describe(e));
  }
};

// The sleep section polls active() while a sleep runs, so the page shows the
// server's sleep start and, once cancelled, stop.
let sleeping: AbortController | null = null;

async function refreshActive(): Promise<number> {
  try {
    const n = await client.active();
    $('active').textContent = text(n);
    return n;
  } catch (e) {
    $('active').textContent = describe(e);
    return Number.NaN;
  }
}

button('sleep').onclick = async () => {
  let ms: number;
  try {
    ms = int('ms');
  } catch (e) {
    show($('sleep-result'), 'error', describe(e));
    return;
  }
  show($('sleep-result'), 'pending', `sleep(${ms}): running…`);
  button('sleep').disabled = true;
  button('cancel').disabled = false;
  const abort = new AbortController();
  sleeping = abort;
  const poller = setInterval(refreshActive, 200);
  refreshActive();
  try {
    const v = await call(`sleep(${ms})`, () => client.sleep(ms, { signal: abort.signal }));
    show($('sleep-result'), 'ok', `sleep(${ms}) = ${text(v)}`);
  } catch (e) {
    show($('sleep-result'), 'error', describe(e));
  } finally {
    sleeping = null;
    button('sleep').disabled = false;
    button('cancel').disabled = true;
    clearInterval(poller);
    // The server's handler ends a moment after the call: poll until idle.
    for (let i = 0; i < 20 && (await refreshActive()) !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
};

button('cancel').onclick = () => {
  // Aborting the call's signal sends CANCEL (mode kill: the router
  // interrupts the callee); the call rejects with wamp.error.canceled.
  if (sleeping !== null) {
    sleeping.abort();
    show($('sleep-result'), 'pending', 'cancelling…');
  }
};

const select = $<HTMLSelectElement>('serializer');
select.value = serializer;
select.onchange = () => {
  params.set('serializer', select.value);
  location.search = params.toString();
};

for (const b of buttons()) b.disabled = true;
wampy.connect().then(
  async () => {
    // Subscribed before the buttons work, so that the page's own first
    // computation shows up in the log. Wampy.js subscribes again after a
    // reconnection.
    const status = $('computed-status');
    const topic = CalculatorEventsTopics.computed;
    try {
      await subscribeCalculatorEventsComputed(peer, onComputed, { onError: onBadEvent });
      status.dataset.state = 'subscribed';
      status.textContent = `subscribed to ${topic}`;
    } catch (e) {
      status.dataset.state = 'failed';
      status.textContent = `could not subscribe to ${topic}: ${describe(e)}`;
    }
    setStatus('connected', connectedText());
    for (const b of buttons()) b.disabled = b.id === 'cancel';
    refreshActive();
  },
  (e: unknown) => setStatus('closed', `connection failed: ${describe(e)}`),
);
