// node-env.d.ts: the little of Node.js and of the untyped npm packages that
// the TypeScript test programs use, declared here so that they type-check
// with tsc --strict without more npm packages (@types/node, @types/ws).

declare const process: {
  argv: string[];
  exitCode: number | undefined;
  stdout: { write(s: string): boolean };
  stderr: { write(s: string): boolean };
  stdin: { on(event: 'end', fn: () => void): void; resume(): void };
  on(signal: 'SIGTERM' | 'SIGINT', fn: () => void): void;
  exit(code?: number): never;
};

interface NodeBuffer extends Uint8Array {
  toString(encoding?: 'hex' | 'base64' | 'utf8'): string;
  equals(other: Uint8Array): boolean;
}

declare const Buffer: {
  isBuffer(v: unknown): boolean;
  from(data: ArrayLike<number> | ArrayBufferLike): NodeBuffer;
  from(data: string, encoding: 'hex' | 'base64' | 'utf8'): NodeBuffer;
};

declare module 'autobahn';
declare module 'ws';
