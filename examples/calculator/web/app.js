// app.js is the calculator's web page: a Wampy.js session to the router that
// serves this page (ws://HOST/), calling the procedures of
// examples/calculator/calc/calc.go and showing a live log of the
// computations the service publishes to com.example.calc.computed (every
// client's, not only this page's). interop/build-web.mjs bundles it, with
// Wampy.js and its serializers from interop/package-lock.json, into calc.js,
// which `calculator serve` embeds; nothing is fetched from elsewhere.
//
// Query parameters: serializer=json|msgpack|cbor (default json), realm=NAME
// (default realm1).

import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';

const P = 'com.example.calc.';
const COMPUTED = P + 'computed';
const serializers = {
  json: () => new JsonSerializer(),
  msgpack: () => new MsgpackSerializer(),
  cbor: () => new CborSerializer(),
};

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const realm = params.get('realm') || 'realm1';
const serializer = serializers[params.get('serializer')] ? params.get('serializer') : 'json';
const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;

// show writes text to an <output> as ok, error or pending.
function show(out, kind, text) {
  out.dataset.kind = kind;
  out.textContent = text;
}

function text(v) {
  if (typeof v === 'bigint') return v.toString();
  if (v !== null && typeof v === 'object') {
    return JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString() : x));
  }
  return String(v);
}

// describe turns a failed call into "URI: args kwargs", the WAMP error as it
// arrived; other failures (a closed connection) keep their message.
function describe(e) {
  if (e && typeof e.errorUri === 'string') {
    const payload = (e.argsList ?? []).map(text);
    if (e.argsDict && Object.keys(e.argsDict).length) payload.push(text(e.argsDict));
    return payload.length ? `${e.errorUri}: ${payload.join(' ')}` : e.errorUri;
  }
  return String(e?.message ?? e);
}

// prepend adds li at the top of the list id, keeping the newest 50.
function prepend(id, li) {
  $(id).prepend(li);
  while ($(id).children.length > 50) $(id).lastChild.remove();
}

function log(call, outcome, failed) {
  const li = document.createElement('li');
  li.textContent = `${call} → ${outcome}`;
  if (failed) li.className = 'error';
  prepend('log', li);
}

// onComputed shows one com.example.calc.computed event: Arguments
// [{op, args, result}]. An event of another shape is shown as such, never
// taken apart as if it fitted.
function onComputed({ argsList, argsDict }) {
  const c = argsList?.[0];
  const li = document.createElement('li');
  if (argsList?.length === 1 && c !== null && typeof c === 'object' && typeof c.op === 'string' && Array.isArray(c.args)) {
    li.textContent = `${c.op}(${c.args.map(text).join(', ')}) = ${text(c.result)}`;
  } else {
    li.textContent = `unexpected event: ${text(argsList ?? [])} ${text(argsDict ?? {})}`;
    li.className = 'error';
  }
  prepend('computed', li);
}

const wampy = new Wampy(url, {
  realm,
  serializer: serializers[serializer](),
  autoReconnect: true,
  onClose: () => setStatus('closed', 'connection closed'),
  onError: (e) => setStatus('closed', `connection failed: ${describe(e)}`),
  onReconnectSuccess: () => setStatus('connected', connectedText()),
});

function setStatus(state, message) {
  $('status').dataset.state = state;
  $('status').textContent = message;
}

function connectedText() {
  return `connected to ${url} as session ${text(wampy.getSessionId())} (realm ${realm}, ${serializer})`;
}

// call makes one call, logs it and returns its single result.
async function call(name, args, options) {
  const label = `${name}(${args.map(text).join(', ')})`;
  try {
    const r = await wampy.call(P + name, { argsList: args }, options);
    const v = r?.argsList?.[0];
    log(label, text(v), false);
    return v;
  } catch (e) {
    log(label, describe(e), true);
    throw e;
  }
}

const num = (id) => Number.parseFloat($(id).value);
const int = (id) => Number.parseInt($(id).value, 10);

async function arithmetic(name, args) {
  show($('result'), 'pending', `${name}…`);
  try {
    const v = await call(name, args);
    show($('result'), 'ok', `${name}(${args.map(text).join(', ')}) = ${text(v)}`);
  } catch (e) {
    show($('result'), 'error', describe(e));
  }
}

$('add').onclick = () => arithmetic('add', [num('a'), num('b')]);
$('div').onclick = () => arithmetic('div', [num('a'), num('b')]);
$('sqrt').onclick = () => arithmetic('sqrt', [num('a')]);

$('fibonacci').onclick = async () => {
  const n = int('n');
  const list = $('progress');
  list.replaceChildren();
  show($('fib-result'), 'pending', `fibonacci(${n}): waiting for results…`);
  try {
    const v = await call('fibonacci', [n], {
      progress_callback: (r) => {
        const li = document.createElement('li');
        li.textContent = text(r?.argsList?.[0]);
        list.append(li);
      },
    });
    show($('fib-result'), 'ok', `fibonacci(${n}) = ${text(v)} after ${list.children.length} progressive results`);
  } catch (e) {
    show($('fib-result'), 'error', describe(e));
  }
};

// The sleep section polls active() while a sleep runs, so the page shows the
// server's sleep start and, once cancelled, stop.
let sleepReq = null;
let poller = null;

async function refreshActive() {
  try {
    const r = await wampy.call(P + 'active', { argsList: [] });
    $('active').textContent = text(r?.argsList?.[0]);
    return Number(r?.argsList?.[0]);
  } catch (e) {
    $('active').textContent = describe(e);
    return NaN;
  }
}

$('sleep').onclick = async () => {
  const ms = int('ms');
  show($('sleep-result'), 'pending', `sleep(${ms}): running…`);
  $('sleep').disabled = true;
  $('cancel').disabled = false;
  const label = `sleep(${ms})`;
  const pending = wampy.call(P + 'sleep', { argsList: [ms] });
  sleepReq = wampy.getOpStatus().reqId;
  poller = setInterval(refreshActive, 200);
  refreshActive();
  try {
    const r = await pending;
    log(label, text(r?.argsList?.[0]), false);
    show($('sleep-result'), 'ok', `sleep(${ms}) = ${text(r?.argsList?.[0])}`);
  } catch (e) {
    log(label, describe(e), true);
    show($('sleep-result'), 'error', describe(e));
  } finally {
    sleepReq = null;
    $('sleep').disabled = false;
    $('cancel').disabled = true;
    clearInterval(poller);
    // The server's handler ends a moment after the call: poll until idle.
    for (let i = 0; i < 20 && (await refreshActive()) !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
};

$('cancel').onclick = () => {
  if (sleepReq !== null) {
    // kill: the router interrupts the callee and answers wamp.error.canceled
    // once the callee has stopped.
    wampy.cancel(sleepReq, { mode: 'kill' });
    show($('sleep-result'), 'pending', 'cancelling…');
  }
};

$('serializer').value = serializer;
$('serializer').onchange = () => {
  params.set('serializer', $('serializer').value);
  location.search = params.toString();
};

for (const b of document.querySelectorAll('button')) b.disabled = true;
wampy.connect().then(
  async () => {
    // Subscribed before the buttons work, so that the page's own first
    // computation shows up in the log. Wampy subscribes again after a
    // reconnection.
    try {
      await wampy.subscribe(COMPUTED, onComputed);
      $('computed-status').dataset.state = 'subscribed';
      $('computed-status').textContent = `subscribed to ${COMPUTED}`;
    } catch (e) {
      $('computed-status').dataset.state = 'failed';
      $('computed-status').textContent = `could not subscribe to ${COMPUTED}: ${describe(e)}`;
    }
    setStatus('connected', connectedText());
    for (const b of document.querySelectorAll('button')) b.disabled = b.id === 'cancel';
    refreshActive();
  },
  (e) => setStatus('closed', `connection failed: ${describe(e)}`),
);
