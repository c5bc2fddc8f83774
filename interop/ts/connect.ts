// connect.ts opens a session with Autobahn|JS or Wampy.js over a serializer
// and wraps it in the support module's adapter (autobahnPeer, wampyPeer): the
// generated TypeScript then runs on it as an application would use it.

import autobahn from 'autobahn';
import { Wampy } from 'wampy';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { WebSocket as NodeWebSocket } from 'ws';
import * as w from '../../examples/calculator/calc/wampgen.js';

export type Client = 'autobahn' | 'wampy';
export type Serializer = 'json' | 'msgpack' | 'cbor';

export interface Connection {
  peer: w.Peer;
  sessionId: number;
  close(): Promise<void>;
}

/** connect connects client over serializer and returns its adapter. */
export async function connect(client: string, serializer: string, url: string, realm: string): Promise<Connection> {
  if (serializer !== 'json' && serializer !== 'msgpack' && serializer !== 'cbor') throw new Error(`unknown serializer ${serializer}`);
  if (client === 'autobahn') return connectAutobahn(serializer, url, realm);
  if (client === 'wampy') return connectWampy(serializer, url, realm);
  throw new Error(`unknown client ${client}`);
}

async function connectAutobahn(serializer: Serializer, url: string, realm: string): Promise<Connection> {
  const ser = {
    json: autobahn.serializer.JSONSerializer,
    msgpack: autobahn.serializer.MsgpackSerializer,
    cbor: autobahn.serializer.CBORSerializer,
  }[serializer];
  const conn = new autobahn.Connection({ url, realm, serializers: [new ser()], max_retries: 0 });
  const session = await new Promise<any>((resolve, reject) => {
    conn.onopen = resolve;
    conn.onclose = (reason: string, details: unknown) => {
      reject(new Error(`autobahn: connection ${reason}: ${JSON.stringify(details)}`));
      return true; // do not retry
    };
    conn.open();
  });
  const closed = new Promise<void>((resolve) => {
    conn.onclose = () => { resolve(); return true; };
  });
  // No serializer option: the adapter reads the one the transport negotiated.
  const peer = w.autobahnPeer(session, { autobahn });
  return {
    peer,
    sessionId: session.id,
    async close() {
      conn.close();
      await closed;
    },
  };
}

async function connectWampy(serializer: Serializer, url: string, realm: string): Promise<Connection> {
  const ser = { json: () => new JsonSerializer(), msgpack: () => new MsgpackSerializer(), cbor: () => new CborSerializer() }[serializer]();
  const ws = new Wampy(url, { realm, serializer: ser, ws: NodeWebSocket, autoReconnect: false });
  await ws.connect();
  // The instance as it is: wampyPeer's parameter type is structural.
  const peer = w.wampyPeer(ws);
  return {
    peer,
    sessionId: ws.getSessionId() as number,
    async close() {
      await ws.disconnect();
    },
  };
}

/** flags parses --name value pairs. */
export function flags(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!names.includes(name) || i + 1 >= argv.length) {
      process.stderr.write(`usage: --${names.join(' V --')} V\n`);
      process.exit(2);
    }
    out[name] = argv[i + 1];
  }
  return out;
}
