// auth.mjs logs in to a router with Autobahn|JS by each authentication
// method auth_test.go configures, in realm "auth", and writes one JSON line
// per attempt: {case, ok: true, authid, authrole} or {case, ok: false,
// error}, then {done: true}.
//
//   node js/auth.mjs --url ws://127.0.0.1:PORT/ --seed HEX32

import autobahn from 'autobahn';
import { emit, flags } from './args.mjs';

const { url, seed } = flags({
  url: { type: 'string', required: true },
  seed: { type: 'string', required: true },
});
const key = autobahn.nacl.sign.keyPair.fromSeed(new Uint8Array(Buffer.from(seed, 'hex')));

const cases = [
  { name: 'wampcra', authid: 'cara', method: 'wampcra', secret: 'cra-secret' },
  { name: 'wampcra salted', authid: 'sally', method: 'wampcra', secret: 'salted-secret' },
  { name: 'wampcra unknown', authid: 'nobody', method: 'wampcra', secret: 'cra-secret' },
  { name: 'cryptosign', authid: 'cyril', method: 'cryptosign' },
  { name: 'cryptosign unknown', authid: 'nobody', method: 'cryptosign' },
];

// join opens a session as c describes and closes it again.
function join(c) {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const conn = new autobahn.Connection({
      url,
      realm: 'auth',
      authid: c.authid,
      authmethods: [c.method],
      authextra: c.method === 'cryptosign' ? { pubkey: autobahn.auth_cryptosign.public_key(key) } : {},
      max_retries: 0,
      onchallenge: (session, method, extra) => {
        if (method === 'cryptosign') {
          return autobahn.auth_cryptosign.sign_challenge(key, extra);
        }
        const k = extra.salt
          ? autobahn.auth_cra.derive_key(c.secret, extra.salt, extra.iterations, extra.keylen)
          : c.secret;
        return autobahn.auth_cra.sign(k, extra.challenge);
      },
    });
    conn.onopen = (session, details) => {
      settle({ ok: true, authid: details.authid, authrole: details.authrole });
      conn.close();
    };
    conn.onclose = (reason, details) => {
      settle({ ok: false, error: `${reason}: ${details.reason ?? ''} ${details.message ?? ''}` });
      return true; // do not retry
    };
    conn.open();
  });
}

for (const c of cases) {
  emit({ case: c.name, ...(await join(c)) });
}
emit({ done: true });
process.exit(0);
