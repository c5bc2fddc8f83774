// args.mjs parses the --name value flags of the interop programs.

import { parseArgs } from 'node:util';

export function flags(options) {
  const { values } = parseArgs({ options, strict: true });
  for (const [name, opt] of Object.entries(options)) {
    if (values[name] === undefined && opt.required) {
      process.stderr.write(`missing --${name}\n`);
      process.exit(2);
    }
  }
  return values;
}

// emit writes one JSON line on stdout: the Go test reads these.
export function emit(obj) {
  process.stdout.write(JSON.stringify(obj, (k, v) => (typeof v === 'bigint' ? String(v) : v)) + '\n');
}
