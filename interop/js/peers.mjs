// peers.mjs gives Autobahn|JS and Wampy.js one small interface, so that the
// contract (contract.mjs) is written once and run through both clients:
//
//   const peer = await connect({client, serializer, url, realm})
//   await peer.call(procedure, args, kwargs, {progress, timeout}) → {args, kwargs}
//   peer.callCancellable(procedure, args) → {result, cancel(mode)}
//   await peer.register(procedure, handler, {discloseCaller})
//   await peer.publish(topic, args, kwargs)          (acknowledged: resolves on PUBLISHED)
//   const sub = await peer.subscribe(topic, handler) handler(args, kwargs, details); await sub.unsubscribe()
//   peer.sessionId, peer.toWireBytes(bytes), peer.fromWireBytes(value)
//   await peer.close()
//
// A failed call or publication rejects with a WampError {uri, args, kwargs}; a handler
// throws a WampError to answer an invocation with an error. Each adapter
// uses only the client's documented API.

import autobahn from 'autobahn';
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { WebSocket as NodeWebSocket } from 'ws';

export const clients = ['autobahn', 'wampy'];
export const serializers = ['json', 'msgpack', 'cbor'];

// WampError is a WAMP error: its URI and payload.
export class WampError extends Error {
  constructor(uri, args = [], kwargs = {}) {
    super(`${uri} ${JSON.stringify(args, jsonSafe)} ${JSON.stringify(kwargs, jsonSafe)}`);
    this.uri = uri;
    this.args = args ?? [];
    this.kwargs = kwargs ?? {};
  }
}

// jsonSafe lets JSON.stringify print BigInts and bytes in messages.
export function jsonSafe(key, value) {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `bytes(${Buffer.from(value).toString('hex')})`;
  if (value && value.type === 'Buffer' && Array.isArray(value.data)) {
    return `bytes(${Buffer.from(value.data).toString('hex')})`;
  }
  return value;
}

// The WAMP JSON convention for binary: a string of NUL followed by base64.
// Neither client's JSON serializer implements it, so the application does.
function jsonBytesOut(bytes) {
  return '\u0000' + Buffer.from(bytes).toString('base64');
}

function jsonBytesIn(value) {
  if (typeof value !== 'string' || !value.startsWith('\u0000')) {
    throw new TypeError(`expected a NUL-prefixed base64 string, got ${JSON.stringify(value, jsonSafe)}`);
  }
  return new Uint8Array(Buffer.from(value.slice(1), 'base64'));
}

function binaryBytesIn(value) {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`expected bytes, got ${JSON.stringify(value, jsonSafe)}`);
  }
  return new Uint8Array(value);
}

// Bytes go out as a Node Buffer: both CBOR encoders (node-cbor under
// Autobahn|JS, cbor-x under Wampy.js) write a plain Uint8Array as an RFC 8746
// typed array (tag 64), not as a byte string; a Buffer is a byte string.
function binaryBytesOut(bytes) {
  return Buffer.from(bytes);
}

function bytesCodec(serializer) {
  return serializer === 'json'
    ? { toWireBytes: jsonBytesOut, fromWireBytes: jsonBytesIn }
    : { toWireBytes: binaryBytesOut, fromWireBytes: binaryBytesIn };
}

// connect opens a session with the given client and serializer.
export async function connect({ client, serializer, url, realm }) {
  if (!serializers.includes(serializer)) throw new Error(`unknown serializer ${serializer}`);
  switch (client) {
    case 'autobahn':
      return connectAutobahn(serializer, url, realm);
    case 'wampy':
      return connectWampy(serializer, url, realm);
  }
  throw new Error(`unknown client ${client}`);
}

async function connectAutobahn(serializer, url, realm) {
  const ser = {
    json: autobahn.serializer.JSONSerializer,
    msgpack: autobahn.serializer.MsgpackSerializer,
    cbor: autobahn.serializer.CBORSerializer,
  }[serializer];
  if (!ser) throw new Error(`autobahn has no ${serializer} serializer`);
  const conn = new autobahn.Connection({
    url,
    realm,
    serializers: [new ser()],
    max_retries: 0,
  });
  const session = await new Promise((resolve, reject) => {
    conn.onopen = resolve;
    conn.onclose = (reason, details) => {
      reject(new Error(`autobahn: connection ${reason}: ${JSON.stringify(details)}`));
      return true; // do not retry
    };
    conn.open();
  });
  const closed = new Promise((resolve) => {
    conn.onclose = () => { resolve(); return true; };
  });

  const toError = (e) => {
    if (e instanceof autobahn.Error) return new WampError(e.error, e.args, e.kwargs);
    return e instanceof Error ? e : new Error(String(e));
  };
  const unwrap = (r) => {
    if (r instanceof autobahn.Result) return { args: r.args ?? [], kwargs: r.kwargs ?? {} };
    return { args: r === null || r === undefined ? [] : [r], kwargs: {} };
  };

  return {
    client: 'autobahn',
    serializer,
    sessionId: session.id,
    ...bytesCodec(serializer),
    // Autobahn's JSON serializer cannot write a BigInt, and msgpack5
    // ("not implemented yet") cannot either; node-cbor writes one as a
    // CBOR bignum (tag 2).
    canSendBigInt: serializer === 'cbor',

    async call(procedure, args, kwargs, { progress, timeout } = {}) {
      const options = {};
      if (progress) options.receive_progress = true;
      if (timeout) options.timeout = timeout;
      try {
        // Progressive results reach the third argument of then(): Autobahn
        // delivers them through when.js's notify.
        const r = await session.call(procedure, args, kwargs, options).then(
          (x) => x,
          (e) => { throw e; },
          progress ? (p) => progress(unwrap(p)) : undefined,
        );
        return unwrap(r);
      } catch (e) {
        throw toError(e);
      }
    },

    callCancellable(procedure, args, kwargs) {
      const p = session.call(procedure, args, kwargs);
      const result = Promise.resolve(p).then(unwrap, (e) => { throw toError(e); });
      return { result, cancel: (mode) => p.cancel({ mode }) };
    },

    async register(procedure, handler, { discloseCaller } = {}) {
      const options = discloseCaller ? { disclose_caller: true } : {};
      await session.register(procedure, async (args, kwargs, details) => {
        try {
          return await handler(args ?? [], kwargs ?? {}, {
            caller: details.caller,
            // Autobahn passes a progress function only when the dealer
            // forwarded receive_progress.
            progress: details.progress ? (v) => details.progress([v]) : null,
          });
        } catch (e) {
          if (e instanceof WampError) throw new autobahn.Error(e.uri, e.args, e.kwargs);
          throw e;
        }
      }, options);
    },

    async publish(topic, args, kwargs) {
      try {
        await session.publish(topic, args, kwargs, { acknowledge: true });
      } catch (e) {
        throw toError(e);
      }
    },

    async subscribe(topic, handler) {
      const sub = await session.subscribe(topic, (args, kwargs, details) => handler(args ?? [], kwargs ?? {}, details ?? {}));
      return { unsubscribe: async () => { await session.unsubscribe(sub); } };
    },

    async close() {
      conn.close();
      await closed;
    },
  };
}

async function connectWampy(serializer, url, realm) {
  const ser = {
    json: () => new JsonSerializer(),
    msgpack: () => new MsgpackSerializer(),
    cbor: () => new CborSerializer(),
  }[serializer]();
  const ws = new Wampy(url, {
    realm,
    serializer: ser,
    ws: NodeWebSocket, // Wampy's documented way to run in Node.js
    autoReconnect: false,
  });
  await ws.connect();

  const toError = (e) => {
    if (e && typeof e.errorUri === 'string') return new WampError(e.errorUri, e.argsList, e.argsDict);
    return e instanceof Error ? e : new Error(String(e));
  };
  const unwrap = (r) => ({ args: r?.argsList ?? [], kwargs: r?.argsDict ?? {} });
  const payload = (args, kwargs) => (kwargs ? { argsList: args ?? [], argsDict: kwargs } : { argsList: args ?? [] });

  return {
    client: 'wampy',
    serializer,
    sessionId: ws.getSessionId(),
    ...bytesCodec(serializer),
    // msgpackr and cbor-x write a BigInt as a 64-bit integer; JSON cannot.
    canSendBigInt: serializer !== 'json',

    async call(procedure, args, kwargs, { progress, timeout } = {}) {
      const options = {};
      if (progress) options.progress_callback = (p) => progress(unwrap(p));
      if (timeout) options.timeout = timeout;
      try {
        return unwrap(await ws.call(procedure, payload(args, kwargs), options));
      } catch (e) {
        throw toError(e);
      }
    },

    callCancellable(procedure, args, kwargs) {
      const p = ws.call(procedure, payload(args, kwargs));
      const reqId = ws.getOpStatus().reqId; // the CALL's request ID, as Wampy's docs show
      const result = p.then(unwrap, (e) => { throw toError(e); });
      return { result, cancel: (mode) => ws.cancel(reqId, { mode }) };
    },

    async register(procedure, handler, { discloseCaller } = {}) {
      // Wampy's register() sends only match, invoke and custom (_name)
      // options: it has no way to ask for disclose_caller.
      void discloseCaller;
      await ws.register(procedure, async ({ argsList, argsDict, details, result_handler }) => {
        let v;
        try {
          v = await handler(argsList ?? [], argsDict ?? {}, {
            caller: details?.caller,
            progress: details?.receive_progress
              ? (x) => result_handler({ argsList: [x], options: { progress: true } })
              : null,
          });
        } catch (e) {
          if (e instanceof WampError) {
            throw { error: e.uri, argsList: e.args, argsDict: e.kwargs };
          }
          throw e;
        }
        // A plain object would travel as ArgumentsKw: wrap the single result.
        return { argsList: [v] };
      });
    },

    // Wampy's publish() always asks for acknowledge, and resolves on PUBLISHED.
    async publish(topic, args, kwargs) {
      try {
        await ws.publish(topic, payload(args, kwargs));
      } catch (e) {
        throw toError(e);
      }
    },

    async subscribe(topic, handler) {
      const onEvent = ({ argsList, argsDict, details }) => handler(argsList ?? [], argsDict ?? {}, details ?? {});
      const { subscriptionId } = await ws.subscribe(topic, onEvent);
      return { unsubscribe: async () => { await ws.unsubscribe(subscriptionId, onEvent); } };
    },

    async close() {
      await ws.disconnect();
    },
  };
}
