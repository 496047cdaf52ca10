/**
 * `instruction-changed`: the step's own text, or something before it in its stage that enters a RUN's
 * key (ENV, ARG default, USER, SHELL), differs between the Dockerfiles of the two builds.
 *
 * Two Dockerfiles show it directly — even an edit below a heredoc's first line, which the vertex name
 * (`RUN <<EOT (first line...)`) hides. With one Dockerfile, the logs still show a changed text when
 * the name shows it; LABEL, CMD, EXPOSE… never enter a step's key and are not counted.
 */
import type { BuildPlan, PlanStep } from '../../model.ts';
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

export function instructionCause(v: PairView, root: AlignedRow): Finding {
  const name = stepName(root);
  const step = stepRefOf(root);
  const candidates: Candidate[] = [];
  const psE = root.plans[v.earlier] ?? null;
  const psL = root.plans[v.later] ?? null;
  // Two Dockerfile texts (one per build) that differ; the same text read twice (with each build's
  // build args) is one Dockerfile.
  const twoDockerfiles = v.planE !== null && v.planL !== null && v.planE.lines.join('\n') !== v.planL.lines.join('\n');

  if (twoDockerfiles && v.planE && v.planL) {
    if (!psE || !psL) {
      candidates.push({
        kind: 'instruction-changed',
        confidence: 'high',
        step,
        summary: `${name} is ${psE ? 'missing from' : 'new in'} ${v.planL.source}: steps were added or removed, so this position holds another instruction now.`,
        sub_kind: 'step-shifted',
        evidence: [...(psL ? [dockerfileLine(v.planL, psL)] : []), ...(psE ? [dockerfileLine(v.planE, psE)] : []), ...missEvidence(v, root)],
        weight: 8,
      });
      return { candidates, ruledOut: [] };
    }
    // Compare what was written, not the expanded text: a --build-arg expands differently without an edit.
    const textE = sourceText(v.planE, psE);
    const textL = sourceText(v.planL, psL);
    if (squash(textE) !== squash(textL) || squash(psE.written ?? textE) !== squash(psL.written ?? textL)) {
      const hiddenInName = psE.heredoc && squash(psE.instruction) === squash(psL.instruction);
      const shifted = shiftOf(v.planE, psE, v.planL, psL);
      candidates.push({
        kind: 'instruction-changed',
        confidence: 'high',
        step,
        sub_kind: hiddenInName ? 'heredoc-edited' : shifted === 'inserted' ? 'step-inserted' : shifted === 'removed' ? 'step-removed' : 'line-edited',
        summary: hiddenInName
          ? `${name} missed because its heredoc body was edited between the Dockerfiles; the edit is below the first line, so the step name in the logs is the same and only the Dockerfile shows it.`
          : shifted === 'inserted'
            ? `${name} missed because a step was inserted here in ${v.planL.source}: every later step of the stage now has another position and another input.`
            : shifted === 'removed'
              ? `${name} missed because the step that was here in ${v.planE.source} was removed: every later step of the stage now builds on another input.`
              : `${name} missed because its instruction was edited between the Dockerfiles.`,
        evidence: [...changedLines(v.planE, psE, v.planL, psL), ...missEvidence(v, root)],
        weight: 9,
      });
    }
    if (root.keyword !== 'RUN') {
      // COPY/ADD/WORKDIR read ENV only where their text expands it.
      const used = variablesIn(textL).filter((n) => (n in psE.env || n in psL.env) && psE.env[n] !== psL.env[n]);
      if (used.length > 0 && candidates.length === 0) {
        candidates.push({
          kind: 'instruction-changed',
          confidence: 'high',
          step,
          sub_kind: 'env-expanded',
          summary: `${name} missed because ${used.map((n) => `$${n}`).join(', ')} in its text expands to another value (${used.map((n) => `ENV ${n}: ${psE.env[n] ?? '(unset)'} → ${psL.env[n] ?? '(unset)'}`).join('; ')}).`,
          evidence: [...missEvidence(v, root)],
          weight: 8,
        });
      }
    }
    if (root.keyword === 'RUN') {
      const env = differingEntries(psE.env, psL.env);
      // An ARG value that a --build-arg explains is build-arg-changed, not an edit of its default.
      const given = new Set([...Object.keys(v.commandE?.buildArgs ?? {}), ...Object.keys(v.commandL?.buildArgs ?? {})]);
      const args = differingEntries(psE.args, psL.args).filter((n) => !given.has(n));
      const dirsE = directivesBefore(v.planE, psE.stagePosition, psE.line);
      const dirsL = directivesBefore(v.planL, psL.stagePosition, psL.line);
      const changedDirs = dirsL.filter((d) => !dirsE.some((e) => e.keyword === d.keyword && e.text === d.text));
      const removedDirs = dirsE.filter((d) => !dirsL.some((e) => e.keyword === d.keyword && e.text === d.text));
      if (env.length > 0 || args.length > 0 || changedDirs.length > 0 || removedDirs.length > 0) {
        const what = [
          ...env.map((n) => `ENV ${n}: ${psE.env[n] ?? '(unset)'} → ${psL.env[n] ?? '(unset)'}`),
          ...args.map((n) => `ARG ${n} default: ${psE.args[n] ?? '(none)'} → ${psL.args[n] ?? '(none)'}`),
        ];
        const subject = what.length > 0 ? what.join('; ') : changedDirs.map((d) => `${d.keyword} ${d.text}`).join('; ');
        candidates.push({
          kind: 'instruction-changed',
          confidence: 'high',
          step,
          sub_kind: 'earlier-line',
          summary: `${name} missed because an earlier line of its stage changed (${subject}); ENV, ARG, USER and SHELL before a RUN are part of its key.`,
          evidence: [
            ...removedDirs.map((d) => dockerfileLineAt(v.planE!, d.line)),
            ...changedDirs.map((d) => dockerfileLineAt(v.planL!, d.line)),
            ...missEvidence(v, root),
          ],
          weight: 8,
        });
      }
    }
    const where = v.planE.source === v.planL.source ? `both builds' ${v.planL.source}` : `${v.planE.source} and ${v.planL.source}`;
    return { candidates, ruledOut: candidates.length === 0 ? [`the step and the lines before it read the same in ${where}: not an edit`] : [] };
  }

  // One Dockerfile (or none): the logs can still show the step's text changing.
  const a = root.logs[v.earlier];
  const b = root.logs[v.later];
  if (!a || !b) return { candidates, ruledOut: [] };
  if (!logTextsDiffer(a.instruction, a.truncated, b.instruction, b.truncated)) {
    // A heredoc's vertex name shows its first line only: an edit below it leaves the same name.
    const heredoc = (psL ?? psE)?.heredoc || /<<-?["']?[A-Za-z_][A-Za-z0-9_]*["']?\s*\(/.test(b.instruction);
    if (heredoc) {
      candidates.push({
        kind: 'instruction-changed',
        confidence: 'medium',
        step,
        sub_kind: 'heredoc-suspected',
        summary: `${name} is a heredoc, and its step name shows only the first line: an edit below it leaves the same name in both logs, so only the Dockerfile of each build can show it.`,
        evidence: [...missEvidence(v, root)],
        toTellApart: 'the Dockerfile of each build (or `git diff` of it between the two builds)',
        weight: 5,
      });
    }
    return { candidates, ruledOut: [] };
  }
  const ps = psL ?? psE;
  const plan = v.planL ?? v.planE;
  const vars = ps ? variablesIn(plan ? sourceText(plan, ps) : ps.instruction) : [];
  const envVars = ps ? vars.filter((n) => n in ps.env) : [];
  const argVars = ps ? vars.filter((n) => n in ps.args) : [];
  const logs = [logLineOf(v, root, 'earlier'), logLineOf(v, root, 'later')].filter((x): x is string => x !== null);
  if (envVars.length > 0) {
    candidates.push({
      kind: 'instruction-changed',
      confidence: 'medium',
      step,
      sub_kind: 'env-line',
      summary: `${name} missed because ${envVars.map((n) => `$${n}`).join(', ')} expanded to another value: an ENV line before it was edited (give the Dockerfile of each build to see the edit).`,
      evidence: logs,
      weight: 7,
    });
  } else if (argVars.length === 0) {
    candidates.push({
      kind: 'instruction-changed',
      confidence: ps || vars.length === 0 ? 'medium' : 'low',
      step,
      sub_kind: 'log-text',
      summary: `${name} missed because its text differs between the logs (\`${a.instruction}\` → \`${b.instruction}\`): the Dockerfile line was edited${vars.length > 0 || !ps ? ', or a variable in it (an ARG or ENV value) expanded differently — give the Dockerfile to tell' : ''}.`,
      evidence: logs,
      weight: 7,
    });
  }
  return { candidates, ruledOut: [] };
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
