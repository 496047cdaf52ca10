/**
 * Comparing instruction texts the way they reach us: the Dockerfile as written (`RUN echo "V=$V"`),
 * the vertex name BuildKit printed (`RUN echo "V=1"`, variables expanded, maybe cut by a terminal or
 * `PROGRESS_NO_TRUNC=0`), and image references that BuildKit normalises (`docker.io/…`, `@sha256:`).
 */
import { imageRefKey as normaliseImageRef } from '../dockerfile/image-ref.ts';

/** Collapses runs of whitespace so that padding and line continuations do not count as edits. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The instruction keyword (`RUN`, `COPY`, …) in upper case, '' when there is none. */
export function keywordOf(instruction: string): string {
  const m = /^\s*([A-Za-z]+)/.exec(instruction);
  return m?.[1]?.toUpperCase() ?? '';
}

/** `$NAME` and `${NAME…}` references in a Dockerfile text, in order, without duplicates. */
export function variablesIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1] ?? m[2];
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

const VARIABLE = /\$\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Two image references compared as one key; the rule lives with the other image-reference rules. */
export { normaliseImageRef };

/** The image reference of a `FROM` text (`FROM --platform=x img AS name` → `img`), or null. */
export function imageRefOfFrom(instruction: string): string | null {
  const words = squash(instruction).split(' ');
  if ((words[0] ?? '').toUpperCase() !== 'FROM') return null;
  const ref = words.slice(1).find((w) => !w.startsWith('--'));
  return ref ?? null;
}

/** The `@sha256:` digest pinned or resolved in an image reference, null when none. */
export function digestOfRef(ref: string): string | null {
  const m = /@(sha256:[0-9a-f]{64})/i.exec(ref);
  return m?.[1] ?? null;
}

/** A log text ends with `...` when BuildKit or a terminal cut it. */
export function stripEllipsis(text: string): { text: string; cut: boolean } {
  const t = text.trimEnd();
  if (t.endsWith('...')) return { text: t.slice(0, -3), cut: true };
  if (t.endsWith('…')) return { text: t.slice(0, -1), cut: true };
  return { text: t, cut: false };
}

/**
 * Does the instruction a log printed belong to this Dockerfile text?
 * Variables in the Dockerfile text match any expansion; a cut log text matches by prefix; `FROM`
 * compares normalised image references; a heredoc's name shows only its first line, so a heredoc
 * matches on its keyword and opening.
 */
export function instructionMatches(logText: string, logTruncated: boolean, planText: string): boolean {
  const log = squash(logText);
  const plan = squash(planText);
  if (log === plan) return true;
  const kw = keywordOf(log);
  if (kw !== keywordOf(plan)) return false;
  if (kw === 'FROM') {
    const a = imageRefOfFrom(log);
    const b = imageRefOfFrom(plan);
    if (a && b && normaliseImageRef(a) === normaliseImageRef(b)) return true;
  }
  if (/<<-?["']?[A-Za-z_]/.test(log) && /<<-?["']?[A-Za-z_]/.test(plan)) {
    const opener = (t: string) => /^(.*?<<-?["']?[A-Za-z_][A-Za-z0-9_]*)/.exec(t)?.[1] ?? t;
    return opener(log) === opener(plan);
  }
  const { text: shown, cut } = stripEllipsis(log);
  const prefixOnly = cut || logTruncated;
  // Build a pattern from the Dockerfile text in which every variable matches anything.
  const parts = plan.split(new RegExp(VARIABLE.source, 'g')).map(escapeRegExp);
  const pattern = parts.join('[\\s\\S]*?');
  if (new RegExp(`^${pattern}$`).test(shown)) return true;
  if (prefixOnly) {
    // The shown text is a prefix of the expanded instruction: compare up to the first variable.
    const literal = squash(plan.split(VARIABLE)[0] ?? '');
    const n = Math.min(literal.length, shown.length);
    return n > kw.length && shown.slice(0, n) === literal.slice(0, n);
  }
  return false;
}

/** Two texts a log printed for the same step differ (after squashing; cut texts compare by prefix). */
export function logTextsDiffer(a: string, aCut: boolean, b: string, bCut: boolean): boolean {
  const x = stripEllipsis(squash(a));
  const y = stripEllipsis(squash(b));
  if (x.text === y.text) return false;
  if (x.cut || y.cut || aCut || bCut) {
    const n = Math.min(x.text.length, y.text.length);
    return x.text.slice(0, n) !== y.text.slice(0, n);
  }
  return true;
}

/** `label` without the brackets: `[stage-0  2/34]` → `stage-0 2/34`. */
export function shortLabel(stage: string | null, index: number, total?: number | null): string {
  const pos = total ? `${index}/${total}` : `${index}`;
  return stage ? `[${stage} ${pos}]` : `[${pos}]`;
}

/** Human byte size, the way BuildKit prints transfer sizes. */
export function bytes(n: number): string {
  if (n < 1000) return `${n}B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(2)}${units[u]}`;
}
