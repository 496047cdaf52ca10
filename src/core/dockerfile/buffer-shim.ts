/**
 * dockerfile-ast 0.7.1 calls Node's `Buffer.from(char, "UTF-8")` on every parse (to detect a UTF-8 byte
 * order mark in `Util.isUTF8BOM`). Browsers and workers have no `Buffer`, so the parse would throw there,
 * while Vitest in Node never notices. The only use is `Uint8Array.from(Buffer.from(s))`, so a `from` that
 * returns the UTF-8 bytes is all it needs: TextEncoder does exactly that and exists everywhere.
 *
 * Import this module before calling `DockerfileParser.parse`. It never replaces a real Buffer.
 */

interface BufferLike {
  from(s: string): Uint8Array;
}

export function installBufferShim(): void {
  const g = globalThis as { Buffer?: BufferLike };
  if (typeof g.Buffer === 'undefined') {
    const encoder = new TextEncoder();
    g.Buffer = { from: (s: string) => encoder.encode(s) };
  }
}

installBufferShim();
