/**
 * `build-arg-changed`: a `--build-arg` value changed for an ARG the step's stage declares.
 *
 * An ARG declared in a stage becomes environment of every later RUN of that stage, used or not, so its
 * value is in those RUNs' keys. A build arg no stage declares changes nothing, nor do the predefined
 * proxy args (BuildKit strips them from the key) — both are said so explicitly, because they are the
 * first thing people suspect (the forum case changes REPO_HASH/GIT_TREE/GIT_BLOB on every build).
 */
import { isPredefinedProxyArg } from '../../dockerfile/index.ts';
import { rowLabel } from '../align.ts';
import type { BuildPlan, CauseArg, PlanStep, StepRef } from '../../model.ts';
import type { AlignedRow } from '../align.ts';
import { dockerfileLineAt } from '../evidence.ts';
import { logTextsDiffer, variablesIn } from '../text.ts';
import type { Candidate, Finding, PairView } from './view.ts';
import { logLineOf, missEvidence, planStepL, stepName, stepRefOf } from './view.ts';

export function isProxyArg(name: string): boolean {
  return isPredefinedProxyArg(name);
}

/** Build args BuildKit reads as options (`BUILDKIT_INLINE_CACHE`, `BUILDKIT_SYNTAX`…), not as ARG values. */
function isBuilderOption(name: string): boolean {
  return name.startsWith('BUILDKIT_');
}

export interface ArgChange {
  name: string;
  before: string | null | undefined;
  after: string | null | undefined;
}

/** Build args whose value differs between two commands (given, removed, or a new value). */
export function changedBuildArgs(v: PairView): ArgChange[] {
  if (!v.commandE || !v.commandL) return [];
  const a = v.commandE.build_args;
  const b = v.commandL.build_args;
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return names
    .filter((n) => !isBuilderOption(n))
    .filter((n) => n in a !== n in b || a[n] !== b[n])
    .map((n) => ({ name: n, before: n in a ? a[n] : undefined, after: n in b ? b[n] : undefined }));
}

function shortValue(value: string | null | undefined): string {
  if (value === undefined) return '(not given)';
  if (value === null) return '(from the environment)';
  return value.length > 16 ? `${value.slice(0, 8)}…` : value;
}

/** An arg change as a cause carries it: a side that was not given has no field. */
function argFact(c: ArgChange): CauseArg {
  return { name: c.name, ...(c.before !== undefined ? { before: c.before } : {}), ...(c.after !== undefined ? { after: c.after } : {}) };
}

/** `(dev → prod)`: an arg's two values, shortened the way summaries and the verdict show them. */
export function argValuesText(a: CauseArg): string {
  return `${shortValue(a.before)} → ${shortValue(a.after)}`;
}

export function flagChange(c: ArgChange): string {
  const side = (val: string | null | undefined) =>
    val === undefined ? '(no --build-arg)' : `--build-arg ${c.name}${val === null ? '' : `=${shortValue(val)}`}`;
  return `${side(c.before)} → ${side(c.after)}`;
}

/** The Dockerfile line that declares `ARG name` in a stage, before a line. */
function argLine(plan: BuildPlan | null, stagePosition: number | null, name: string, before: number): number | null {
  if (!plan) return null;
  const d = plan.directives.find(
    (x) =>
      x.keyword.toUpperCase() === 'ARG' &&
      x.stagePosition === stagePosition &&
      x.line < before &&
      new RegExp(`^\\s*(ARG\\s+)?${name}(=|\\s|$)`).test(x.text.replace(/^ARG\s+/i, '')),
  );
  return d?.line ?? null;
}

/** Is the arg declared anywhere in the Dockerfile (a stage ARG, or a global one)? */
function declaredAnywhere(plan: BuildPlan | null, name: string): boolean {
  if (!plan) return false;
  if (name in plan.globalArgs) return true;
  return plan.steps.some((s) => name in s.args);
}

/** The raw Dockerfile text of a step (variables unexpanded). */
function rawText(plan: BuildPlan | null, ps: PlanStep): string {
  if (!plan) return ps.instruction;
  return plan.lines.slice(ps.line - 1, ps.endLine).join('\n') || ps.instruction;
}

/** What every variant of a changed build arg looks at for one root miss. */
interface ArgContext {
  v: PairView;
  root: AlignedRow;
  ps: PlanStep | null;
  plan: BuildPlan | null;
  name: string;
  step: StepRef;
  changes: ArgChange[];
  isRun: boolean;
  /** The step's text differs between the logs (an ARG it expands changed). */
  logsDiffer: boolean;
  logEvidence: string[];
}

export function buildArgCause(v: PairView, root: AlignedRow): Finding {
  const a = root.logs[v.earlier];
  const b = root.logs[v.later];
  const logsDiffer = !!a && !!b && logTextsDiffer(a.instruction, a.truncated, b.instruction, b.truncated);
  const x: ArgContext = {
    v,
    root,
    ps: planStepL(v, root),
    plan: v.planL ?? v.planE,
    name: stepName(root),
    step: stepRefOf(root),
    changes: changedBuildArgs(v),
    isRun: root.keyword === 'RUN',
    logsDiffer,
    logEvidence: logsDiffer ? [logLineOf(v, root, 'earlier'), logLineOf(v, root, 'later')].filter((l): l is string => l !== null) : missEvidence(v, root),
  };
  const candidates: Candidate[] = [];
  const ruledOut: string[] = [];
  argValueCauses(x, candidates, ruledOut);
  suspectedArgCause(x, candidates);
  expandedArgCause(x, candidates);
  const { changes, plan } = x;
  if (candidates.length === 0 && changes.length > 0 && plan && ruledOut.length === 0) {
    const declared = changes.filter((c) => declaredAnywhere(plan, c.name)).map((c) => c.name);
    if (declared.length > 0)
      ruledOut.push(
        `build arg${declared.length > 1 ? 's' : ''} ${declared.join(', ')} changed but ${rowLabel(root)} neither runs after ${declared.length > 1 ? 'their' : 'its'} ARG in this stage nor expands ${declared.length > 1 ? 'them' : 'it'}`,
      );
  }
  return { candidates, ruledOut };
}

/** A --build-arg of an ARG the step's stage declares changed; one that no stage declares is ruled out. */
function argValueCauses({ ps, plan, name, step, changes, isRun, logEvidence }: ArgContext, candidates: Candidate[], ruledOut: string[]): void {
  for (const c of changes) {
    const declaredHere = ps ? c.name in ps.args : false;
    if (!plan) continue;
    if (!declaredHere) {
      if (!declaredAnywhere(plan, c.name)) {
        ruledOut.push(
          isProxyArg(c.name)
            ? `${flagChange(c)}: a predefined proxy arg, kept out of cache keys: not the cause`
            : `${flagChange(c)}: no stage declares ARG ${c.name}, so it never reaches a cache key: not the cause`,
        );
      }
      continue;
    }
    // Declared in this stage before the step: env of a RUN, or expanded in the step's own text.
    const referenced = ps ? variablesIn(rawText(plan, ps)).includes(c.name) : false;
    if (!isRun && !referenced) continue;
    const line = ps ? argLine(plan, ps.stagePosition, c.name, ps.line) : null;
    const why = isRun
      ? referenced
        ? `it reads $${c.name}`
        : `ARG ${c.name} is declared before it, and a declared ARG is environment of every later RUN even when $${c.name} is never used`
      : `its text expands $${c.name}`;
    candidates.push({
      kind: 'build-arg-changed',
      confidence: 'high',
      step,
      summary: `${name} missed because the build arg ${c.name} changed (${argValuesText(argFact(c))}); ${why}.`,
      sub_kind: 'arg-value',
      args: [argFact(c)],
      evidence: [flagChange(c), ...(line !== null && plan ? [dockerfileLineAt(plan, line)] : []), ...logEvidence],
      weight: 9,
    });
  }
}

/** Without a Dockerfile, a changed build arg can only be suspected for a RUN (or a text that shows it). */
function suspectedArgCause({ v, root, plan, step, name, changes, isRun, logsDiffer, logEvidence }: ArgContext, candidates: Candidate[]): void {
  if (!plan && changes.length > 0 && (isRun || logsDiffer)) {
    const shown = changes.filter((c) => typeof c.after === 'string' && (root.logs[v.later]?.instruction ?? '').includes(c.after));
    const suspects = shown.length > 0 ? shown : changes;
    candidates.push({
      kind: 'build-arg-changed',
      confidence: shown.length > 0 ? 'medium' : 'low',
      step,
      summary: `${name} may have missed because build arg${suspects.length > 1 ? 's' : ''} ${suspects.map((c) => c.name).join(', ')} changed; that only matters if its stage declares the ARG — give the Dockerfile to check.`,
      sub_kind: 'arg-suspected',
      args: suspects.map(argFact),
      evidence: [...suspects.map(flagChange), ...logEvidence],
      weight: 6,
    });
  }
}

/** Without the commands: the log shows the expanded value changing in a text that reads a declared ARG. */
function expandedArgCause({ ps, plan, step, name, changes, logsDiffer, logEvidence }: ArgContext, candidates: Candidate[]): void {
  if (candidates.length === 0 && changes.length === 0 && logsDiffer && ps) {
    const args = variablesIn(rawText(plan, ps)).filter((n) => n in ps.args && !(n in ps.env));
    if (args.length > 0) {
      candidates.push({
        kind: 'build-arg-changed',
        confidence: 'medium',
        step,
        summary: `${name} missed because the value of ${args.map((n) => `$${n}`).join(', ')} changed between the builds (the log shows the expanded text changing, the Dockerfile line did not): a different --build-arg.`,
        sub_kind: 'arg-expanded',
        args: args.map((n) => ({ name: n })),
        evidence: [
          ...logEvidence,
          ...args
            .map((n) => (plan ? argLine(plan, ps.stagePosition, n, ps.line) : null))
            .filter((l): l is number => l !== null)
            .map((l) => dockerfileLineAt(plan!, l)),
        ],
        weight: 7,
      });
    }
  }
}
