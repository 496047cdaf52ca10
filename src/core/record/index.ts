/**
 * Build records: `.dockerbuild` exports (Docker Desktop's Builds → Export, `docker buildx history
 * export`) and `docker buildx history inspect --format json`, read into the BuildTrace a log gives plus
 * what only a record knows (RecordFacts), and the exact causes two records settle.
 */
import type { ReadLogInput } from '../analyze.ts';
import type { ByteSource } from '../context/stream.ts';
import { readRecordArchive } from './read.ts';

export { readRecordArchive } from './read.ts';
export { readHistoryInspect } from './inspect.ts';
export { attachFacts } from './facts.ts';
export { recordCauses } from './causes.ts';
export { isRecordArchiveHead } from './sniff.ts';

/** A `.dockerbuild` as the pipeline takes a log (`analyze({ logs })`). Never throws. */
export async function readRecordInput(name: string, source: ByteSource | Uint8Array): Promise<ReadLogInput> {
  try {
    return { name, read: await readRecordArchive(name, source) };
  } catch (error) {
    return {
      name,
      read: { ok: false, problem: { input: name, message: `${name} could not be read: ${error instanceof Error ? error.message : String(error)}.` } },
    };
  }
}
