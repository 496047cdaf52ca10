/**
 * `instruction-changed`: the step's own text, or something before it in its stage that enters a RUN's
 * key (ENV, ARG default, USER, SHELL), differs between the Dockerfiles of the two builds.
 *
 * Two Dockerfiles show it directly — even an edit below a heredoc's first line, which the vertex name
 * (`RUN <<EOT (first line...)`) hides. With one Dockerfile, the logs still show a changed text when
 * the name shows it; LABEL, CMD, EXPOSE… never enter a step's key and are not counted.
 */
import type { BuildPlan, CauseValue, PlanStep, StepRef } from '../../model.ts';
import type { AlignedRow } from '../align.ts';
import { dockerfileLine, dockerfileLineAt } from '../evidence.ts';
import { logTextsDiffer, squash, variablesIn } from '../text.ts';
import type { Candidate, Finding, PairView } from './view.ts';
import { logLineOf, missEvidence, stepName, stepRefOf } from './view.ts';

/** Directives that enter the key of later RUNs of the stage. */
const RUN_KEY_DIRECTIVES = new Set(['ENV', 'ARG', 'USER', 'SHELL']);

function sourceText(plan: BuildPlan, ps: PlanStep): string {
  return plan.lines.slice(ps.line - 1, ps.endLine).join('\n');
}

function differingEntries(a: Record<string, string | null>, b: Record<string, string | null>): string[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return names.filter((n) => a[n] !== b[n]);
}

/** The directives of a stage up to a line, as `KEYWORD text` strings. */
function directivesBefore(plan: BuildPlan, stagePosition: number, line: number): { keyword: string; text: string; line: number }[] {
  return plan.directives
    .filter((d) => d.stagePosition === stagePosition && d.line < line && RUN_KEY_DIRECTIVES.has(d.keyword.toUpperCase()))
    .map((d) => ({ keyword: d.keyword.toUpperCase(), text: squash(d.text), line: d.line }));
}

/** One step as both Dockerfiles give it. */
interface TwoVersions {
  v: PairView;
  root: AlignedRow;
  name: string;
  step: StepRef;
  planE: BuildPlan;
  planL: BuildPlan;
  psE: PlanStep;
  psL: PlanStep;
}

export function instructionCause(v: PairView, root: AlignedRow): Finding {
  const psE = root.plans[v.earlier] ?? null;
  const psL = root.plans[v.later] ?? null;
  // Two Dockerfile texts (one per build) that differ; the same text read twice (with each build's
  // build args) is one Dockerfile.
  if (v.planE !== null && v.planL !== null && v.planE.lines.join('\n') !== v.planL.lines.join('\n')) {
    if (!psE || !psL) return { candidates: [stepShifted(v, root, v.planE, v.planL, psE, psL)], ruledOut: [] };
    return twoDockerfileCauses({ v, root, name: stepName(root), step: stepRefOf(root), planE: v.planE, planL: v.planL, psE, psL });
  }
  return { candidates: logOnlyCauses(v, root, psE, psL), ruledOut: [] };
}

function stepShifted(v: PairView, root: AlignedRow, planE: BuildPlan, planL: BuildPlan, psE: PlanStep | null, psL: PlanStep | null): Candidate {
  return {
    kind: 'instruction-changed',
    confidence: 'high',
    step: stepRefOf(root),
    summary: `${stepName(root)} is ${psE ? 'missing from' : 'new in'} ${planL.source}: steps were added or removed, so this position holds another instruction now.`,
    sub_kind: 'step-shifted',
    instruction_diff: { ...(psE ? { before: psE.written ?? psE.instruction } : {}), ...(psL ? { after: psL.written ?? psL.instruction } : {}) },
    evidence: [...(psL ? [dockerfileLine(planL, psL)] : []), ...(psE ? [dockerfileLine(planE, psE)] : []), ...missEvidence(v, root)],
    weight: 8,
  };
}

function twoDockerfileCauses(t: TwoVersions): Finding {
  const edit = textEdited(t);
  const candidates = [
    ...(edit ? [edit] : []),
    ...(t.root.keyword !== 'RUN' && !edit ? envExpanded(t) : []),
    ...(t.root.keyword === 'RUN' ? earlierLines(t) : []),
  ];
  const { planE, planL } = t;
  const where = planE.source === planL.source ? `both builds' ${planL.source}` : `${planE.source} and ${planL.source}`;
  return { candidates, ruledOut: candidates.length === 0 ? [`the step and the lines before it read the same in ${where}: not an edit`] : [] };
}

/** The step's own text differs: an edit, a heredoc body edited below its first line, a step inserted or removed. */
function textEdited({ v, root, name, step, planE, planL, psE, psL }: TwoVersions): Candidate | null {
  // Compare what was written, not the expanded text: a --build-arg expands differently without an edit.
  const textE = sourceText(planE, psE);
  const textL = sourceText(planL, psL);
  if (squash(textE) === squash(textL) && squash(psE.written ?? textE) === squash(psL.written ?? textL)) return null;
  const hiddenInName = psE.heredoc && squash(psE.instruction) === squash(psL.instruction);
  const shifted = shiftOf(planE, psE, planL, psL);
  return {
    kind: 'instruction-changed',
    confidence: 'high',
    step,
    sub_kind: hiddenInName ? 'heredoc-edited' : shifted === 'inserted' ? 'step-inserted' : shifted === 'removed' ? 'step-removed' : 'line-edited',
    instruction_diff: { before: textE, after: textL },
    summary: hiddenInName
      ? `${name} missed because its heredoc body was edited between the Dockerfiles; the edit is below the first line, so the step name in the logs is the same and only the Dockerfile shows it.`
      : shifted === 'inserted'
        ? `${name} missed because a step was inserted here in ${planL.source}: every later step of the stage now has another position and another input.`
        : shifted === 'removed'
          ? `${name} missed because the step that was here in ${planE.source} was removed: every later step of the stage now builds on another input.`
          : `${name} missed because its instruction was edited between the Dockerfiles.`,
    evidence: [...changedLines(planE, psE, planL, psL), ...missEvidence(v, root)],
    weight: 9,
  };
}

/** COPY/ADD/WORKDIR read ENV only where their text expands it. */
function envExpanded({ v, root, name, step, planL, psE, psL }: TwoVersions): Candidate[] {
  const used = variablesIn(sourceText(planL, psL)).filter((n) => (n in psE.env || n in psL.env) && psE.env[n] !== psL.env[n]);
  if (used.length === 0) return [];
  const env = used.map((n) => valueChange(n, psE.env, psL.env));
  return [
    {
      kind: 'instruction-changed',
      confidence: 'high',
      step,
      sub_kind: 'env-expanded',
      instruction_diff: { env },
      summary: `${name} missed because ${used.map((n) => `$${n}`).join(', ')} in its text expands to another value (${env.map(envText).join('; ')}).`,
      evidence: [...missEvidence(v, root)],
      weight: 8,
    },
  ];
}

/** ENV, ARG defaults, USER and SHELL before a RUN are part of its key. */
function earlierLines({ v, root, name, step, planE, planL, psE, psL }: TwoVersions): Candidate[] {
  // An ARG value that a --build-arg explains is build-arg-changed, not an edit of its default.
  const given = new Set([...Object.keys(v.commandE?.build_args ?? {}), ...Object.keys(v.commandL?.build_args ?? {})]);
  const env = differingEntries(psE.env, psL.env).map((n) => valueChange(n, psE.env, psL.env));
  const argDefaults = differingEntries(psE.args, psL.args)
    .filter((n) => !given.has(n))
    .map((n) => valueChange(n, psE.args, psL.args));
  const dirsE = directivesBefore(planE, psE.stagePosition, psE.line);
  const dirsL = directivesBefore(planL, psL.stagePosition, psL.line);
  const changedDirs = dirsL.filter((d) => !dirsE.some((e) => e.keyword === d.keyword && e.text === d.text));
  const removedDirs = dirsE.filter((d) => !dirsL.some((e) => e.keyword === d.keyword && e.text === d.text));
  if (env.length === 0 && argDefaults.length === 0 && changedDirs.length === 0 && removedDirs.length === 0) return [];
  const what = [...env.map(envText), ...argDefaults.map((a) => `ARG ${a.name} default: ${a.before ?? '(none)'} → ${a.after ?? '(none)'}`)];
  // A directive's text is its whole line (`USER app`); its values, when there are any, say more.
  const directives = what.length > 0 ? [] : changedDirs.map((d) => d.text);
  const subject = [...what, ...directives].join('; ');
  return [
    {
      kind: 'instruction-changed',
      confidence: 'high',
      step,
      sub_kind: 'earlier-line',
      instruction_diff: {
        ...(env.length > 0 ? { env } : {}),
        ...(argDefaults.length > 0 ? { arg_defaults: argDefaults } : {}),
        ...(directives.length > 0 ? { directives } : {}),
      },
      summary: `${name} missed because an earlier line of its stage changed (${subject}); ENV, ARG, USER and SHELL before a RUN are part of its key.`,
      evidence: [
        ...removedDirs.map((d) => dockerfileLineAt(planE, d.line)),
        ...changedDirs.map((d) => dockerfileLineAt(planL, d.line)),
        ...missEvidence(v, root),
      ],
      weight: 8,
    },
  ];
}

/** One Dockerfile (or none): the logs can still show the step's text changing. */
function logOnlyCauses(v: PairView, root: AlignedRow, psE: PlanStep | null, psL: PlanStep | null): Candidate[] {
  const a = root.logs[v.earlier];
  const b = root.logs[v.later];
  if (!a || !b) return [];
  if (!logTextsDiffer(a.instruction, a.truncated, b.instruction, b.truncated)) return heredocSuspected(v, root, psE, psL);
  const name = stepName(root);
  const step = stepRefOf(root);
  const ps = psL ?? psE;
  const plan = v.planL ?? v.planE;
  const vars = ps ? variablesIn(plan ? sourceText(plan, ps) : ps.instruction) : [];
  const envVars = ps ? vars.filter((n) => n in ps.env) : [];
  const argVars = ps ? vars.filter((n) => n in ps.args) : [];
  const logs = [logLineOf(v, root, 'earlier'), logLineOf(v, root, 'later')].filter((x): x is string => x !== null);
  const texts = { before: a.instruction, after: b.instruction };
  if (envVars.length > 0) {
    return [
      {
        kind: 'instruction-changed',
        confidence: 'medium',
        step,
        sub_kind: 'env-line',
        instruction_diff: { ...texts, env: envVars.map((n) => ({ name: n })) },
        summary: `${name} missed because ${envVars.map((n) => `$${n}`).join(', ')} expanded to another value: an ENV line before it was edited (give the Dockerfile of each build to see the edit).`,
        evidence: logs,
        weight: 7,
      },
    ];
  }
  if (argVars.length > 0) return [];
  return [
    {
      kind: 'instruction-changed',
      confidence: ps || vars.length === 0 ? 'medium' : 'low',
      step,
      sub_kind: 'log-text',
      instruction_diff: texts,
      summary: `${name} missed because its text differs between the logs (\`${a.instruction}\` → \`${b.instruction}\`): the Dockerfile line was edited${vars.length > 0 || !ps ? ', or a variable in it (an ARG or ENV value) expanded differently — give the Dockerfile to tell' : ''}.`,
      evidence: logs,
      weight: 7,
    },
  ];
}

/** A heredoc's vertex name shows its first line only: an edit below it leaves the same name. */
function heredocSuspected(v: PairView, root: AlignedRow, psE: PlanStep | null, psL: PlanStep | null): Candidate[] {
  const b = root.logs[v.later];
  const heredoc = (psL ?? psE)?.heredoc || (b !== null && b !== undefined && /<<-?["']?[A-Za-z_][A-Za-z0-9_]*["']?\s*\(/.test(b.instruction));
  if (!heredoc) return [];
  return [
    {
      kind: 'instruction-changed',
      confidence: 'medium',
      step: stepRefOf(root),
      sub_kind: 'heredoc-suspected',
      summary: `${stepName(root)} is a heredoc, and its step name shows only the first line: an edit below it leaves the same name in both logs, so only the Dockerfile of each build can show it.`,
      evidence: [...missEvidence(v, root)],
      to_tell_apart: 'the Dockerfile of each build (or `git diff` of it between the two builds)',
      weight: 5,
    },
  ];
}

/** An ENV or ARG value in each version (absent side: not set there). */
function valueChange(name: string, before: Record<string, string | null>, after: Record<string, string | null>): CauseValue {
  return { name, ...(name in before ? { before: before[name] ?? null } : {}), ...(name in after ? { after: after[name] ?? null } : {}) };
}

/** `ENV APP_MODE: dev → prod`. */
function envText(e: CauseValue): string {
  return `ENV ${e.name}: ${e.before ?? '(unset)'} → ${e.after ?? '(unset)'}`;
}

/** Whether the two versions differ because a step was inserted or removed at this position. */
function shiftOf(planE: BuildPlan, psE: PlanStep, planL: BuildPlan, psL: PlanStep): 'inserted' | 'removed' | null {
  const at = (plan: BuildPlan, index: number) => plan.steps.find((s) => s.stagePosition === psL.stagePosition && s.index === index);
  const same = (a: PlanStep | undefined, b: PlanStep | undefined) => !!a && !!b && squash(a.written ?? a.instruction) === squash(b.written ?? b.instruction);
  if (same(at(planL, psL.index + 1), psE)) return 'inserted';
  if (same(at(planE, psE.index + 1), psL)) return 'removed';
  return null;
}

/** The lines that differ between the two versions of a step, as `Dockerfile:N  old` / `Dockerfile.b:N  new`. */
function changedLines(planE: BuildPlan, psE: PlanStep, planL: BuildPlan, psL: PlanStep): string[] {
  const a = planE.lines.slice(psE.line - 1, psE.endLine);
  const b = planL.lines.slice(psL.line - 1, psL.endLine);
  const out: string[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (squash(a[i] ?? '') === squash(b[i] ?? '')) continue;
    if (a[i] !== undefined) out.push(`${planE.source}:${psE.line + i}  ${a[i]!.trim()}`);
    if (b[i] !== undefined) out.push(`${planL.source}:${psL.line + i}  ${b[i]!.trim()}`);
  }
  return out.length > 0 ? out : [dockerfileLine(planE, psE), dockerfileLine(planL, psL)];
}
