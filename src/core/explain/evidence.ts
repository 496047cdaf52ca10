/**
 * Evidence lines quote the inputs: a log line, a Dockerfile line, a command-line flag, a file path with
 * the field that changed. One formatter per kind, so every cause words them the same way.
 */
import type { BuildPlan, BuildTrace, ChangedFile, PlanStep, Step } from '../model.ts';
import { printedWord } from './printed.ts';

function vertexPrefix(step: Step): string {
  const v = step.vertices[0];
  return v !== undefined ? `#${v} ` : '';
}

/** `b.log: #7 [ 2/34] ADD … → DONE 12.7s` */
export function logLine(trace: BuildTrace, step: Step): string {
  return `${trace.source}: ${vertexPrefix(step)}${step.label} ${step.instruction} → ${printedWord(step)}`;
}

/** `b.log: #7 [ 2/34] ADD … → DONE 12.7s (a.log: CACHED)` */
export function missLine(earlier: BuildTrace, before: Step | null, later: BuildTrace, after: Step): string {
  const was = before ? ` (${earlier.source}: ${printedWord(before)})` : '';
  return `${logLine(later, after)}${was}`;
}

/** `Dockerfile:2  ADD …`, the step's first line, with a marker when it continues on more lines. */
export function dockerfileLine(plan: BuildPlan, ps: PlanStep): string {
  const text = plan.lines[ps.line - 1] ?? ps.instruction;
  const more = ps.endLine > ps.line ? ` (… to line ${ps.endLine})` : '';
  return `${plan.source}:${ps.line}  ${text.trim()}${more}`;
}

/** Any Dockerfile line by number: `Dockerfile:3  ENV APP_MODE=dev`. */
export function dockerfileLineAt(plan: BuildPlan, line: number): string {
  return `${plan.source}:${line}  ${(plan.lines[line - 1] ?? '').trim()}`;
}

/** `.aws/cli/cache/x.json: added` or `run.sh: mode (0644 → 0600)`. */
export function fileLine(file: ChangedFile): string {
  return `${file.path}: ${file.change}${file.detail ? ` (${file.detail})` : ''}`;
}

/** Shortens a digest for prose (`sha256:5d29f3c6…`), keeps evidence lines readable. */
export function shortDigest(digest: string): string {
  const m = /^(sha256:)?([0-9a-f]{12})[0-9a-f]+$/.exec(digest);
  return m ? `${m[1] ?? ''}${m[2]}…` : digest;
}

/** Caps a list of evidence lines, saying how many were left out. */
export function capped(lines: string[], max: number): string[] {
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max), `… and ${lines.length - max} more`];
}

/** What happened to a file, as a clause: `` `x.json` appeared in the context ``. */
export function fileChangePhrase(f: ChangedFile): string {
  switch (f.change) {
    case 'added':
      return `\`${f.path}\` appeared in the context`;
    case 'removed':
      return `\`${f.path}\` disappeared from the context`;
    case 'mode':
      return `the permissions of \`${f.path}\` changed${f.detail ? ` (${f.detail})` : ''}`;
    case 'now-included':
      return `\`${f.path}\` is no longer excluded by .dockerignore`;
    case 'now-excluded':
      return `\`${f.path}\` is now excluded by .dockerignore`;
    case 'symlink':
      return `the symlink \`${f.path}\` points elsewhere`;
    case 'type':
      return `\`${f.path}\` changed type`;
    case 'xattr':
      return `the extended attributes of \`${f.path}\` changed`;
    default:
      return `\`${f.path}\` changed`;
  }
}
