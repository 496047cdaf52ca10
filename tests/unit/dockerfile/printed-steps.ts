/**
 * Test helper: the Dockerfile steps a real BuildKit log printed (`[label] instruction`), read with a
 * few regexes so the Dockerfile tests do not depend on the log reader. Handles plain logs (v0.8 with
 * `#N sha256:` lines, modern), CI-prefixed copies, tty final screens and rawjson streams.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface PrintedStep {
  /** The whole bracket, e.g. `[stage-1 2/4]` or `[ 2/34]`. */
  label: string;
  stage: string | null;
  index: number;
  total: number;
  instruction: string;
  truncated: boolean;
}

const LABEL = /^\[(?:(\S+) +)?\s*(\d+)\/(\d+)\]$/;

function toStep(label: string, instruction: string, truncated: boolean): PrintedStep | null {
  const m = LABEL.exec(label);
  if (!m) return null; // [internal], [auth] …
  return { label, stage: m[1] ?? null, index: Number(m[2]), total: Number(m[3]), instruction, truncated };
}

function stripCiPrefix(line: string): string {
  return line.replace(/^\d\d:\d\d:\d\d /, '').replace(/^\[\d{4}-\d\d-\d\dT[^\]]+\] /, '');
}

/** Distinct steps printed in a log, in order of first appearance. */
export function printedSteps(logText: string): PrintedStep[] {
  const out = new Map<string, PrintedStep>();
  const add = (s: PrintedStep | null): void => {
    if (s && !out.has(s.label + ' ' + s.instruction)) out.set(s.label + ' ' + s.instruction, s);
  };
  for (const raw of logText.split(/\r?\n/)) {
    const line = stripCiPrefix(raw);
    let m = /^#\d+ (\[[^\]]+\]) (.+)$/.exec(line);
    if (m) {
      add(toStep(m[1] ?? '', m[2] ?? '', false));
      continue;
    }
    m = /^ => (?:CACHED |ERROR |CANCELED )?(\[[^\]]+\]) (.+?)\s+\d+\.\d+s$/.exec(line);
    if (m) {
      const instruction = m[2] ?? '';
      add(toStep(m[1] ?? '', instruction, instruction.endsWith('...')));
      continue;
    }
    m = /^\s*"name": "((?:[^"\\]|\\.)*)",?$/.exec(line);
    if (m) {
      const name = JSON.parse(`"${m[1] ?? ''}"`) as string;
      const v = /^(\[[^\]]+\]) (.+)$/.exec(name);
      if (v) add(toStep(v[1] ?? '', v[2] ?? '', false));
    }
  }
  return [...out.values()];
}

export const FIXTURES = 'tests/fixtures';

export interface FixtureLog {
  caseDir: string;
  log: string;
  dockerfile: string;
}

/** Case folders with a Dockerfile: every `lab*` case plus `checksum/copy-wildcard`. */
export function dockerfileCases(): string[] {
  const dirs: string[] = [];
  // lab-2026 keeps no commands.txt (its build args and bake targets come from the records) and is checked
  // through the CLI in every input mode in tests/unit/record.
  for (const group of readdirSync(FIXTURES)
    .filter((g) => g.startsWith('lab') && g !== 'lab-2026')
    .sort()) {
    for (const c of readdirSync(join(FIXTURES, group)).sort()) {
      if (existsSync(join(FIXTURES, group, c, 'Dockerfile'))) dirs.push(join(FIXTURES, group, c));
    }
  }
  dirs.push(join(FIXTURES, 'checksum', 'copy-wildcard'));
  return dirs;
}

/** The BuildKit logs of a case (not legacy-builder logs, not logs of other Dockerfiles), with the Dockerfile each built. */
export function buildkitLogs(caseDir: string): FixtureLog[] {
  const hasB = existsSync(join(caseDir, 'Dockerfile.b'));
  return readdirSync(caseDir)
    .filter((f) => f.endsWith('.log') && !/^(legacy-|writer-|dockerd-|registry-)/.test(f))
    .sort()
    .map((log) => ({ caseDir, log, dockerfile: hasB && log.startsWith('b') ? 'Dockerfile.b' : 'Dockerfile' }));
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}
