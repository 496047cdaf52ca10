/** Command-line parsing for `cachewhy`: flags → what to print, and the files in the order given. */

export type OutputMode = 'summary' | 'json' | 'markdown' | 'link';

/** Where `--link` points when no `--base` is given: the app as `npm run example` / `npm start` serves it. */
export const DEFAULT_BASE = 'http://127.0.0.1:5173/';

export interface CliOptions {
  mode: OutputMode;
  base: string;
  files: string[];
  help: boolean;
}

export type ParsedArgs = { ok: true; options: CliOptions } | { ok: false; message: string };

const MODES: Record<string, OutputMode> = { '--json': 'json', '--markdown': 'markdown', '--link': 'link' };

export function parseArgs(argv: string[]): ParsedArgs {
  const options: CliOptions = { mode: 'summary', base: DEFAULT_BASE, files: [], help: false };
  let modeFlag: string | null = null;
  let baseGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      options.files.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      options.help = true;
      continue;
    }
    const mode = MODES[arg];
    if (mode) {
      if (modeFlag && modeFlag !== arg) return { ok: false, message: `${modeFlag} and ${arg} cannot be used together; choose one output.` };
      modeFlag = arg;
      options.mode = mode;
      continue;
    }
    if (arg === '--base' || arg.startsWith('--base=')) {
      const value = arg === '--base' ? argv[++i] : arg.slice('--base='.length);
      if (value === undefined || value === '') return { ok: false, message: '--base needs a URL, e.g. --base https://example.org/cachewhy/' };
      const problem = checkBase(value);
      if (problem) return { ok: false, message: problem };
      options.base = value;
      baseGiven = true;
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') return { ok: false, message: `unknown option ${arg} (see cachewhy --help)` };
    options.files.push(arg);
  }
  if (baseGiven && options.mode !== 'link') return { ok: false, message: '--base only makes sense with --link.' };
  return { ok: true, options };
}

function checkBase(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `--base ${value} is not a URL (write it with its scheme, e.g. https://example.org/cachewhy/)`;
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) return `--base ${value}: only http, https and file URLs can host the app`;
  return null;
}
