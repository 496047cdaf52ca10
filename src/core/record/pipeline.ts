/**
 * Where records join the pipeline `analyze` runs: `history inspect` facts attached to the builds read
 * from logs, the Dockerfiles records carry, and the causes two records settle.
 */
import type { TextInput } from '../analyze.ts';
import type { BuildTrace, InputProblem } from '../model.ts';
import { attachFacts } from './facts.ts';
import { readHistoryInspect } from './inspect.ts';

export { recordCauses } from './causes.ts';

/**
 * The i-th inspect output belongs to the i-th build. A build already read from a `.dockerbuild` keeps its
 * record (it holds all inspect says and more).
 */
export function attachHistories(traces: BuildTrace[], histories: TextInput[], problems: InputProblem[]): void {
  if (histories.length === 0) return;
  if (histories.length !== traces.length) {
    problems.push({
      input: 'build records',
      message: `${histories.length} \`history inspect\` outputs were given for ${traces.length} builds; they are matched in order.`,
      hint: 'Give one `docker buildx history inspect --format json` output per build, in the order of the logs.',
    });
  }
  histories.forEach((history, i) => {
    const trace = traces[i];
    const read = readHistoryInspect(history.name, history.text);
    if (!read.ok) problems.push(read.problem);
    else if (trace && !trace.record) attachFacts(trace, read.value);
  });
}

/** One Dockerfile per build, when every build came with its Dockerfile text (max-mode provenance). */
export function dockerfilesOfRecords(traces: BuildTrace[]): TextInput[] {
  const texts = traces.map((t) => t.record?.dockerfile ?? null);
  if (texts.length === 0 || texts.some((t) => t === null)) return [];
  return texts.map((t, i) => ({ name: `${traces[i]!.source}: ${t!.filename}`, text: t!.text }));
}
