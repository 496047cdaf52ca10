/**
 * Tars that cost no disk and no memory: headers and content synthesised on the fly as a stream, so a
 * test can feed a 2 GB context or a million entries and measure what the reader itself keeps.
 * (The small hand-made archives come from tests/unit/context/helpers.ts `writeTar`.)
 */

function octal(block: Uint8Array, at: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, '0');
  for (let i = 0; i < length - 1; i++) block[at + i] = text.charCodeAt(i);
  block[at + length - 1] = 0;
}

/** A ustar header for a regular file (or dir), checksum filled in. */
export function ustarHeader(name: string, size: number, flag = '0', mode = 0o644): Uint8Array {
  const block = new Uint8Array(512);
  const bytes = new TextEncoder().encode(name);
  if (bytes.length > 100) throw new Error(`name too long for a plain header: ${name}`);
  block.set(bytes, 0);
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, size);
  octal(block, 136, 12, 1704067200);
  block[156] = flag.charCodeAt(0);
  block.set([0x75, 0x73, 0x74, 0x61, 0x72, 0, 0x30, 0x30], 257); // "ustar\0" "00"
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  octal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
}

export interface SynthFile {
  name: string;
  size: number;
}

/**
 * A tar stream of `count` entries, chunked at about `chunkBytes`. File content is a cheap repeating
 * pattern (the reader hashes it; what it is does not matter). Nothing is kept between chunks except one
 * reusable pattern buffer.
 */
export async function* synthTar(count: number, entry: (i: number) => SynthFile, chunkBytes = 1 << 20): AsyncGenerator<Uint8Array> {
  const pattern = new Uint8Array(chunkBytes);
  for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31 + 7) & 0xff;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = function* (): Generator<Uint8Array> {
    if (pendingBytes === 0) return;
    const out = new Uint8Array(pendingBytes);
    let at = 0;
    for (const p of pending) {
      out.set(p, at);
      at += p.length;
    }
    pending = [];
    pendingBytes = 0;
    yield out;
  };
  for (let i = 0; i < count; i++) {
    const { name, size } = entry(i);
    pending.push(ustarHeader(name, size));
    pendingBytes += 512;
    if (pendingBytes >= chunkBytes) yield* flush();
    if (size === 0) continue;
    yield* flush();
    let left = size + ((512 - (size % 512)) % 512);
    while (left > 0) {
      const take = Math.min(left, pattern.length);
      // Padding bytes past `size` are pattern bytes too: the reader skips them without looking.
      yield pattern.subarray(0, take);
      left -= take;
    }
  }
  pending.push(new Uint8Array(1024));
  pendingBytes += 1024;
  yield* flush();
}

/** The same stream as a web ReadableStream (what the browser's File.stream() gives). */
export function synthTarStream(count: number, entry: (i: number) => SynthFile): ReadableStream<Uint8Array> {
  const source = synthTar(count, entry);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await source.return(undefined);
    },
  });
}
