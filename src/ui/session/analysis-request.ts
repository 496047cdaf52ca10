/** What the analysis worker is asked, built from the inputs on screen: which input goes where, in which order. */
import type { InputProblem } from '../../core/model.ts';
import type { InputItem } from '../inputs/input-list.svelte.ts';
import type { AnalyzeRequest, ContextKey, LogInput, TextInput } from '../worker-contract.ts';

/** A build log or a `.dockerbuild` record: each stands for builds, in the order given. */
export function isBuildItem(item: InputItem): boolean {
  return item.role === 'log' || item.role === 'build-record';
}

/** `picks[i]`: the builds chosen of the i-th build item (undefined: all). */
export function analyzeRequestOf(items: InputItem[], picks: (number[] | undefined)[], contexts: (ContextKey | null)[]): AnalyzeRequest {
  const texts = (role: InputItem['role']) => items.filter((i) => i.role === role).map(textInput);
  return {
    logs: items
      .filter(isBuildItem)
      .map((item, i): LogInput => ({ ...textInput(item), pick: picks[i], ...(item.role === 'build-record' ? { record: true as const } : {}) })),
    histories: texts('history-json'),
    dockerfiles: texts('dockerfile'),
    dockerignores: texts('dockerignore'),
    commands: texts('commands'),
    contexts,
  };
}

function textInput(item: InputItem): TextInput {
  const s = item.source;
  return { name: item.name, content: s.type === 'text' ? s.text : s.type === 'file' ? s.file : '' };
}

/** The whole text of a text input (a .dockerignore, a saved report); null for a folder. */
export async function textOf(item: InputItem): Promise<string | null> {
  const s = item.source;
  if (s.type === 'text') return s.text;
  if (s.type === 'file') return s.file.text();
  return null;
}

export function noLogProblem(): InputProblem {
  return {
    input: 'inputs',
    message: 'No build log yet: cachewhy needs the log of at least one build to say what was cached.',
    hint: 'Add the logs of a good (cached) build and of the build that missed, oldest first; paste one in the box if you copied it from a CI page.',
  };
}

export function workerFailedProblem(error: unknown): InputProblem {
  return {
    input: 'analysis',
    message: `The analysis worker failed: ${error instanceof Error ? error.message : String(error)}`,
    hint: 'Reload the page and try again; your files never left this machine.',
  };
}
