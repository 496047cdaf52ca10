/**
 * The public corpus (`tests/fixtures/public/`): real logs people posted, each with a sidecar JSON giving
 * where it came from and the status of every step, labelled by hand from the log text. This module
 * reads the corpus and scores cachewhy's reading of it; the tests and `score.ts` (a development report)
 * both use it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../../src/core/analyze.ts';
import { readLogBuilds } from '../../../../src/core/log/index.ts';
import type { BuildTrace, StepStatus } from '../../../../src/core/model.ts';

export const CORPUS_DIR = join(import.meta.dirname, '../../../fixtures/public');

export type LabelStatus = StepStatus | 'unknown';

export interface LabelledStep {
  label: string;
  instruction?: string;
  status: LabelStatus;
}

export interface BuildRef {
  log: string;
  /** 0-based index among the log's builds. */
  build: number;
}

export interface LabelledPair {
  before: BuildRef;
  after: BuildRef;
  /** Label of the first missed step in the later build; null when it stayed cached. */
  first_miss: string | null;
  why?: string;
}

export interface CorpusEntry {
  id: string;
  source: string;
  date: string;
  kind: string;
  licence: string;
  format: string;
  categories: string[];
  notes: string;
  held_out: boolean;
  builds: { note?: string; steps: LabelledStep[] }[];
  pairs?: LabelledPair[];
}

export function loadCorpus(dir = CORPUS_DIR): CorpusEntry[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<CorpusEntry, 'id'>), id: f.slice(0, -5) }));
}

export function logText(id: string, dir = CORPUS_DIR): string {
  return readFileSync(join(dir, `${id}.log`), 'utf8');
}

/** Labels compare with inner blanks collapsed: `[stage-0  2/34]` and `[ 3/22]` as BuildKit pads them. */
export function normalLabel(label: string): string {
  return label.replace(/\s+/g, ' ').replace(/\[ /, '[').trim();
}

export interface StepVerdict {
  build: number;
  label: string;
  expected: LabelStatus;
  /** null: cachewhy has no such step in that build. */
  actual: StepStatus | null;
}

export interface LogScore {
  id: string;
  refused: string | null;
  buildsExpected: number;
  buildsRead: number;
  steps: StepVerdict[];
}

/** Every labelled step of one log against what cachewhy read (builds matched by position). */
export function scoreLog(entry: CorpusEntry, dir = CORPUS_DIR): LogScore {
  const read = readLogBuilds(logText(entry.id, dir), `${entry.id}.log`);
  const traces: BuildTrace[] = read.ok ? read.value : [];
  const steps: StepVerdict[] = [];
  entry.builds.forEach((build, b) => {
    const trace = traces[b];
    const byLabel = new Map((trace?.steps ?? []).map((s) => [normalLabel(s.label), s.status]));
    for (const step of build.steps) {
      steps.push({ build: b, label: step.label, expected: step.status, actual: byLabel.get(normalLabel(step.label)) ?? null });
    }
  });
  return { id: entry.id, refused: read.ok ? null : read.problem.message, buildsExpected: entry.builds.length, buildsRead: traces.length, steps };
}

export function isRight(v: StepVerdict): boolean {
  return v.expected === 'unknown' || v.expected === v.actual;
}

export interface PairCase {
  id: string;
  pair: LabelledPair;
}

export function pairsOf(entries: CorpusEntry[]): PairCase[] {
  return entries.flatMap((e) => (e.pairs ?? []).map((pair) => ({ id: e.id, pair })));
}

/** The label (as the later build prints it) of the first miss cachewhy names for a labelled pair. */
export function firstMissOf(pair: LabelledPair, dir = CORPUS_DIR): string | null {
  const refs = [pair.before, pair.after];
  const { report } = analyze({
    logs: refs.map((r) => ({ name: `${r.log}.log`, text: logText(r.log, dir), pick: [r.build + 1] })),
    dockerfiles: [],
  });
  const miss = report.diagnosis?.first_miss ?? null;
  if (miss === null) return null;
  const later = readLogBuilds(logText(pair.after.log, dir), `${pair.after.log}.log`);
  const step = later.ok ? later.value[pair.after.build]?.steps.find((s) => s.stage === miss.stage && s.index === miss.index) : undefined;
  return step ? normalLabel(step.label) : `[${miss.stage ?? ''} ${miss.index}] (no such step in the later build)`;
}
