// harness.ts: what the TypeScript test programs share: JSON lines on
// stdout for the Go tests, assertions, and a check runner.

/** emit writes one JSON line on stdout: the Go test reads these. */
export function emit(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj, jsonSafe) + '\n');
}

/** jsonSafe lets JSON.stringify print bigints and bytes. */
export function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `bytes(${Buffer.from(value).toString('hex')})`;
  return value;
}

export function show(v: unknown): string {
  return JSON.stringify(v, jsonSafe) ?? String(v);
}

/** CheckError is a failed check (not a failure of the code under test). */
export class CheckError extends Error {}

export function fail(message: string): never {
  throw new CheckError(message);
}

/** eq fails unless got === want (Object.is for numbers: −0 and NaN). */
export function eq<T>(got: T, want: T): string {
  if (!Object.is(got, want)) fail(`got ${show(got)}, want ${show(want)}`);
  return show(got);
}

type ErrorType = abstract new (...args: any[]) => Error;

function checkError(e: unknown, type: ErrorType, message?: RegExp): unknown {
  if (e instanceof CheckError) throw e;
  if (!(e instanceof type)) fail(`threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : show(e)}, want a ${type.name}`);
  if (message && !message.test((e as Error).message)) fail(`threw ${type.name} ${show((e as Error).message)}, want one matching ${message}`);
  return e;
}

/** throws runs fn, which must throw a type whose message matches. */
export function throws(fn: () => unknown, type: ErrorType, message?: RegExp): unknown {
  try {
    fn();
  } catch (e) {
    return checkError(e, type, message);
  }
  return fail(`did not throw, want a ${type.name}${message ? ` matching ${message}` : ''}`);
}

/** rejects awaits p, which must reject with a type whose message matches. */
export async function rejects(p: Promise<unknown>, type: ErrorType, message?: RegExp): Promise<unknown> {
  let r: unknown;
  try {
    r = await p;
  } catch (e) {
    return checkError(e, type, message);
  }
  return fail(`resolved to ${show(r)}, want a rejection with a ${type.name}${message ? ` matching ${message}` : ''}`);
}

/** runChecks runs each check in order, reports {check, ok, got | error}
 * through report, then {done: true}, and sets the exit code to 1 when one
 * failed. */
export async function runChecks(checks: [string, (...a: any[]) => unknown][], report: (o: unknown) => void, ...args: unknown[]): Promise<number> {
  let failed = 0;
  for (const [name, fn] of checks) {
    try {
      const got = await fn(...args);
      report({ check: name, ok: true, got: got === undefined ? '' : String(got) });
    } catch (e) {
      failed++;
      report({ check: name, ok: false, error: e instanceof CheckError ? e.message : e instanceof Error ? `${e.constructor.name}: ${e.message}` : show(e) });
    }
  }
  report({ done: true, failed });
  if (failed > 0) process.exitCode = 1;
  return failed;
}
