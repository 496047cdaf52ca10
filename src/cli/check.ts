/**
 * `cachewhy check`: the CI gate. Exits 0 when the later build found CACHED every step it should have,
 * 1 when a step missed that should not have (printing the step, the cause with its evidence and the
 * time lost), and writes the report files CI systems show (Markdown or JSON, JUnit XML). The decision is
 * `runGate` (core/gate); this module only words it and writes the files.
 */
import { writeFile } from 'node:fs/promises';
import { label, runGate, type GateMiss, type GateOptions, type GateResult } from '../core/gate/index.ts';
import type { CauseKind, Report } from '../core/model.ts';
import { toMarkdown, verdictOf } from '../core/report/index.ts';
import { seconds } from '../core/report/time-words.ts';
import { toJunit } from '../core/report/junit.ts';
import { githubOutputs, type GithubEnv } from './github.ts';

export interface CheckOptions extends GateOptions {
  /** `--report FILE`: Markdown when FILE ends in `.md`, else the JSON report. */
  reportFile: string | null;
  junitFile: string | null;
  /** `--github`: annotations, step summary and outputs for GitHub Actions. */
  github: boolean;
  /** Where the app is hosted, for the share link among the GitHub outputs. */
  base: string;
}

export const CHECK_PASS = 0;
export const CHECK_FAIL = 1;
export const CHECK_INPUT = 2;
/** Not 1: a CI job must tell "the cache missed" from "cachewhy broke". */
export const CHECK_INTERNAL = 3;

export interface CheckIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env?: GithubEnv;
}

export async function runCheck(report: Report, options: CheckOptions, io: CheckIO): Promise<number> {
  const gate = runGate(report, options);
  if (gate.verdict === 'no-comparison') {
    io.stderr('cachewhy check: nothing to compare: give the logs of two builds, earlier first (or one log that holds both)\n');
    return CHECK_INPUT;
  }
  io.stdout(checkText(report, gate));
  const written = await writeReports(report, gate, options, io);
  if (!written) return CHECK_INPUT;
  if (options.github) await githubOutputs(report, gate, io.env ?? process.env, io.stdout, options.base);
  return gate.verdict === 'pass' ? CHECK_PASS : CHECK_FAIL;
}

async function writeReports(report: Report, gate: GateResult, options: CheckOptions, io: CheckIO): Promise<boolean> {
  const files: [string | null, () => string][] = [
    [options.reportFile, () => (options.reportFile!.endsWith('.md') ? toMarkdown(report) : `${JSON.stringify(report, null, 2)}\n`)],
    [options.junitFile, () => toJunit(report, gate)],
  ];
  for (const [path, text] of files) {
    if (!path) continue;
    try {
      await writeFile(path, text());
    } catch (error) {
      io.stderr(`cachewhy check: cannot write ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
      return false;
    }
  }
  return true;
}

/** The gate's answer for a terminal or a CI log: the verdict line, then each miss with its evidence. */
export function checkText(report: Report, gate: GateResult): string {
  const name = label(report);
  const later = report.builds[gate.later]?.source ?? 'the later build';
  const earlier = report.builds[gate.earlier]?.source ?? 'the earlier build';
  const out = [`cachewhy check: ${gate.verdict.toUpperCase()}: ${headline(gate, earlier, later)}`];
  for (const miss of gate.misses) out.push(...missLines(miss, name, later, gate.sameInputs));
  out.push('', verdictOf(report), '', 'cachewhy --markdown with the same files prints the full report.');
  return out.join('\n') + '\n';
}

function headline(gate: GateResult, earlier: string, later: string): string {
  const counted = gate.misses.filter((m) => m.allowedBy === null);
  const allowed = gate.misses.length - counted.length;
  const allowedText = allowed > 0 ? ` (${allowed} allowed miss${allowed === 1 ? '' : 'es'})` : '';
  if (counted.length === 0 && gate.misses.length === 0) return `every step CACHED in ${earlier} was CACHED in ${later}.`;
  if (counted.length === 0) return `no step missed that should have been CACHED${allowedText}.`;
  const cost = gate.countedSeconds === null ? 'an unknown time (no durations in the log)' : seconds(gate.countedSeconds);
  const misses = `${counted.length} step${counted.length === 1 ? '' : 's'} missed the cache in ${later}, costing ${cost}`;
  if (gate.withinBudget) return `${misses}, within --max-lost-seconds ${gate.maxLostSeconds}${allowedText}.`;
  const over =
    gate.maxLostSeconds !== null
      ? gate.untimed > 0
        ? ` (${gate.untimed} step(s) untimed: the budget cannot be proven)`
        : `, more than --max-lost-seconds ${gate.maxLostSeconds}`
      : '';
  const repro = gate.sameInputs ? ' Both builds had the same inputs: the build is not reproducible.' : '';
  return `${misses}${over}${allowedText}.${repro}`;
}

function missLines(miss: GateMiss, name: (s: GateMiss['root']) => string, later: string, sameInputs: boolean): string[] {
  const where = miss.line ? ` (Dockerfile line ${miss.line})` : '';
  const status = miss.allowedBy !== null ? `allowed by --allow-miss ${JSON.stringify(miss.allowedBy)}` : 'MISSED';
  const out = ['', `${name(miss.root)} ${miss.root.instruction ?? ''}${where}: ${status}`];
  const cause = miss.cause;
  out.push(
    cause
      ? `  cause: ${cause.kind} (${cause.confidence} confidence): ${cause.summary}`
      : '  cause: the inputs do not show what changed (give the Dockerfile and both contexts)',
  );
  for (const line of cause?.evidence.slice(0, 6) ?? []) out.push(`    | ${line}`);
  out.push(`  time lost: ${lostText(miss, later)}`);
  if (sameInputs && miss.allowedBy === null) out.push(`  non-determinism: ${NON_DETERMINISM[cause?.kind ?? 'none']}`);
  return out;
}

function lostText(miss: GateMiss, later: string): string {
  const steps = `the step${miss.cascade > 0 ? ` and the ${miss.cascade} step${miss.cascade === 1 ? '' : 's'} rebuilt after it` : ''}`;
  const lost = miss.lost;
  if (!lost || lost.seconds === null) return `unknown: ${later} prints no durations for ${steps}`;
  const partial = lost.untimed > 0 ? ` (at least: ${lost.untimed} of them untimed)` : '';
  return `${seconds(lost.seconds)} rebuilding ${steps} in ${later}${partial}`;
}

/** What a miss between two builds of the same inputs says about the build, per cause. */
const NON_DETERMINISM: Record<CauseKind, string> = {
  'context-changed':
    'a file in the build context differs between two builds of the same commit: something writes it before the build (a generated file, a build stamp, a tool cache). Generate it inside the Dockerfile or add it to .dockerignore.',
  'build-arg-changed':
    'a build arg had another value on each run (a timestamp, a build number, a random value). Pass it to the last step that needs it, or not at all.',
  'instruction-changed': 'the Dockerfile differs between the two runs: it is generated, and not deterministically.',
  'base-image-changed': 'the base image resolved to another digest between the runs: pin it by digest.',
  'cache-unavailable':
    'the builder did not keep or import the cache between the runs (another builder, a prune, --cache-from without --cache-to, or a cache mount used as a cache key).',
  'no-cache': 'the second run was built with --no-cache.',
  'upstream-rebuilt': 'a stage it copies from rebuilt with another output: a RUN there writes something that differs each run (a date, a download).',
  none: 'the inputs show no change: a RUN whose output differs each run (a date, a download) feeding a later COPY --from, or a cache mount misused.',
};
