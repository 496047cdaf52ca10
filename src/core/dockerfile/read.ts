/**
 * Dockerfile → BuildPlan: stages and steps numbered, labelled and named the way BuildKit's Dockerfile
 * frontend (dockerfile2llb) does it, so a plan step can be matched with what a build log printed.
 *
 * dockerfile-ast finds the instructions, their line ranges, heredocs and the parser directives; the
 * BuildKit-specific parts (line joining, variable expansion, step counting) are done here and in the
 * small modules next to this one.
 */
import { parseMount } from './mounts.ts';
import './buffer-shim.ts';
import { DockerfileParser, type Instruction, type Property } from 'dockerfile-ast';
import type { BuildkitEra, BuildPlan, CopySource, PlanDirective, PlanKeyword, PlanStage, PlanStep } from '../model.ts';
import { frontendRules, type FrontendRules } from './era.ts';
import { isPlatformArg } from './args.ts';
import { normalizeImageRef } from './image-ref.ts';
import {
  copyArgumentWords,
  expandCopyPath,
  expandPath,
  fileOpVertexName,
  flagValue,
  flagValues,
  hasFlag,
  heredocName,
  runVertexName,
  splitInstruction,
  summarizeHeredoc,
  uppercaseFirstWord,
  type Lookup,
} from './instruction-text.ts';
import { joinInstructionLines, splitLines } from './lines.ts';
import { expandOrKeep } from './shell-word.ts';
import { formatStepLabel } from './step-label.ts';

export interface ReadDockerfileOptions {
  /** `--build-arg` values; null means "taken from the client's environment" (value unknown here). */
  buildArgs?: Record<string, string | null>;
  /** `--target`; the last stage when absent. Stages the target does not need are marked `reachable: false`. */
  target?: string | null;
  /**
   * The era of the builder whose logs the plan is matched with (`BuildTrace.builder.era`): the stage-0
   * label and ONBUILD numbering changed over time (`era.ts`). Current BuildKit when absent.
   */
  era?: BuildkitEra;
}

/** Keywords that make a BuildKit step (call `prefixCommand`). */
const STEP_KEYWORDS = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);
const KNOWN_KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);
const MAX_LISTED_PROBLEMS = 5;

/** One instruction, reduced to what the plan needs. */
interface Instr {
  keyword: string;
  /** The logical line as BuildKit keeps it (`Original`, trimmed). */
  written: string;
  flags: string[];
  rest: string;
  /** 0-based first and last physical line. */
  start: number;
  end: number;
  /** Heredoc bodies in order (RUN/COPY/ADD), each with its name. */
  heredocs: { name: string; body: string }[];
  /** ARG/ENV key/value pairs: raw value text (before expansion), null when no value. */
  properties: { name: string; raw: string | null }[];
  /** True for a trigger inherited from the parent stage's ONBUILD. */
  onbuild: boolean;
}

interface StageDraft {
  stage: PlanStage;
  instrs: Instr[];
  /** ONBUILD expressions declared in this stage (they run in stages built FROM it). */
  onbuildExpressions: { text: string; start: number; end: number }[];
}

/** Bounds that keep dockerfile-ast (quadratic on long lines) well under a second; see buildPlan. */
const MAX_DOCKERFILE_CHARS = 128 * 1024;
const MAX_DOCKERFILE_LINE_CHARS = 8 * 1024;

export function readDockerfile(text: string, source: string, opts: ReadDockerfileOptions = {}): BuildPlan {
  const lines = splitLines(text);
  const plan: BuildPlan = { source, syntax: null, stages: [], steps: [], directives: [], globalArgs: {}, lines, problems: [] };
  try {
    buildPlan(plan, text, opts);
  } catch (e) {
    // A bug of ours must not take the whole analysis down: report it as a problem with this input.
    plan.problems.push({
      input: source,
      message: `cachewhy could not read this Dockerfile (${e instanceof Error ? e.message : String(e)}).`,
      hint: 'Check that the file is a Dockerfile; if it builds with docker, please report this as a cachewhy bug.',
    });
  }
  return plan;
}

type Problem = (message: string, hint?: string) => void;

function buildPlan(plan: BuildPlan, text: string, opts: ReadDockerfileOptions): void {
  const problem: Problem = (message, hint) => {
    plan.problems.push(hint ? { input: plan.source, message, hint } : { input: plan.source, message });
  };
  if (refuseUnreadable(plan, text, problem)) return;

  const df = DockerfileParser.parse(text);
  const escape = df.getEscapeCharacter() || '\\';
  for (const d of df.getDirectives()) {
    if (d.getName().toLowerCase() === 'syntax') plan.syntax = d.getValue();
  }
  const instructions = df.getInstructions();
  if (instructions.length === 0) {
    problem('This Dockerfile has no instructions.', 'Give the Dockerfile the build used; it needs at least a FROM line.');
    return;
  }

  const buildArgs = opts.buildArgs ?? {};
  const drafts = gatherStages(plan, instructions, buildArgs, escape, problem);
  if (drafts.length === 0) {
    problem('This Dockerfile has no FROM line.', 'Give the Dockerfile the build used; every build stage starts with FROM.');
    return;
  }

  addInheritedOnbuildTriggers(drafts);
  const rules = frontendRules(opts.era);
  const labelled = stageLabelsPrinted(drafts, rules);
  markReachable(drafts, opts.target ?? null, problem);
  plan.stages = drafts.map((d) => d.stage);

  const read: ReadContext = { plan, drafts, rules, labelled, buildArgs, escape, problem };
  const finalState: StageState[] = [];
  for (const draft of drafts) {
    const base = draft.stage.baseStage !== null ? finalState[draft.stage.baseStage] : undefined;
    finalState.push(emitStage(read, draft, base));
  }
}

/**
 * Binary data, and texts or lines far longer than any Dockerfile: dockerfile-ast is quadratic in the length
 * of a line or an instruction (its directive scan and argument ranges), a 40 KB line takes seconds, a
 * 1 MB one minutes. True when the text is refused (with a problem saying why).
 */
function refuseUnreadable(plan: BuildPlan, text: string, problem: Problem): boolean {
  if (text.includes('\u0000')) {
    problem('This file contains binary data, so it is not a Dockerfile.', 'Give the Dockerfile the build used (a text file).');
    return true;
  }
  if (text.length > MAX_DOCKERFILE_CHARS) {
    problem(
      `This file is ${Math.round(text.length / 1024)} KB, far larger than any Dockerfile; cachewhy reads Dockerfiles up to ${MAX_DOCKERFILE_CHARS / 1024} KB.`,
      'Give the Dockerfile the build used; if this really is it, please report it as a cachewhy limitation.',
    );
    return true;
  }
  const longLine = plan.lines.findIndex((line) => line.length > MAX_DOCKERFILE_LINE_CHARS);
  if (longLine !== -1) {
    problem(
      `Line ${longLine + 1} is ${plan.lines[longLine]!.length} characters long; cachewhy reads Dockerfile lines up to ${MAX_DOCKERFILE_LINE_CHARS} characters.`,
      'Split the line with a backslash continuation, or check that this file is the Dockerfile the build used.',
    );
    return true;
  }
  return false;
}

/** The instructions sorted into stages (global ARGs and ONBUILD declarations go to the plan's directives). */
function gatherStages(plan: BuildPlan, instructions: Instruction[], buildArgs: Record<string, string | null>, escape: string, problem: Problem): StageDraft[] {
  const drafts: StageDraft[] = [];
  const unknownKeywords: string[] = [];
  const globalLookupValues = new Map<string, string>();
  for (const ins of instructions) {
    const instr = toInstr(ins, plan.lines, escape);
    if (!KNOWN_KEYWORDS.has(instr.keyword)) {
      unknownKeywords.push(`line ${instr.start + 1}: ${instr.keyword}`);
      continue;
    }
    const current = drafts[drafts.length - 1];
    if (instr.keyword === 'FROM') {
      drafts.push(newStage(instr, drafts, globalLookupValues, buildArgs, escape, problem));
    } else if (!current) {
      if (instr.keyword === 'ARG') {
        declareGlobalArgs(instr, plan, globalLookupValues, buildArgs, escape);
        plan.directives.push(directive(null, instr));
      } else {
        problem(
          `Line ${instr.start + 1}: ${instr.keyword} comes before the first FROM; only ARG may.`,
          'BuildKit refuses this Dockerfile; move the instruction below a FROM.',
        );
      }
    } else if (instr.keyword === 'ONBUILD') {
      current.onbuildExpressions.push({ text: instr.written.replace(/^\S+\s*/, ''), start: instr.start, end: instr.end });
      plan.directives.push(directive(current.stage.position, instr));
    } else {
      current.instrs.push(instr);
    }
  }
  if (unknownKeywords.length > 0) {
    const listed = unknownKeywords.slice(0, MAX_LISTED_PROBLEMS).join('; ');
    const more = unknownKeywords.length > MAX_LISTED_PROBLEMS ? ` and ${unknownKeywords.length - MAX_LISTED_PROBLEMS} more` : '';
    problem(`Unknown instructions (${listed}${more}).`, 'Is this really a Dockerfile? BuildKit stops at an unknown instruction.');
  }
  return drafts;
}

// ---------------------------------------------------------------------------------------------
// Reading instructions
// ---------------------------------------------------------------------------------------------

function toInstr(ins: Instruction, lines: readonly string[], escape: string): Instr {
  const range = ins.getRange();
  const joined = joinInstructionLines(lines, range.start.line, escape);
  const written = joined.text.trim();
  const { keyword, flags, rest } = splitInstruction(written);
  // Asking dockerfile-ast for heredocs is costly; only a line with `<<` can open one.
  const heredocs = written.includes('<<') ? heredocBodies(ins, lines) : [];
  const properties = keyword === 'ARG' || keyword === 'ENV' ? propertiesOf(ins, lines, escape) : [];
  return { keyword, written, flags, rest, start: range.start.line, end: Math.max(range.end.line, joined.lastLine), heredocs, properties, onbuild: false };
}

function heredocBodies(ins: Instruction, lines: readonly string[]): { name: string; body: string }[] {
  const withHeredocs = ins as Instruction & {
    getHeredocs?: () => { getName(): string; getContentRange(): { start: { line: number } } | null; getDelimiterRange(): { start: { line: number } } | null }[];
  };
  if (typeof withHeredocs.getHeredocs !== 'function') return [];
  return withHeredocs.getHeredocs().map((h) => {
    const content = h.getContentRange();
    const delimiter = h.getDelimiterRange();
    if (!content) return { name: h.getName(), body: '' };
    const last = delimiter ? delimiter.start.line - 1 : lines.length - 1;
    const body = lines
      .slice(content.start.line, last + 1)
      .map((l) => l + '\n')
      .join('');
    return { name: h.getName(), body };
  });
}

function propertiesOf(ins: Instruction, lines: readonly string[], escape: string): { name: string; raw: string | null }[] {
  const withProps = ins as Instruction & { getProperties?: () => Property[] };
  if (typeof withProps.getProperties !== 'function') return [];
  return withProps.getProperties().map((p) => {
    const range = p.getValueRange();
    // The raw text keeps quotes and `$`, which the BuildKit expansion needs; dockerfile-ast's value has
    // its quotes already removed.
    const raw = range ? joinContinuations(textOfRange(lines, range), escape) : p.getValue();
    return { name: p.getName(), raw };
  });
}

function textOfRange(lines: readonly string[], range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  if (range.start.line === range.end.line) return (lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
  const parts = [(lines[range.start.line] ?? '').slice(range.start.character)];
  for (let l = range.start.line + 1; l < range.end.line; l++) parts.push(lines[l] ?? '');
  parts.push((lines[range.end.line] ?? '').slice(0, range.end.character));
  return parts.join('\n');
}

/** A property value that spans lines: drop the escape+newline and the comment lines inside. */
function joinContinuations(text: string, escape: string): string {
  return text
    .split(/\r?\n/)
    .filter((l) => !/^\s*#/.test(l))
    .map((l) => (l.replace(/[ \t]+$/, '').endsWith(escape) ? l.replace(/[ \t]+$/, '').slice(0, -escape.length) : l))
    .join('');
}

function directive(stagePosition: number | null, instr: Instr): PlanDirective {
  return { stagePosition, keyword: instr.keyword, text: uppercaseFirstWord(instr.written), line: instr.start + 1 };
}

// ---------------------------------------------------------------------------------------------
// Global ARGs and stages
// ---------------------------------------------------------------------------------------------

function declareGlobalArgs(instr: Instr, plan: BuildPlan, values: Map<string, string>, buildArgs: Record<string, string | null>, escape: string): void {
  const lookup: Lookup = (n) => values.get(n);
  for (const p of instr.properties) {
    const def = p.raw === null ? null : expandOrKeep(p.raw, { escape, lookup });
    const value = Object.hasOwn(buildArgs, p.name) ? (buildArgs[p.name] ?? null) : def;
    plan.globalArgs[p.name] = value;
    if (value !== null) values.set(p.name, value);
    else values.delete(p.name);
  }
}

function newStage(
  instr: Instr,
  drafts: StageDraft[],
  globals: Map<string, string>,
  buildArgs: Record<string, string | null>,
  escape: string,
  problem: Problem,
): StageDraft {
  const position = drafts.length;
  const words = instr.rest.split(/\s+/).filter((w) => w !== '');
  const baseRef = words[0] ?? '';
  const name = words.length >= 3 && words[1]?.toLowerCase() === 'as' ? (words[2] ?? '').toLowerCase() : null;
  // Global ARGs reach FROM; the platform args are known to the builder only, so they stay as written.
  const lookup: Lookup = (n) => globals.get(n) ?? (isPlatformArg(n) && !Object.hasOwn(buildArgs, n) ? '${' + n + '}' : undefined);
  const baseRefExpanded = expandOrKeep(baseRef, { escape, lookup });
  const platformFlag = flagValue(instr.flags, 'platform');
  const platform = platformFlag === null ? null : expandOrKeep(platformFlag, { escape, lookup });
  if (baseRefExpanded === '')
    problem(`Line ${instr.start + 1}: FROM has an empty base (${baseRef || 'nothing'}).`, 'Give the ARG a default or pass it with --build-arg.');
  let baseStage: number | null = null;
  for (const d of drafts) {
    if (d.stage.name !== null && d.stage.name === baseRefExpanded) baseStage = d.stage.position;
  }
  const stage: PlanStage = {
    position,
    name,
    label: name ?? `stage-${position}`,
    baseRef,
    baseRefExpanded,
    baseStage,
    platform,
    line: instr.start + 1,
  };
  return { stage, instrs: [], onbuildExpressions: [] };
}

/** A stage built FROM another stage runs that stage's ONBUILD triggers first (current BuildKit). */
function addInheritedOnbuildTriggers(drafts: StageDraft[]): void {
  for (const d of drafts) {
    const parent = d.stage.baseStage !== null ? drafts[d.stage.baseStage] : undefined;
    if (!parent || parent.onbuildExpressions.length === 0) continue;
    const triggers: Instr[] = parent.onbuildExpressions.map((ob) => {
      const { keyword, flags, rest } = splitInstruction(ob.text);
      const sub = DockerfileParser.parse(ob.text);
      const first = sub.getInstructions()[0];
      const subLines = splitLines(ob.text);
      const heredocs = first ? heredocBodies(first, subLines) : [];
      const properties = first ? propertiesOf(first, subLines, sub.getEscapeCharacter() || '\\') : [];
      return { keyword, written: ob.text, flags, rest, start: ob.start, end: ob.end, heredocs, properties, onbuild: true };
    });
    d.instrs = [...triggers, ...d.instrs];
  }
}

/**
 * BuildKit drops the stage name from labels when its list of stages has exactly one entry. That list
 * also gets a hidden entry for every `COPY --from=<image>` and (modern) every `RUN --mount` (v0.8: cache
 * mounts and mounts with `from=`), which is why a single-stage Dockerfile with `RUN --mount` prints
 * `[stage-0 2/3]`.
 */
function stageLabelsPrinted(drafts: StageDraft[], rules: FrontendRules): boolean {
  if (drafts.length > 1) return true;
  const names = new Set(drafts.map((d) => d.stage.name).filter((n): n is string => n !== null));
  for (const d of drafts) {
    for (const i of d.instrs) {
      if (i.onbuild) continue;
      if (i.keyword === 'COPY') {
        const from = flagValue(i.flags, 'from');
        if (from !== null && !/^\d+$/.test(from) && !names.has(from.toLowerCase())) return true;
      }
      if (i.keyword === 'RUN') {
        for (const m of flagValues(i.flags, 'mount')) {
          const mount = parseMount(m);
          const from = mount.from ?? '';
          const type = mount.type;
          if (rules.hiddenStageForEveryMount) {
            if (!names.has((from || 'scratch').toLowerCase())) return true;
          } else if ((from !== '' || type === 'cache') && type !== 'tmpfs' && !names.has((from || 'scratch').toLowerCase())) {
            return true;
          }
        }
      }
    }
  }
  return false;
}

function stageDependencies(draft: StageDraft, drafts: StageDraft[]): number[] {
  const deps: number[] = [];
  if (draft.stage.baseStage !== null) deps.push(draft.stage.baseStage);
  for (const i of draft.instrs) {
    const froms = i.keyword === 'COPY' || i.keyword === 'ADD' ? [flagValue(i.flags, 'from')] : [];
    if (i.keyword === 'RUN') for (const m of flagValues(i.flags, 'mount')) froms.push(parseMount(m).from);
    for (const f of froms) {
      const s = f === null ? null : resolveStageRef(f, drafts);
      if (s !== null) deps.push(s);
    }
  }
  return deps;
}

/** A `--from` value → stage position (index or case-insensitive name), null for an image or named context. */
function resolveStageRef(value: string, drafts: StageDraft[]): number | null {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    return n < drafts.length ? n : null;
  }
  const found = drafts.find((d) => d.stage.name === value.toLowerCase());
  return found ? found.stage.position : null;
}

function markReachable(drafts: StageDraft[], target: string | null, problem: Problem): void {
  let targetPos = drafts.length - 1;
  if (target) {
    const found = drafts.find((d) => d.stage.name === target.toLowerCase());
    if (found) targetPos = found.stage.position;
    else problem(`The build targets stage "${target}", which this Dockerfile does not define.`, 'Check --target against the stage names (FROM … AS name).');
  }
  const reachable = new Set<number>();
  const visit = (p: number): void => {
    if (reachable.has(p)) return;
    reachable.add(p);
    const d = drafts[p];
    if (d) for (const dep of stageDependencies(d, drafts)) visit(dep);
  };
  visit(targetPos);
  for (const d of drafts) d.stage.reachable = reachable.has(d.stage.position);
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

/** What a stage passes to a stage built FROM it. */
interface StageState {
  /** Env the exec ops see: ENV and ARG values, in declaration order (later wins). */
  stateEnv: Map<string, string>;
  env: Record<string, string>;
  args: Record<string, string | null>;
  /** Working directory, null when it comes from an image we cannot see. */
  workdir: string | null;
}

/** What every stage's reading shares. */
interface ReadContext {
  plan: BuildPlan;
  drafts: StageDraft[];
  rules: FrontendRules;
  /** Step labels carry the stage name (see `stageLabelsPrinted`). */
  labelled: boolean;
  buildArgs: Record<string, string | null>;
  escape: string;
  problem: Problem;
}

/** One stage being turned into steps: its instructions' handlers share this. */
interface StageEmitter {
  read: ReadContext;
  stage: PlanStage;
  state: StageState;
  /** Variables as the stage's exec ops see them (ENV and ARG values so far). */
  lookup: Lookup;
  stageLabel: string | null;
  total: number;
  /** Index of the last step pushed. */
  index: number;
}

function emitStage(read: ReadContext, draft: StageDraft, base: StageState | undefined): StageState {
  const st = draft.stage;
  const state: StageState = base
    ? { stateEnv: new Map(base.stateEnv), env: { ...base.env }, args: { ...base.args }, workdir: base.workdir }
    : { stateEnv: new Map(), env: {}, args: {}, workdir: null };
  const fromCounts = st.baseStage === null && st.baseRefExpanded !== 'scratch';
  const ownSteps = draft.instrs.filter((i) => !i.onbuild && STEP_KEYWORDS.has(i.keyword)).length;
  // Since v0.17 every ONBUILD trigger (step or not) is added to the total; before, none was.
  const triggers = read.rules.onbuildCounted ? draft.instrs.filter((i) => i.onbuild).length : 0;
  const e: StageEmitter = {
    read,
    stage: st,
    state,
    lookup: (n) => state.stateEnv.get(n),
    stageLabel: read.labelled ? st.label : null,
    total: (fromCounts ? 1 : 0) + ownSteps + triggers,
    index: 0,
  };
  if (fromCounts) pushStep(e, null, 'FROM', 'FROM ' + normalizeImageRef(st.baseRefExpanded), `FROM ${st.baseRef}`);
  for (const instr of draft.instrs) (INSTRUCTION_HANDLERS.get(instr.keyword) ?? emitDirective)(e, instr);
  return state;
}

function pushStep(e: StageEmitter, instr: Instr | null, keyword: PlanKeyword, instruction: string, written: string, extra: Partial<PlanStep> = {}): void {
  e.index++;
  const st = e.stage;
  const step: PlanStep = {
    stagePosition: st.position,
    stage: e.stageLabel,
    index: e.index,
    total: e.total,
    label: formatStepLabel(e.stageLabel, e.index, e.total),
    keyword,
    instruction,
    line: instr ? instr.start + 1 : st.line,
    endLine: instr ? instr.end + 1 : st.line,
    args: { ...e.state.args },
    env: { ...e.state.env },
    heredoc: false,
    written,
    ...extra,
  };
  if (instr?.onbuild) {
    step.onbuild = true;
    if (e.read.rules.onbuildCounted) step.instruction = 'ONBUILD ' + step.instruction;
  }
  e.read.plan.steps.push(step);
}

/** An instruction that makes no step (triggers among them still count in the total: BuildKit adds every trigger to it). */
function emitDirective(e: StageEmitter, instr: Instr): void {
  e.read.plan.directives.push(directive(e.stage.position, instr));
}

type InstructionHandler = (e: StageEmitter, instr: Instr) => void;

/** The instructions that change the stage's state or make a step, by keyword; the others are directives. */
const INSTRUCTION_HANDLERS = new Map<string, InstructionHandler>([
  [
    'ARG',
    (e, instr) => {
      declareStageArgs(instr, e.state, e.read.plan.globalArgs, e.read.buildArgs, e.read.escape);
      emitDirective(e, instr);
    },
  ],
  ['ENV', emitEnv],
  ['RUN', emitRun],
  ['COPY', emitCopy],
  ['ADD', emitCopy],
  ['WORKDIR', emitWorkdir],
]);

function emitEnv(e: StageEmitter, instr: Instr): void {
  // All pairs of one ENV are expanded with the env from before it (`ENV A=1 B=$A` gives B the old A).
  const values = instr.properties.map((p) => [p.name, p.raw === null ? '' : expandOrKeep(p.raw, { escape: e.read.escape, lookup: e.lookup })] as const);
  for (const [name, value] of values) {
    e.state.env[name] = value;
    e.state.stateEnv.set(name, value);
  }
  emitDirective(e, instr);
}

function emitRun(e: StageEmitter, instr: Instr): void {
  const body = instr.heredocs[0]?.body;
  const singleHeredoc = instr.heredocs.length > 0 && heredocName(instr.rest.trim()) !== null;
  const written = instr.written + (singleHeredoc && body !== undefined ? ` (${summarizeHeredoc(body)})` : '');
  const mounts = flagValues(instr.flags, 'mount').map(parseMount);
  pushStep(e, instr, 'RUN', runVertexName(written, e.read.escape, e.lookup), uppercaseFirstWord(written), {
    heredoc: instr.heredocs.length > 0,
    ...(mounts.length > 0 ? { mounts } : {}),
  });
}

function emitCopy(e: StageEmitter, instr: Instr): void {
  const { drafts, escape, problem } = e.read;
  const copy = copySource(instr, drafts, e.stage.position, escape, e.lookup, problem);
  pushStep(e, instr, instr.keyword as PlanKeyword, fileOpVertexName(instr.written, escape, e.lookup), uppercaseFirstWord(instr.written), {
    copy,
    heredoc: instr.heredocs.length > 0,
  });
}

function emitWorkdir(e: StageEmitter, instr: Instr): void {
  // The resolved path is known only when every variable in it is ours (not the base image's) and,
  // for a relative path, the current directory is known too.
  let usesUnknown = false;
  const tracking: Lookup = (n) => {
    const v = e.lookup(n);
    if (v === undefined) usesUnknown = true;
    return v;
  };
  const path = expandPath(instr.rest.trim(), e.read.escape, tracking);
  let resolved: string | null = null;
  if (path !== null && !usesUnknown) {
    if (path.startsWith('/')) resolved = posixNormalize(path);
    else if (e.state.workdir !== null) resolved = posixNormalize(`${e.state.workdir}/${path}`);
  }
  e.state.workdir = resolved;
  // BuildKit counts `WORKDIR /` in the stage total but makes no vertex for it (no mkdir needed), so no
  // step prints that index: the later steps keep counting from the previous one.
  if (resolved === '/') emitDirective(e, instr);
  else pushStep(e, instr, 'WORKDIR', fileOpVertexName(instr.written, e.read.escape, e.lookup), uppercaseFirstWord(instr.written));
}

function declareStageArgs(
  instr: Instr,
  state: StageState,
  globals: Record<string, string | null>,
  buildArgs: Record<string, string | null>,
  escape: string,
): void {
  // Like ENV, the defaults of one ARG instruction are expanded with the env from before it.
  const before = new Map(state.stateEnv);
  const lookup: Lookup = (n) => before.get(n);
  for (const p of instr.properties) {
    let value: string | null;
    if (Object.hasOwn(buildArgs, p.name)) value = buildArgs[p.name] ?? null;
    else if (p.raw !== null) value = expandOrKeep(p.raw, { escape, lookup });
    else if (Object.hasOwn(globals, p.name))
      value = globals[p.name] ?? null; // re-declared global ARG: inherits its value
    else value = null;
    state.args[p.name] = value;
    if (value !== null) state.stateEnv.set(p.name, value);
  }
}

function copySource(instr: Instr, drafts: StageDraft[], current: number, escape: string, lookup: Lookup, problem: Problem): CopySource {
  const from = flagValue(instr.flags, 'from');
  let fromStage: number | null = null;
  if (from !== null) {
    fromStage = resolveStageRef(from, drafts);
    if (fromStage !== null && fromStage >= current) {
      problem(
        `Line ${instr.start + 1}: COPY --from=${from} names a stage that is not defined before this one.`,
        'BuildKit refuses this; a stage can copy only from stages above it.',
      );
      fromStage = null;
    }
  }
  const heredocNames = new Set(instr.heredocs.map((h) => h.name));
  const words = copyArgumentWords(instr.rest);
  const dest = words.length > 1 ? expandCopyPath(words[words.length - 1] ?? '', escape, lookup) : '';
  const paths: string[] = [];
  for (const w of words.slice(0, -1)) {
    const name = heredocName(w);
    if (name !== null && heredocNames.has(name)) continue; // an inline file, not a context path
    paths.push(expandCopyPath(w, escape, lookup));
  }
  return {
    paths,
    from,
    fromStage,
    link: hasFlag(instr.flags, 'link'),
    chmod: flagValue(instr.flags, 'chmod'),
    chown: flagValue(instr.flags, 'chown'),
    exclude: flagValues(instr.flags, 'exclude'),
    parents: hasFlag(instr.flags, 'parents'),
    dest,
    remote: instr.keyword === 'ADD' && paths.some(isRemoteSource),
  };
}

function isRemoteSource(path: string): boolean {
  return /^(https?|git):\/\//i.test(path) || /^git@/.test(path) || /\.git(#.*)?$/.test(path);
}

function posixNormalize(path: string): string {
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}
