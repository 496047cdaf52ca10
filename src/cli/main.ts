/** Entry point of the `cachewhy` CLI (Node only). Returns the exit code; never throws to the shell. */
import { ownMessage } from '../core/problem-words.ts';
import { analyze } from '../core/analyze.ts';
import { REPORT_SCHEMA, type InputProblem, type Report } from '../core/model.ts';
import {
  encodeShareLinkDetailed,
  isNewerReport,
  readReport,
  redactReport,
  SHARE_LINK_HARD_LIMIT,
  SHARE_LINK_SOFT_LIMIT,
  toMarkdown,
} from '../core/report/index.ts';
import { DEFAULT_BASE, parseArgs, type CliOptions } from './args.ts';
import { loadHasher } from './hasher.ts';
import { indexContexts, sortInputs, type SortedInputs, type StdinSource } from './inputs.ts';
import { textSummary } from './summary.ts';
import { readLinkArgument, splitLinkArguments, unusedBesideLink } from './link-arg.ts';
import { CHECK_INTERNAL, runCheck } from './check.ts';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard input, for the FILE `-` (all its bytes, or a stream); the process's stdin when absent. */
  stdin?: StdinSource;
}

/** Exit codes: 0 answered; 2 nothing could be analysed, or the command line is wrong; 1 a bug in cachewhy. */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_INPUT = 2;

export const USAGE = `usage: cachewhy [--json | --markdown | --link [--base URL]] [--build N[,M…]] FILE[#N[,M…]]...

Why did BuildKit rebuild this step? Give the build logs in chronological order (earlier build
first), plus any Dockerfile(s), .dockerignore, build contexts (.tar, .tar.gz or a folder, one per
build in order) and build-command files. Every file is recognised by its content, not its name.
FILE - reads standard input (a log piped from the build, for instance).

A log can hold several builds (a script that builds twice, CI retries): they are all compared, in
the order they appear. To pick some:
  FILE#N[,M…]  builds N, M… of that log, in that order (1 = the first); only when no file is
               named FILE#N itself
  --build N[,M…]  the same pick for every log that holds more than one build (a FILE#N wins)

output (one of):
  (none)       a short summary: the verdict, the builds compared, every step's status in each build
  --json       the report as JSON (schema cachewhy.report/v2); build-arg values and secrets redacted
  --markdown   the report as Markdown, ready to paste into an issue or a forum post (redacted);
               cut to fit 3,000 characters, cascades folded (it says what it left out)
  --full       with --markdown: every section, however long
  --link       a URL that opens the report in the cachewhy web app; the report travels in the
               URL fragment (never sent to a server), redacted
  --base URL   where the app is hosted, for --link (default ${DEFAULT_BASE}: the environment
               variable CACHEWHY_BASE, else package.json's homepage)
  -h, --help   this text

example:
  cachewhy a.log b.log Dockerfile context-a.tar context-b.tar
  cachewhy --link --base https://example.org/cachewhy/ ci-build-41.log ci-build-42.log
  docker build --progress=plain . 2>&1 | cachewhy --markdown last-good.log -
  cachewhy ci-job.log#1,3 Dockerfile       # builds 1 and 3 of a log that holds three
  cachewhy --json 'http://127.0.0.1:5173/#r=3.…'   # the report a share link carries

the CI gate:
  cachewhy check [--allow-miss STEP|PATTERN]... [--max-lost-seconds N] [--same-inputs]
                 [--report FILE.md|FILE.json] [--junit FILE.xml] [--github] FILE...
               exit 0 when the later build found CACHED every step the earlier one had, 1 when
               a step missed (the step, the cause with its evidence, the time lost), 2 for a
               wrong command line or no two builds, 3 for an internal error.
  --allow-miss  a step that may miss: its label ([2/34], builder 3) or an instruction pattern
               (RUN date*, case-insensitive); its cascade is allowed with it. Repeatable
  --max-lost-seconds N  fail only when the misses cost more than N seconds (logs' durations)
  --same-inputs  both builds are of the same commit (build twice): a miss is non-determinism
  --report FILE  the forum Markdown (.md) or the JSON report; --junit FILE: JUnit XML, a test
               case per step; --github: job summary, outputs and a Dockerfile annotation

An input that cannot be read or recognised gets a warning on stderr and is left out; the others
are still analysed.

exit status: 0 answered; 2 nothing could be analysed (no build log or saved report could be
read) or the command line is wrong; 1 an internal error.
`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    // Our bug, not the user's: one line, no stack.
    io.stderr(`cachewhy: internal error: ${oneLine(error instanceof Error ? error.message : String(error))} (please report it)\n`);
    return argv[0] === 'check' ? CHECK_INTERNAL : EXIT_INTERNAL;
  }
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    io.stderr(`cachewhy: ${parsed.message}\n`);
    return EXIT_INPUT;
  }
  const options = parsed.options;
  if (options.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  if (options.files.length === 0) {
    io.stdout(USAGE);
    return EXIT_INPUT;
  }
  const given = await splitLinkArguments(options.files);
  if (given.links.length > 0) return printLink(given, options, io);

  // One input that cannot be used is said and skipped: the others still make an answer.
  const inputs = await sortInputs(options.files, io.stdin);
  const unreadable = inputs.logs.flatMap((log) => (log.read.ok ? [] : [log.read.problem]));
  warn(io, [...inputs.problems, ...unreadable]);
  const readable = inputs.logs.length > unreadable.length;
  if (!readable && inputs.reports.length > 0) return printSaved(inputs, options, io);
  if (!readable) return nothingToAnalyse(io, 'no build log or saved report among the inputs could be read');
  warn(
    io,
    inputs.reports.map((r) => ({ input: r.name, message: 'is a saved cachewhy report; give it alone to print it (the build logs were analysed instead)' })),
  );
  return analyseLogs(inputs, new Set(unreadable), options, io);
}

/** The logs that could be read, with what else was given; `told`: problems already said as warnings. */
async function analyseLogs(inputs: SortedInputs, told: Set<InputProblem>, options: CliOptions, io: CliIO): Promise<number> {
  const contexts = await indexContexts(inputs.contexts, inputs.dockerignores, loadHasher);
  // A context that cannot be hashed is skipped: its build is compared without it.
  warn(io, contexts.problems);
  note(io, contexts.notes);

  const result = analyze({
    // Unreadable logs stay in: the contexts are matched to the logs by position. analyze skips them.
    logs: withBuildFlag(inputs.logs, options.build, io),
    dockerfiles: inputs.dockerfiles,
    dockerignores: inputs.dockerignores,
    commands: inputs.commands,
    contexts: contexts.indexes,
    histories: inputs.histories,
  });
  note(
    io,
    result.problems.filter((p) => !told.has(p)),
  );
  if (result.report.builds.length === 0) return nothingToAnalyse(io, 'none of the builds picked is in its log', 'pick builds the log holds, from 1');
  const code = await print(result.report, options, io);
  // Logs were read but no diagnosis came out: that is our bug (said above as a note), not an answer.
  return code === EXIT_OK && result.report.diagnosis === null ? EXIT_INTERNAL : code;
}

/** `--build 2,3` picks in every log holding more than one build; a log's own `file.log#N` wins. */
function withBuildFlag(logs: SortedInputs['logs'], build: number[] | undefined, io: CliIO): SortedInputs['logs'] {
  if (!build) return logs;
  const takes = (log: SortedInputs['logs'][number]) => !log.pick && log.read.ok && log.read.value.length > 1;
  if (!logs.some(takes)) io.stderr(`cachewhy: note: --build ${build.join(',')} picks nothing: no log (without its own #N) holds more than one build\n`);
  return logs.map((log) => (takes(log) ? { ...log, pick: build } : log));
}

/** No log could be read but a saved report was given: the first valid one is printed as it is. */
async function printSaved(inputs: SortedInputs, options: CliOptions, io: CliIO): Promise<number> {
  let chosen: Report | null = null;
  for (const { name, text } of inputs.reports) {
    const saved = readSavedReport(name, text);
    if (!saved.ok) warn(io, [saved.problem]);
    else if (chosen) warn(io, [{ input: name, message: 'is another saved report; only the first one is printed' }]);
    else chosen = saved.report;
  }
  if (!chosen) return nothingToAnalyse(io, 'no build log or saved report among the inputs could be read');
  const others = [...inputs.dockerfiles, ...inputs.dockerignores, ...inputs.commands].map((t) => t.name).concat(inputs.contexts.map((c) => c.path));
  warn(
    io,
    others.map((input) => ({ input, message: 'is not used: a saved report is printed as it is' })),
  );
  return print(chosen, options, io);
}

/** A share link instead of files: the report it carries, in the output asked for (see link-arg.ts). */
async function printLink(given: Awaited<ReturnType<typeof splitLinkArguments>>, options: CliOptions, io: CliIO): Promise<number> {
  warn(io, unusedBesideLink(given));
  const read = await readLinkArgument(given.links[0]!);
  if (!read.ok) {
    warn(io, [read.problem]);
    return nothingToAnalyse(io, 'the share link could not be read', "copy the whole link, quoted: cachewhy --json 'http://…#r=3.…'");
  }
  return print(read.report, options, io);
}

const GIVE_LOGS = 'give the logs of two builds, earlier first: docker build --progress=plain … 2>&1 | tee build.log';

/** The one way to exit 2 for inputs: nothing at all could be analysed (each input's warning came before). */
function nothingToAnalyse(io: CliIO, why: string, hint = GIVE_LOGS): number {
  io.stderr(`cachewhy: nothing to analyse: ${why} (${hint})\n`);
  return EXIT_INPUT;
}

async function print(report: Report, options: CliOptions, io: CliIO): Promise<number> {
  // Every output is redacted: a terminal's scrollback and a CI log are as public as a link.
  const { report: safe } = redactReport(report);
  switch (options.mode) {
    case 'json':
      io.stdout(`${JSON.stringify(safe, null, 2)}\n`);
      return EXIT_OK;
    case 'markdown':
      io.stdout(toMarkdown(safe, options.full ? { limit: Infinity } : {}));
      return EXIT_OK;
    case 'summary':
      io.stdout(textSummary(safe));
      return EXIT_OK;
    case 'check':
      // No diagnosis is our bug: the gate says so with its own code, never as a cache miss.
      if (!safe.diagnosis) return CHECK_INTERNAL;
      return runCheck(safe, { ...options.check!, base: options.base }, io);
    case 'link': {
      const encoded = await encodeShareLinkDetailed(safe);
      const root = options.base.split('#')[0]!;
      const url = `${root}#${encoded.fragment}`;
      if (url.length > SHARE_LINK_HARD_LIMIT) {
        io.stderr(`cachewhy: the link would be ${url.length} characters, more than browsers accept; use --json and share the file instead\n`);
        return EXIT_INPUT;
      }
      io.stdout(`${url}\n`);
      if (url.length > SHARE_LINK_SOFT_LIMIT) {
        io.stderr(`cachewhy: note: the link is ${url.length} characters; some chat tools cut links longer than ${SHARE_LINK_SOFT_LIMIT}\n`);
      }
      return EXIT_OK;
    }
  }
}

function readSavedReport(name: string, text: string): { ok: true; report: Report } | { ok: false; problem: InputProblem } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: { input: name, message: 'looks like a cachewhy report but is not valid JSON (cut or edited?)' } };
  }
  if (isNewerReport(value)) {
    const schema = (value as { schema: string }).schema;
    return {
      ok: false,
      problem: { input: name, message: `was written by a newer cachewhy (${schema}); this one reads ${REPORT_SCHEMA}`, hint: 'update cachewhy' },
    };
  }
  // A report saved by an earlier cachewhy is upgraded to the current schema, then printed.
  const read = readReport(value);
  return read.ok ? { ok: true, report: read.report } : { ok: false, problem: { input: name, message: `is not a valid cachewhy report: ${read.problem}` } };
}

/** An input that cannot be used (or only in part): one line each; the rest is still analysed. */
function warn(io: CliIO, problems: InputProblem[]): void {
  for (const problem of problems) io.stderr(`${problemLine(problem, 'warning: ')}\n`);
}

/** A remark on an input that was used. */
function note(io: CliIO, problems: InputProblem[]): void {
  for (const problem of problems) io.stderr(`${problemLine(problem, 'note: ')}\n`);
}

/** `cachewhy: warning: b.log: is empty (hint)`. */
export function problemLine(problem: InputProblem, prefix = ''): string {
  const own = ownMessage(problem);
  const hint = problem.hint ? ` (${problem.hint.replace(/\.$/, '')})` : '';
  return oneLine(`cachewhy: ${prefix}${problem.input}: ${own.replace(/\.$/, '')}${hint}`);
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
