/**
 * Build logs → BuildTrace. One reader per format, chosen by content:
 *   buildkit-plain (plain.ts), buildkit-tty (tty.ts), buildkit-rawjson (rawjson.ts), legacy (legacy.ts);
 *   `docker compose build` output is plain or tty with the service inside the brackets.
 * CI decoration (timestamps, job prefixes, ANSI) is stripped first (lines.ts).
 */
import type { BuildTrace, InputProblem, Result } from '../model.ts';
import { assemble } from './assemble.ts';
import { readLegacy } from './legacy.ts';
import { readPlain } from './plain.ts';
import { readRawJson } from './rawjson.ts';
import { sniff } from './sniff.ts';
import { readTty } from './tty.ts';

export { sniffLogFormat } from './sniff.ts';
export { FROM_RESOLVE_NOTE, REMOTE_CACHE_NOTE } from './assemble.ts';

const HINT =
  'Give the output of `docker build --progress=plain …` (or `docker buildx build`), the tty output copied from a terminal, a `--progress=rawjson` stream, a legacy-builder log, or `docker compose build` output.';

export function readLog(text: string, source: string): Result<BuildTrace> {
  if (typeof text !== 'string') {
    return { ok: false, problem: { input: source, message: `${source} is not text.`, hint: HINT } };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!/\S/.test(text)) {
    return { ok: false, problem: { input: source, message: `${source} is empty.`, hint: HINT } };
  }
  if (looksBinary(text)) {
    return {
      ok: false,
      problem: { input: source, message: `${source} looks like binary data, not a build log.`, hint: HINT },
    };
  }
  const sniffed = sniff(text);
  if (!sniffed) {
    return {
      ok: false,
      problem: {
        input: source,
        message: `${source} does not look like a Docker build log: no BuildKit step lines (\`#1 [internal] …\`, \`=> [2/5] …\`), no legacy \`Step 1/5 : …\` lines, no rawjson objects.`,
        hint: HINT,
      },
    };
  }
  try {
    switch (sniffed.format) {
      case 'legacy': {
        const problems: InputProblem[] = [];
        const value = readLegacy(text, source, sniffed.plan, problems);
        return problems.length > 0 ? { ok: true, value, problems } : { ok: true, value };
      }
      case 'buildkit-rawjson':
        return assemble(readRawJson(text, source, sniffed.plan));
      case 'buildkit-tty':
        return assemble(readTty(text, source, sniffed.plan));
      case 'compose':
      case 'buildkit-plain': {
        // compose output is plain or tty; the service inside the brackets is found while assembling.
        // `[ \t]*`, not `\s*`: with /m, `\s*` runs across line ends from every `^`, which is quadratic on a
        // run of blank lines or bare CRs (200k CRs took 20 s).
        const ttyLike = /^[ \t]*(?:\[\+\] Building|=> )/m.test(text.slice(0, 65536)) && !/^#\d+ \[/m.test(text.slice(0, 65536));
        return assemble(ttyLike ? readTty(text, source, sniffed.plan) : readPlain(text, source, sniffed.plan));
      }
    }
  } catch (err) {
    return {
      ok: false,
      problem: {
        input: source,
        message: `${source} could not be read: ${err instanceof Error ? err.message : String(err)}.`,
        hint: 'This is a bug in cachewhy; please report it with the log (redacted).',
      },
    };
  }
}

/** NUL bytes or many control characters in the first 4 KB mean this is not a text log. */
function looksBinary(text: string): boolean {
  const head = text.slice(0, 4096);
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 27) || c === 0xfffd) control++;
  }
  return control > head.length * 0.1;
}
