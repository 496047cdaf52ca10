/** Entry point of the `cachewhy` CLI (Node only). Returns the exit code; never throws to the shell. */
import { analyze } from '../core/analyze.ts';
import type { InputProblem, Report } from '../core/model.ts';
import {
  encodeShareLinkDetailed,
  redactReport,
  SHARE_LINK_HARD_LIMIT,
  SHARE_LINK_SOFT_LIMIT,
  toMarkdown,
  validateReport,
} from '../core/report/index.ts';
import { DEFAULT_BASE, parseArgs, type CliOptions } from './args.ts';
import { loadHasher } from './hasher.ts';
import { indexContexts, sortInputs, type StdinSource } from './inputs.ts';
import { textSummary } from './summary.ts';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard input, for the FILE `-` (all its bytes, or a stream); the process's stdin when absent. */
  stdin?: StdinSource;
}

/** Exit codes: 0 answered; 2 the inputs (or the command line) cannot be used; 1 a bug in cachewhy. */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_INPUT = 2;

export const USAGE = `usage: cachewhy [--json | --markdown | --link [--base URL]] FILE...

Why did BuildKit rebuild this step? Give the build logs in chronological order (earlier build
first), plus any Dockerfile(s), .dockerignore, build contexts (.tar, .tar.gz or a folder, one per
build in order) and build-command files. Every file is recognised by its content, not its name.
FILE - reads standard input (a log piped from the build, for instance).

output (one of):
  (none)       a short summary: the verdict and every step's status in each build
  --json       the report as JSON (schema cachewhy.report/v1); build-arg values and secrets redacted
  --markdown   the report as Markdown, ready to paste into an issue or a forum post (redacted)
  --link       a URL that opens the report in the cachewhy web app; the report travels in the
               URL fragment (never sent to a server), redacted
  --base URL   where the app is hosted, for --link (default ${DEFAULT_BASE}, the address of
               \`npm start\` / \`npm run example\` in a cachewhy checkout)
  -h, --help   this text

example:
  cachewhy a.log b.log Dockerfile context-a.tar context-b.tar
  cachewhy --link --base https://example.org/cachewhy/ ci-build-41.log ci-build-42.log
  docker build --progress=plain . 2>&1 | cachewhy --markdown last-good.log -

exit status: 0 answered, 2 an input could not be read or recognised (one line per problem on
stderr), 1 an internal error.
`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    // Our bug, not the user's: one line, no stack.
    io.stderr(`cachewhy: internal error: ${oneLine(error instanceof Error ? error.message : String(error))} (please report it)\n`);
    return EXIT_INTERNAL;
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

  const inputs = await sortInputs(options.files, io.stdin);
  if (inputs.problems.length > 0) return fail(io, inputs.problems);

  if (inputs.reports.length > 0) {
    const others = options.files.length - inputs.reports.length;
    if (inputs.reports.length > 1 || others > 0) {
      return fail(io, [{ input: inputs.reports[0]!.name, message: 'is a saved cachewhy report; give it alone to print it, or give the build logs instead' }]);
    }
    const saved = readSavedReport(inputs.reports[0]!.name, inputs.reports[0]!.text);
    if (!saved.ok) return fail(io, [saved.problem]);
    return print(saved.report, options, io);
  }

  if (inputs.logs.length === 0) {
    return fail(io, [{ input: options.files.join(' '), message: 'no build log among the inputs', hint: 'Give the logs of two builds, earlier first (docker build --progress=plain … 2>&1 | tee build.log).' }]);
  }

  const contexts = await indexContexts(inputs.contexts, inputs.dockerignores, loadHasher);
  if (contexts.problems.length > 0) return fail(io, contexts.problems);
  note(io, contexts.notes);

  const result = analyze({
    logs: inputs.logs,
    dockerfiles: inputs.dockerfiles,
    dockerignores: inputs.dockerignores,
    commands: inputs.commands,
    contexts: contexts.indexes,
  });
  // A log that could not be read leaves the comparison wrong: refuse rather than answer about other builds.
  const logNames = new Set(inputs.logs.map((l) => l.name));
  const fatal = result.problems.filter((p) => logNames.has(p.input));
  if (fatal.length > 0) return fail(io, fatal);
  note(io, result.problems);
  const code = await print(result.report, options, io);
  // Logs were read but no diagnosis came out: that is our bug (said above as a note), not an answer.
  return code === EXIT_OK && result.report.diagnosis === null ? EXIT_INTERNAL : code;
}

async function print(report: Report, options: CliOptions, io: CliIO): Promise<number> {
  // Every output is redacted: a terminal's scrollback and a CI log are as public as a link.
  const { report: safe } = redactReport(report);
  switch (options.mode) {
    case 'json':
      io.stdout(`${JSON.stringify(safe, null, 2)}\n`);
      return EXIT_OK;
    case 'markdown':
      io.stdout(toMarkdown(safe));
      return EXIT_OK;
    case 'summary':
      io.stdout(textSummary(safe));
      return EXIT_OK;
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
  const problem = validateReport(value);
  return problem === null ? { ok: true, report: value as Report } : { ok: false, problem: { input: name, message: `is not a valid cachewhy report: ${problem}` } };
}

/** One line per problem on stderr, naming the input; exit 2. */
function fail(io: CliIO, problems: InputProblem[]): number {
  for (const problem of problems) io.stderr(`${problemLine(problem)}\n`);
  return EXIT_INPUT;
}

function note(io: CliIO, problems: InputProblem[]): void {
  for (const problem of problems) io.stderr(`${problemLine(problem, 'note: ')}\n`);
}

export function problemLine(problem: InputProblem, prefix = ''): string {
  // Readers phrase messages as "b.log is empty."; avoid "b.log: b.log is empty.".
  const message = problem.message.startsWith(problem.input) ? problem.message : `${problem.input}: ${problem.message}`;
  const hint = problem.hint ? ` (${problem.hint.replace(/\.$/, '')})` : '';
  return oneLine(`cachewhy: ${prefix}${message.replace(/\.$/, '')}${hint}`);
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
