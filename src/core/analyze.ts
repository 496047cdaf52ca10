/**
 * The pipeline the CLI and the app share: read logs and texts + already-hashed contexts → Report.
 *
 * Synchronous on purpose: reading files (logs are streamed through `readLogInput`) and hashing contexts
 * (the slow, async parts) happen before, in the CLI or in the app's workers; this runs in one go in a
 * worker or in-process. Every user-caused problem is
 * collected as an InputProblem; nothing a user gives can make it throw.
 */
import { readDockerfile } from './dockerfile/index.ts';
import { contentKeys } from './context/index.ts';
import { diagnose } from './explain/index.ts';
import { findBuildCommands, parseCommandsFile } from './ingest/command.ts';
import { dockerfilesPerBuild } from './ingest/dockerfiles.ts';
import { CommandLines, readLogBuilds, readLogStream } from './log/index.ts';
import type { BuildCommand, BuildPlan, BuildTrace, ContextIndex, Diagnosis, InputProblem, Report, Result, StepContentKey } from './model.ts';
import { buildReport } from './report/index.ts';
import { defaultBuildOrder } from './log/build-order.ts';
import { attachHistories, dockerfilesOfRecords, recordCauses } from './record/pipeline.ts';

export interface TextInput {
  name: string;
  text: string;
}

/** A build log already read (`readLogInput`): how the CLI and the app's worker give logs, streamed. */
export interface ReadLogInput {
  name: string;
  /** Every build the log holds. */
  read: Result<BuildTrace[]>;
}

/**
 * Which builds of a log take part, 1-based, in the order given (`file.log#2`, `--build 2,3`, the app's
 * picker); absent: all of them, in the order they appear.
 */
export type BuildPick = number[] | undefined;

export interface AnalyzeInputs {
  /** Build logs, chronological (earlier build first): texts, or logs read by `readLogInput`. */
  logs: ((TextInput | ReadLogInput) & { pick?: BuildPick })[];
  /** None, one for every build, or one per build in order (when the Dockerfile changed). */
  dockerfiles: TextInput[];
  /** Recorded in the inputs summary; contexts were already indexed with them applied. */
  dockerignores?: TextInput[];
  /** Files of build commands: one command per build in order, or the `commands.txt` format (log, command, exit). */
  commands?: TextInput[];
  /** One per build in order; null where the build has no context. */
  contexts?: (ContextIndex | null)[];
  /** `docker buildx history inspect --format json` outputs, one per build in the order of the logs. */
  histories?: TextInput[];
}

export interface AnalyzeResult {
  report: Report;
  problems: InputProblem[];
}

/** A build = a log that could be read, with its position among the logs given (contexts follow it). */
interface Build {
  given: number;
  trace: BuildTrace;
}

export function analyze(inputs: AnalyzeInputs): AnalyzeResult {
  const problems: InputProblem[] = [];
  const builds = readLogs(inputs.logs, problems);
  const traces = builds.map((b) => b.trace);
  attachHistories(traces, inputs.histories ?? [], problems);

  const commands = assignCommands(inputs.commands ?? [], inputs.logs, builds, problems);
  const contexts = builds.map((b) => inputs.contexts?.[b.given] ?? null);
  // Records carry the Dockerfile each build used: taken when none was given (never shown in the report).
  const recordDockerfiles = inputs.dockerfiles.length === 0 ? dockerfilesOfRecords(traces) : [];
  const dockerfiles = dockerfilesPerBuild(
    recordDockerfiles.length > 0 ? recordDockerfiles : inputs.dockerfiles,
    contexts,
    commands.map((c) => c?.command ?? null),
  );
  problems.push(...dockerfiles.notes);
  const plans = readPlans(dockerfiles.files, builds, commands, problems);
  if ((inputs.contexts?.length ?? 0) > inputs.logs.length && inputs.logs.length > 0) {
    problems.push({
      input: 'contexts',
      message: `${inputs.contexts!.length} build contexts were given for ${inputs.logs.length} build logs; the extra ones are not used.`,
      hint: 'Give one context per build, in the same order as the logs.',
    });
  }

  // Each context's content keys, computed once: the report lists them, the diff and hash notes reuse them.
  const keys = contexts.map((context, i) => keysFor(context, plans[i] ?? plans[plans.length - 1] ?? null, problems));
  let diagnosis: Diagnosis | null = null;
  if (traces.length > 0) {
    try {
      diagnosis = recordCauses(diagnose({ traces, plans, commands: commands.map((c) => c?.command ?? null), contexts, contentKeys: keys }), traces);
    } catch (error) {
      problems.push(internalError('diagnosis', error));
    }
  }

  const report = buildReport({
    traces,
    plans,
    diagnosis,
    contexts,
    contentKeys: keys.map((k) => k?.keys ?? null),
    commands: reportCommands(builds, commands),
    inputs: inputSummary(inputs),
  });
  // The Dockerfile text from a record's provenance stays out of every report, so out of every link.
  if (recordDockerfiles.length > 0) delete report.dockerfile;
  return { report, problems };
}

/**
 * Reads one build log from a stream (a `Blob.stream()`, a Node file stream) or a text, with the build
 * commands its CI log echoes (`+ docker build …`: they carry the build args). Only the head of the log
 * and what the report keeps are held in memory. Never throws: a log that cannot be read is a problem.
 */
export async function readLogInput(
  name: string,
  content: string | AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array | string>,
): Promise<ReadLogInput> {
  if (typeof content === 'string') return { name, read: readTextLog(content, name) };
  const lines = new CommandLines();
  const read = await readLogStream(content, name, { onText: (piece) => lines.write(piece) });
  return { name, read: withEchoedCommands(read, () => lines.text()) };
}

/** A log already whole in memory: the echoed commands are looked for in the text itself. */
function readTextLog(text: string, name: string): Result<BuildTrace[]> {
  return withEchoedCommands(readLogBuilds(text, name), () => text);
}

/**
 * `echoed` gives the text to search (only when no build found a command of its own). A log with as many
 * echoed commands as builds gives each build its own; otherwise every build gets the first.
 */
function withEchoedCommands(read: Result<BuildTrace[]>, echoed: () => string): Result<BuildTrace[]> {
  if (!read.ok || read.value.some((t) => t.commands.length > 0)) return read;
  const found = findBuildCommands(echoed());
  const builds = read.value;
  builds.forEach((trace, i) => {
    const own = found.length === builds.length ? found[i] : found[0];
    trace.commands = own ? [own] : [];
  });
  return read;
}

function readLogs(logs: AnalyzeInputs['logs'], problems: InputProblem[]): Build[] {
  const builds: Build[] = [];
  logs.forEach((log, given) => {
    const result = 'read' in log ? log.read : readTextLog(log.text, log.name);
    if (!result.ok) {
      problems.push(result.problem);
      return;
    }
    if (result.problems) problems.push(...result.problems);
    for (const trace of pickBuilds(log.name, result.value, log.pick, problems)) builds.push({ given, trace });
  });
  return builds;
}

/** The builds a pick names, in its order; a number past the log's builds is a problem, not a stop. */
function pickBuilds(name: string, traces: BuildTrace[], pick: BuildPick, problems: InputProblem[]): BuildTrace[] {
  if (pick === undefined || pick.length === 0) return inTimeOrder(name, traces, problems);
  const picked: BuildTrace[] = [];
  for (const n of pick) {
    const trace = traces[n - 1];
    if (trace) picked.push(trace);
    else {
      problems.push({
        input: name,
        message: `${name} holds ${traces.length} build${traces.length === 1 ? '' : 's'}; there is no build ${n}.`,
        hint: `Pick builds 1 to ${traces.length}.`,
      });
    }
  }
  return picked;
}

/**
 * A file's builds in the order they ran: a post that quotes the bad build first and the good one after
 * is read in its stamps' order when every build is stamped.
 */
function inTimeOrder(name: string, traces: BuildTrace[], problems: InputProblem[]): BuildTrace[] {
  const order = defaultBuildOrder(traces.map((t) => t.startedAt ?? t.steps[0]?.startedAt ?? null));
  if (order.every((n, i) => n === i + 1)) return traces;
  problems.push({
    input: name,
    message: `${name} quotes its ${traces.length} builds out of order; they are compared in the order of their timestamps (${order.map((n) => `build ${n}`).join(', ')}).`,
    hint: 'Pick the builds and their order yourself (CLI: `file.log#2,1`, or `--build`) if that is not what you meant.',
  });
  return order.map((n) => traces[n - 1]!);
}

interface AssignedCommand {
  source: string;
  command: BuildCommand;
}

/**
 * The command of each build: from a commands file (matched by log file name in the `commands.txt` format,
 * else one per build in order), else the one the build's own log echoes.
 */
function assignCommands(files: TextInput[], logs: { name: string }[], builds: Build[], problems: InputProblem[]): (AssignedCommand | null)[] {
  const byBuild: (AssignedCommand | null)[] = builds.map(() => null);
  const unnamed: AssignedCommand[] = [];
  for (const file of files) {
    const entries = parseCommandsFile(file.text);
    if (entries.length === 0) {
      problems.push({
        input: file.name,
        message: `${file.name} holds no docker build command.`,
        hint: 'Give lines like `docker build --build-arg A=1 -t app .`, one per build, in the order of the logs.',
      });
      continue;
    }
    for (const entry of entries) {
      if (entry.log === null) {
        unnamed.push({ source: file.name, command: entry.command });
        continue;
      }
      const given = logs.findIndex((log) => baseName(log.name) === baseName(entry.log!));
      const build = builds.findIndex((b) => b.given === given);
      if (build !== -1) byBuild[build] = { source: file.name, command: entry.command };
    }
  }
  unnamed.forEach((assigned, i) => {
    if (i < byBuild.length && byBuild[i] === null) byBuild[i] = assigned;
  });
  return byBuild.map((assigned, i) => {
    if (assigned) return assigned;
    const echoed = builds[i]?.trace.commands[0];
    return echoed ? { source: builds[i]!.trace.source, command: echoed } : null;
  });
}

/**
 * One plan per build when possible: a single Dockerfile is read once per build with that build's
 * `--build-arg`s and `--target` (they change what BuildKit prints and keys on).
 */
function readPlans(files: TextInput[], builds: Build[], commands: (AssignedCommand | null)[], problems: InputProblem[]): BuildPlan[] {
  if (files.length === 0) return [];
  if (files.length > 1 && files.length !== builds.length && builds.length > 0) {
    problems.push({
      input: 'Dockerfiles',
      message: `${files.length} Dockerfiles were given for ${builds.length} readable build logs; they are matched in order.`,
      hint: 'Give one Dockerfile for all builds, or one per build in the order of the logs.',
    });
  }
  // One Dockerfile: read it for every build. Several: the i-th is build i's.
  const count = files.length === 1 ? Math.max(1, builds.length) : files.length;
  const plans: BuildPlan[] = [];
  for (let i = 0; i < count; i++) {
    const file = files[Math.min(i, files.length - 1)]!;
    const command = commands[i]?.command ?? null;
    const era = builds[i]?.trace.builder.era; // readDockerfile turns it into the era's numbering rules (dockerfile/era.ts)
    try {
      const plan = readDockerfile(file.text, file.name, { buildArgs: command?.build_args ?? {}, target: command?.target ?? null, era });
      // The same Dockerfile read for several builds reports the same problems: say them once.
      for (const problem of plan.problems) if (!problems.some((p) => p.input === problem.input && p.message === problem.message)) problems.push(problem);
      plans.push(plan);
    } catch (error) {
      problems.push(internalError(file.name, error));
      return [];
    }
  }
  return plans;
}

function keysFor(context: ContextIndex | null, plan: BuildPlan | null, problems: InputProblem[]): { plan: BuildPlan; keys: StepContentKey[] } | null {
  if (!context || !plan) return null;
  try {
    return { plan, keys: contentKeys(context, plan) };
  } catch (error) {
    problems.push(internalError(context.source, error));
    return null;
  }
}

function reportCommands(builds: Build[], commands: (AssignedCommand | null)[]): NonNullable<Report['commands']> {
  const out: NonNullable<Report['commands']> = [];
  commands.forEach((assigned, build) => {
    if (assigned && builds[build]) out.push({ build, source: assigned.source, command: assigned.command });
  });
  return out;
}

function inputSummary(inputs: AnalyzeInputs): { name: string; kind: string }[] {
  return [
    ...inputs.logs.map((l) => ({ name: l.name, kind: 'read' in l && l.read.ok && l.read.value[0]?.record ? 'build record' : 'log' })),
    ...(inputs.histories ?? []).map((h) => ({ name: h.name, kind: 'build record (history inspect)' })),
    ...inputs.dockerfiles.map((d) => ({ name: d.name, kind: 'dockerfile' })),
    ...(inputs.dockerignores ?? []).map((d) => ({ name: d.name, kind: 'dockerignore' })),
    ...(inputs.commands ?? []).map((c) => ({ name: c.name, kind: 'commands' })),
    ...(inputs.contexts ?? []).flatMap((c) => (c ? [{ name: c.source, kind: `context (${c.kind})` }] : [])),
  ];
}

function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

/** A thrown error here is a bug in cachewhy, not the user's fault: say so, and keep going. */
function internalError(input: string, error: unknown): InputProblem {
  return {
    input,
    message: `cachewhy failed on ${input}: ${error instanceof Error ? error.message : String(error)}`,
    hint: 'This is a bug in cachewhy; the other inputs were still analysed. Please report it.',
  };
}
