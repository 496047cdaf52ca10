import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { hex } from './helpers.ts';

const wasmUrl = new URL('../../../wasm/sha256/pkg/sha256.wasm', import.meta.url);
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const abc = new TextEncoder().encode('abc');

/** A fresh copy of the loader module, so each test sees its own memo. */
async function freshLoader(): Promise<typeof import('@rust-wasm/sha256')> {
  const url = new URL('../../../wasm/sha256/pkg/index.js', import.meta.url);
  url.searchParams.set('fresh', String(Math.random()));
  return import(/* @vite-ignore */ url.href);
}

describe('@rust-wasm/sha256 loader', () => {
  it('init() with no argument loads sha256.wasm next to the loader (file: URL in Node)', async () => {
    const { default: init } = await freshLoader();
    expect(hex((await init()).digest(abc))).toBe(ABC);
  });

  it.each([
    { name: 'bytes (Uint8Array)', source: async () => new Uint8Array(await readFile(wasmUrl)) },
    { name: 'an ArrayBuffer', source: async () => (await readFile(wasmUrl)).buffer.slice(0) },
    { name: 'a WebAssembly.Module', source: async () => new WebAssembly.Module(await readFile(wasmUrl)) },
    { name: 'a file: URL', source: async () => wasmUrl },
    { name: 'a file: URL string', source: async () => wasmUrl.href },
    { name: 'a Response with application/wasm', source: async () => new Response(await readFile(wasmUrl), { headers: { 'content-type': 'application/wasm' } }) },
    { name: 'a Response with another MIME type', source: async () => new Response(await readFile(wasmUrl), { headers: { 'content-type': 'application/octet-stream' } }) },
  ])('init($name) instantiates a working hasher', async ({ source }) => {
    const { default: init } = await freshLoader();
    expect(hex((await init(await source())).digest(abc))).toBe(ABC);
  });

  it('init(http URL) fetches, and reports an HTTP error clearly', async () => {
    const bytes = await readFile(wasmUrl);
    const server = createServer((request, response) => {
      if (request.url === '/sha256.wasm') {
        response.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const missing = await freshLoader();
      await expect(missing.default(`${base}/nope.wasm`)).rejects.toThrow(/could not load .*nope\.wasm: HTTP 404/);
      const found = await freshLoader();
      expect(hex((await found.default(new URL(`${base}/sha256.wasm`))).digest(abc))).toBe(ABC);
    } finally {
      server.close();
    }
  });

  it('memoises: concurrent and later calls share one instance', async () => {
    const { default: init } = await freshLoader();
    const [a, b] = await Promise.all([init(), init()]);
    expect(a).toBe(b);
    expect(await init()).toBe(a);
  });

  it('a failed instantiation is forgotten, so the next call can succeed', async () => {
    const { default: init } = await freshLoader();
    await expect(init(new Uint8Array([0, 1, 2, 3]))).rejects.toThrow();
    expect(hex((await init()).digest(abc))).toBe(ABC);
  });

  it('rejects a source of the wrong kind with a clear message', async () => {
    const { default: init } = await freshLoader();
    await expect(init(42)).rejects.toThrow(/init\(\) takes bytes/);
  });

  it('initSync(bytes) works without await and is shared with init()', async () => {
    const { default: init, initSync } = await freshLoader();
    const sha = initSync(await readFile(wasmUrl));
    expect(hex(sha.digest(abc))).toBe(ABC);
    expect(await init()).toBe(sha);
  });
});
