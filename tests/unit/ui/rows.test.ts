/**
 * The timeline rows the app draws, derived from the Report alone, over the real lab cases: each step
 * row shows what each build did, the step label people know from the log, and points at the right
 * Dockerfile line; cascade rows link to a root miss.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, type TextInput } from '../../../src/core/analyze.ts';
import { indexContext } from '../../../src/core/context/index.ts';
import type { ContextIndex, Report } from '../../../src/core/model.ts';
import { loadHasher } from '../../../src/cli/hasher.ts';
import { openTarFile } from '../../../src/cli/folder.ts';
import { stepKey, timelineRows } from '../../../src/ui/report/rows.ts';

const LAB = join(import.meta.dirname, '../../fixtures/lab');
const read = (dir: string, file: string): TextInput => ({ name: file, text: readFileSync(join(LAB, dir, file), 'utf8') });

async function contextOf(dir: string, file: string): Promise<ContextIndex | null> {
  const result = await indexContext(await openTarFile(join(LAB, dir, file)), { name: file, hasher: await loadHasher() });
  return result.ok ? result.value : null;
}

interface Truth {
  first_miss_step: string | null;
  b_missed_steps: string[];
  b_cached_steps: string[];
}

/** `[ 2/34] ADD …` or `[builder 2/3] RUN …` → the row key and label the app uses. */
function parseLabel(vertex: string): { key: string; label: string } {
  const m = /^\[\s*(?:(\S+)\s+)?(\d+)\/(\d+)\]/.exec(vertex);
  if (!m) throw new Error(`not a step label: ${vertex}`);
  const stage = m[1] ?? null;
  return { key: stepKey({ stage, index: Number(m[2]) }), label: `${stage ? stage + ' ' : ''}${m[2]}/${m[3]}` };
}

async function reportOf(dir: string): Promise<Report> {
  const dockerfiles = [read(dir, 'Dockerfile'), ...(existsSync(join(LAB, dir, 'Dockerfile.b')) ? [read(dir, 'Dockerfile.b')] : [])];
  const { report } = analyze({
    logs: [read(dir, 'a.log'), read(dir, 'b.log')],
    dockerfiles,
    contexts: [await contextOf(dir, 'context-a.tar'), await contextOf(dir, 'context-b.tar')],
  });
  return report;
}

const CASES = [
  'copy-file-content',
  'add-dir-new-file',
  'mode-only',
  'arg-used',
  'multistage',
  'failed-build',
  'seed-replica',
  'dockerignore-change',
  'instruction-edit',
];

describe('timeline rows from a real report', () => {
  it.each(CASES)('%s: each step shows what build b did, under the label of the log', async (dir) => {
    const truth = JSON.parse(readFileSync(join(LAB, dir, 'truth.json'), 'utf8')) as Truth;
    const rows = timelineRows(await reportOf(dir));
    const byKey = new Map(rows.map((r) => [r.key, r]));
    for (const vertex of truth.b_missed_steps) {
      const { key, label } = parseLabel(vertex);
      const row = byKey.get(key);
      expect(row, vertex).toBeDefined();
      expect(row!.label).toBe(label);
      expect(['built', 'error', 'canceled'], vertex).toContain(row!.cells[1]?.status);
    }
    for (const vertex of truth.b_cached_steps) {
      const row = byKey.get(parseLabel(vertex).key);
      expect(row?.cells[1]?.status, vertex).toBe('cached');
    }
  });

  it.each(CASES)('%s: a step row points at its own Dockerfile line', async (dir) => {
    const report = await reportOf(dir);
    const lines = report.dockerfile?.lines ?? [];
    const rows = timelineRows(report).filter((r) => r.line !== null);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const keyword = row.instruction.split(/\s+/)[0]!.toUpperCase();
      const text = lines[row.line! - 1] ?? '';
      expect(text.trimStart().toUpperCase().startsWith(keyword), `${row.label} → line ${row.line}: ${text}`).toBe(true);
    }
  });

  it('seed-replica: the first miss is the root, the 32 steps after it link back to it', async () => {
    const rows = timelineRows(await reportOf('seed-replica'));
    expect(rows).toHaveLength(34);
    const root = rows.find((r) => r.role === 'root-miss');
    expect(root?.label).toBe('2/34');
    expect(root?.line).toBe(2);
    const cascade = rows.filter((r) => r.role === 'cascade');
    expect(cascade).toHaveLength(32);
    for (const row of cascade) expect(row.becauseOf).toEqual({ key: root!.key, label: '2/34' });
  });

  it('one log alone gives rows straight from its steps (no diagnosis needed)', () => {
    const { report } = analyze({ logs: [read('copy-file-content', 'b.log')], dockerfiles: [] });
    const rows = timelineRows({ ...report, diagnosis: null });
    const steps = report.builds[0]!.steps;
    expect(rows.map((r) => r.key)).toEqual(steps.map((s) => stepKey(s)));
    expect(rows.map((r) => r.cells[0]?.status)).toEqual(steps.map((s) => s.status));
  });
});
