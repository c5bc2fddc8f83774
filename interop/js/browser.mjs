// browser.mjs clicks through the calculator's web page (web/app.ts, on the
// generated TypeScript client and Wampy.js) in headless Chromium (the Debian
// package, driven by playwright-core) and checks what the page shows, its
// live log of computations included, once per serializer:
//
//   node browser.mjs --url http://HOST:PORT/ [--chromium /usr/bin/chromium] [--screenshots DIR]
//
// It prints one JSON line per step ({serializer, step, ok, got|error}) and
// a last line {done, passed, failed}; it exits 1 if a step failed.

import { chromium } from 'playwright-core';
import { flags, emit } from './args.mjs';
import { connect } from './peers.mjs';

const opts = flags({
  url: { type: 'string', required: true },
  chromium: { type: 'string', default: '/usr/bin/chromium' },
  serializers: { type: 'string', default: 'json,msgpack,cbor' },
  screenshots: { type: 'string' },
});

const timeout = 15000;
let passed = 0;
let failed = 0;

async function step(serializer, name, fn) {
  try {
    const got = await fn();
    passed++;
    emit({ serializer, step: name, ok: true, got: String(got ?? '') });
    return true;
  } catch (e) {
    failed++;
    emit({ serializer, step: name, ok: false, error: String(e?.message ?? e).split('\n')[0] });
    return false;
  }
}

function want(got, expect) {
  if (got !== expect) throw new Error(`got ${JSON.stringify(got)}, want ${JSON.stringify(expect)}`);
  return got;
}

// output waits until the <output> id shows kind and returns its text.
async function output(page, id, kind) {
  const el = page.locator(`#${id}[data-kind="${kind}"]`);
  await el.waitFor({ timeout });
  return el.textContent();
}

const browser = await chromium.launch({
  executablePath: opts.chromium,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

try {
  for (const serializer of opts.serializers.split(',')) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('request', (r) => {
      // Everything the page loads must come from the calculator itself.
      const u = new URL(r.url());
      const base = new URL(opts.url);
      if (u.host !== base.host && u.protocol !== 'data:') problems.push(`request to another origin: ${r.url()}`);
    });

    const connected = await step(serializer, 'page loads and connects', async () => {
      await page.goto(`${opts.url}?serializer=${serializer}`);
      const status = page.locator('#status[data-state="connected"]');
      await status.waitFor({ timeout });
      const text = await status.textContent();
      if (!text.includes(`(realm realm1, ${serializer})`)) throw new Error(`status ${JSON.stringify(text)}`);
      return text;
    });
    if (!connected) {
      await context.close();
      continue;
    }

    await step(serializer, 'add: a=2, b=3 shows 5', async () => {
      await page.fill('#a', '2');
      await page.fill('#b', '3');
      await page.click('#add');
      return want(await output(page, 'result', 'ok'), 'add(2, 3) = 5');
    });

    await step(serializer, 'computations: the live log shows the add, and not the failed div', async () => {
      // Random operands: the log shows every client's computations.
      const operand = () => String(1 + Math.floor(Math.random() * 1e9));
      const entries = () => page.locator('#computed li').allTextContents();
      const waitEntry = (text) => page.locator('#computed li', { hasText: text }).first().waitFor({ timeout });
      await page.locator('#computed-status[data-state="subscribed"]').waitFor({ timeout });
      const [a, b] = [operand(), operand()];
      await page.fill('#a', a);
      await page.fill('#b', b);
      await page.click('#add');
      const entry = `add(${a}, ${b}) = ${Number(a) + Number(b)}`;
      await waitEntry(entry);
      await page.fill('#b', '0');
      await page.click('#div');
      await output(page, 'result', 'error');
      // A fence: events reach the page in the order the service published
      // them, so once the next add's entry is in, a div's would be too.
      const [c, d] = [operand(), operand()];
      await page.fill('#a', c);
      await page.fill('#b', d);
      await page.click('#add');
      await waitEntry(`add(${c}, ${d}) = ${Number(c) + Number(d)}`);
      const all = await entries();
      const mine = all.filter((t) => t === entry);
      if (mine.length !== 1) throw new Error(`${mine.length} entries ${JSON.stringify(entry)}, want 1: ${JSON.stringify(all)}`);
      const div = all.filter((t) => t.startsWith(`div(${a}, 0)`));
      if (div.length) throw new Error(`the failed div is in the log: ${JSON.stringify(div)}`);
      await page.fill('#a', '2');
      await page.fill('#b', '3');
      return entry;
    });

    await step(serializer, 'computations: an event that does not fit Computation shows as an error, and the log goes on', async () => {
      // Published by another client (Wampy.js in Node.js, same serializer):
      // op must be a string and args a list of numbers. The generated
      // subscriber reports it (SubscribeOptions.onError) instead of handing
      // it to the page as a Computation.
      const ws = new URL(opts.url);
      ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
      const other = await connect({ client: 'wampy', serializer, url: ws.href, realm: 'realm1' });
      try {
        await other.publish('com.example.calc.computed', [{ op: 42, args: 'none', result: 1 }], {});
      } finally {
        await other.close();
      }
      const bad = page.locator('#computed li.error').first();
      await bad.waitFor({ timeout });
      const text = await bad.textContent();
      const prefix = 'unexpected event: wampgen.error.bad_event: com.example.calc.computed: ';
      if (!text.startsWith(prefix) || !text.includes('op')) throw new Error(`got ${JSON.stringify(text)}, want ${JSON.stringify(prefix + '… op …')}`);
      // The subscription still works: the next computation is logged.
      const [a, b] = [String(1 + Math.floor(Math.random() * 1e9)), String(1 + Math.floor(Math.random() * 1e9))];
      await page.fill('#a', a);
      await page.fill('#b', b);
      await page.click('#add');
      await page.locator('#computed li', { hasText: `add(${a}, ${b}) = ${Number(a) + Number(b)}` }).first().waitFor({ timeout });
      if ((await page.locator('#computed li.error').count()) !== 1) throw new Error('more than one error entry');
      await page.fill('#a', '2');
      await page.fill('#b', '3');
      return text;
    });

    // The page names an error's class only when the generated client gave
    // it an instance of that class (instanceof), and shows an error type's
    // fields from its typed properties.
    await step(serializer, 'div by zero shows the mapped error as an error', async () => {
      await page.fill('#b', '0');
      await page.click('#div');
      return want(
        await output(page, 'result', 'error'),
        'DivByZeroError: division by zero (com.example.calc.error.div_by_zero)',
      );
    });

    await step(serializer, 'sqrt(-4) shows the mapped error with its payload', async () => {
      await page.fill('#a', '-4');
      await page.click('#sqrt');
      return want(
        await output(page, 'result', 'error'),
        'NegativeInputError{input: -4}: square root of negative input -4 (com.example.calc.error.negative_input)',
      );
    });

    await step(serializer, 'an empty operand is refused on the page, and nothing is called', async () => {
      const calls = await page.locator('#log li').count();
      await page.fill('#a', '');
      await page.click('#add');
      const got = want(await output(page, 'result', 'error'), 'a: enter a number');
      await page.fill('#a', '2');
      const after = await page.locator('#log li').count();
      if (after !== calls) throw new Error(`${after - calls} calls logged, want none`);
      return got;
    });

    await step(serializer, 'fibonacci(10): progressive results arrive before the result', async () => {
      // Record, in order, every progressive result added to the list and
      // the moment the final result is shown.
      await page.evaluate(() => {
        window.fibEvents = [];
        const list = document.getElementById('progress');
        const result = document.getElementById('fib-result');
        new MutationObserver((ms) => {
          for (const m of ms) for (const n of m.addedNodes) window.fibEvents.push(`progress ${n.textContent}`);
        }).observe(list, { childList: true });
        new MutationObserver(() => {
          if (result.dataset.kind === 'ok') window.fibEvents.push(`result ${result.textContent}`);
        }).observe(result, { attributes: true, childList: true, characterData: true, subtree: true });
      });
      await page.fill('#n', '10');
      await page.click('#fibonacci');
      const final = await output(page, 'fib-result', 'ok');
      want(final, 'fibonacci(10) = 55 after 9 progressive results');
      const items = await page.locator('#progress li').allTextContents();
      want(items.join(' '), '1 1 2 3 5 8 13 21 34');
      const events = await page.evaluate(() => window.fibEvents);
      const firstResult = events.findIndex((e) => e.startsWith('result'));
      want(events.slice(0, firstResult).join(', '), items.map((i) => `progress ${i}`).join(', '));
      return `${items.join(' ')} then ${final}`;
    });

    await step(serializer, 'sleep(10000) runs on the server, cancel stops it: wamp.error.canceled, then 0 running', async () => {
      await page.fill('#ms', '10000');
      const start = Date.now();
      await page.click('#sleep');
      await output(page, 'sleep-result', 'pending');
      await page.locator('#active', { hasText: /^1$/ }).waitFor({ timeout });
      await page.click('#cancel');
      const err = await output(page, 'sleep-result', 'error');
      if (!err.startsWith('wamp.error.canceled')) throw new Error(`got ${JSON.stringify(err)}, want wamp.error.canceled`);
      await page.locator('#active', { hasText: /^0$/ }).waitFor({ timeout });
      const took = Date.now() - start;
      if (took >= 10000) throw new Error(`the sleep was not cut short: ${took}ms`);
      if (!(await page.isEnabled('#sleep')) || (await page.isEnabled('#cancel'))) {
        throw new Error('buttons not reset after the call ended');
      }
      return `${err} after ${took}ms; running: 0`;
    });

    if (opts.screenshots) {
      await page.screenshot({ path: `${opts.screenshots}/calculator-${serializer}.png`, fullPage: true });
    }
    await step(serializer, 'no page errors, console errors, failed or foreign requests', async () => {
      if (problems.length) throw new Error(problems.join('; '));
      return 'none';
    });
    await context.close();
  }
} finally {
  await browser.close();
}
emit({ done: true, passed, failed });
process.exit(failed ? 1 : 0);
