/** Command-line parsing for `cachewhy`: flags → what to print, and the files in the order given. */

import { defaultBase } from './base.ts';
import { emptyCheckFlags, parseCheckFlag, type CheckFlags } from './check-args.ts';

export type OutputMode = 'summary' | 'json' | 'markdown' | 'link' | 'check';

/** Where `--link` points when no `--base` is given: `CACHEWHY_BASE`, else package.json's `homepage` (src/cli/base.ts). */
export const DEFAULT_BASE = defaultBase();

export interface CliOptions {
  mode: OutputMode;
  base: string;
  files: string[];
  help: boolean;
  /** `--build 2,3`: the builds to compare of every log that holds more than one (1-based, in order). */
  build?: number[];
  /** `--full`: the Markdown with every section, not cut to fit a forum post. */
  full?: boolean;
  /** `cachewhy check …`: the CI gate's flags. */
  check?: CheckFlags;
}

export type ParsedArgs = { ok: true; options: CliOptions } | { ok: false; message: string };

const MODES: Record<string, OutputMode> = { '--json': 'json', '--markdown': 'markdown', '--link': 'link' };

export function parseArgs(argv: string[]): ParsedArgs {
  const options: CliOptions = { mode: 'summary', base: DEFAULT_BASE, files: [], help: false };
  let modeFlag: string | null = null;
  let baseGiven = false;
  const check = argv[0] === 'check' ? emptyCheckFlags() : null;
  if (check) options.check = check;
  for (let i = check ? 1 : 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const took = check && !MODES[arg] ? parseCheckFlag(argv, i, check) : 0;
    if (typeof took === 'object') return { ok: false, message: took.error };
    if (took > 0) {
      i += took - 1;
      continue;
    }
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
    if (arg === '--build' || arg.startsWith('--build=')) {
      const value = arg === '--build' ? argv[++i] : arg.slice('--build='.length);
      if (options.build) return { ok: false, message: '--build is given twice; give the builds once, e.g. --build 2,3' };
      const build = parseBuildNumbers(value ?? '');
      if (build === null)
        return {
          ok: false,
          message: `--build needs build numbers from 1, e.g. --build 2 or --build 1,3 (got ${value === undefined ? 'nothing' : JSON.stringify(value)})`,
        };
      options.build = build;
      continue;
    }
    if (arg === '--full') {
      options.full = true;
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') return { ok: false, message: `unknown option ${arg} (see cachewhy --help)` };
    options.files.push(arg);
  }
  if (check && modeFlag) return { ok: false, message: `check prints its verdict; write the report with --report FILE instead of ${modeFlag}` };
  if (check) options.mode = 'check';
  if (options.full && options.mode !== 'markdown') return { ok: false, message: '--full only makes sense with --markdown.' };
  if (baseGiven && options.mode !== 'link' && !check?.github) return { ok: false, message: '--base only makes sense with --link (or check --github).' };
  return { ok: true, options };
}

/** `2` or `1,3` → [2] or [1, 3]; null unless every part is a number from 1. Shared with `file.log#2`. */
export function parseBuildNumbers(text: string): number[] | null {
  if (!/^[1-9]\d{0,5}(?:,[1-9]\d{0,5})*$/.test(text)) return null;
  return text.split(',').map(Number);
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
