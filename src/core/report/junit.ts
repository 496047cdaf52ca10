/**
 * The gate as JUnit XML, the one test report every CI shows without a plugin (Jenkins `junit`, GitLab
 * `artifacts:reports:junit`, Azure `PublishTestResults`): one test case per Dockerfile step of the later
 * build. CACHED passes; a miss that counts fails with its cause and evidence; an allowed miss passes and
 * says why; a cascade step is skipped with the root it follows (its failure is the root's); a step that
 * failed to build is an error. Checked against the JUnit XSD Jenkins uses (tests/fixtures/junit).
 */
import type { GateMiss, GateResult } from '../gate/index.ts';
import { label } from '../gate/index.ts';
import type { DiagnosisStep, Report } from '../model.ts';

type Outcome = { kind: 'pass'; out?: string } | { kind: 'failure' | 'error' | 'skipped'; type: string; message: string; body: string };

export function toJunit(report: Report, gate: GateResult): string {
  const d = report.diagnosis;
  const name = label(report);
  const later = report.builds[gate.later]?.source ?? 'later build';
  const steps = (d?.steps ?? []).filter((s) => s.status_by_build[gate.later] != null);
  const cases = steps.map((step) => ({ step, outcome: outcomeOf(step, gate, name) }));
  const count = (kind: Outcome['kind']) => cases.filter((c) => c.outcome.kind === kind).length;
  const time = cases.reduce((t, c) => t + (c.step.duration_by_build?.[gate.later] ?? 0), 0);
  const suite = attrs({
    name: `cachewhy: ${later} against ${report.builds[gate.earlier]?.source ?? 'earlier build'}`,
    tests: cases.length,
    failures: count('failure'),
    errors: count('error'),
    skipped: count('skipped'),
    time: time.toFixed(1),
  });
  const body = cases.map(({ step, outcome }) => testcase(step, outcome, name, gate.later));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cachewhy">`,
    `  <testsuite ${suite}>`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function outcomeOf(step: DiagnosisStep, gate: GateResult, name: (s: DiagnosisStep | GateMiss['root']) => string): Outcome {
  const miss = gate.misses.find((m) => m.root.stage === step.stage && m.root.index === step.index);
  if (miss) return missOutcome(miss, gate);
  if (step.role === 'cascade' && step.because_of) {
    return { kind: 'skipped', type: 'cascade', message: `cascade: rebuilt because ${name(step.because_of)} missed`, body: '' };
  }
  const status = step.status_by_build[gate.later];
  if (status === 'error') return { kind: 'error', type: 'build-failed', message: 'the step failed in this build', body: '' };
  if (status === 'built') return { kind: 'pass', out: 'ran, but was not CACHED in the earlier build either: no cached result was lost' };
  return { kind: 'pass' };
}

function missOutcome(miss: GateMiss, gate: GateResult): Outcome {
  const cause = miss.cause;
  const why = cause ? `${cause.kind} (${cause.confidence} confidence): ${cause.summary}` : 'the inputs do not show what changed';
  const lost =
    miss.lost?.seconds != null
      ? `time lost: ${miss.lost.seconds} s (the step and ${miss.cascade} cascade steps)`
      : 'time lost: unknown (no durations in the log)';
  const body = [...(cause?.evidence ?? []), lost].join('\n');
  if (miss.allowedBy !== null) return { kind: 'pass', out: `missed, allowed by --allow-miss ${miss.allowedBy}: ${why}\n${body}` };
  // Within --max-lost-seconds the gate passes: the case passes too, so CI and the exit code agree.
  if (gate.withinBudget) return { kind: 'pass', out: `missed, within --max-lost-seconds ${gate.maxLostSeconds}: ${why}\n${body}` };
  return { kind: 'failure', type: cause?.kind ?? 'cache-miss', message: `cache miss: ${why}`, body };
}

function testcase(step: DiagnosisStep, outcome: Outcome, name: (s: DiagnosisStep) => string, later: number): string {
  const time = step.duration_by_build?.[later];
  // No file/line attributes: the junit-10.xsd Jenkins validates with does not allow them (the evidence quotes `Dockerfile:N`).
  const a = attrs({ classname: 'Dockerfile', name: `${name(step)} ${step.instruction}`, ...(time != null ? { time: time.toFixed(1) } : {}) });
  if (outcome.kind === 'pass')
    return outcome.out ? `    <testcase ${a}>\n      <system-out>${text(outcome.out)}</system-out>\n    </testcase>` : `    <testcase ${a}/>`;
  const inner = `<${outcome.kind} ${attrs({ type: outcome.type, message: outcome.message })}${outcome.body ? `>${text(outcome.body)}</${outcome.kind}>` : '/>'}`;
  return `    <testcase ${a}>\n      ${inner}\n    </testcase>`;
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}="${text(String(v)).replace(/"/g, '&quot;').replace(/\n/g, '&#10;')}"`)
    .join(' ');
}

/** XML text: escaped, and without the control characters XML 1.0 cannot carry at all (ANSI escapes in a log). */
function text(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- these control characters are exactly what XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
  );
}
