/**
 * Which reader fits a log, decided by its content (never its file name), from its first lines after CI
 * decoration is taken off.
 */
import type { LogFormat } from '../model.ts';
import { eachLine, planPrefixes, type PrefixPlan } from './lines.ts';
import { hasCursorMovement } from './screen.ts';

const SAMPLE_LINES = 400;
// CI logs often open with hundreds of lines of checkout, install and login output before the build
// starts: keep looking past the sample until a few build lines show up, within a bound.
const MIN_BUILD_LINES = 8;
const MAX_SCAN_LINES = 200_000;
const PLAIN_RE = /^ ?#\d{1,9} \S/;
// Lines only the plain printer writes. Not `#N 0.438 text`: tty error blocks quote output that way.
const PLAIN_TELL_RE = /^ ?#\d{1,9} (?:\[|DONE\b|CACHED$|ERROR\b|CANCELED$|sha256:|extracting |building with|exporting|resolve |importing cache|transferring|load )/;
const TTY_RE = /^\s*(?:\[\+\] Building [\d.]+s \(\d+\/\d+\)|=> )/;
const LEGACY_RE = /^(?:Step \d+(?:\/\d+)? : \S|Sending build context to Docker daemon)/;
const SERVICE_RE = /^(?: ?#\d+ |\s*=> (?:(?:CACHED|ERROR|CANCELED) )?)\[[^\]\s]+ (?:internal|auth)\] /;
const RAWJSON_KEYS_RE = /"(?:vertexes|statuses|logs|warnings)"\s*:/;

export interface Sniffed {
  format: LogFormat;
  plan: PrefixPlan;
}

export function sniffLogFormat(text: string): LogFormat | null {
  return sniff(text)?.format ?? null;
}

export function sniff(text: string): Sniffed | null {
  const plan = planPrefixes(text);
  let plain = 0;
  let plainTell = 0;
  let tty = 0;
  let legacy = 0;
  let service = 0;
  let firstContent: string | null = null;
  let seen = 0;
  eachLine(text, plan, (line) => {
    if (line.trim() === '') return;
    firstContent ??= line.trimStart();
    if (PLAIN_RE.test(line)) {
      plain++;
      if (PLAIN_TELL_RE.test(line)) plainTell++;
    } else if (TTY_RE.test(line)) tty++;
    else if (LEGACY_RE.test(line)) legacy++;
    if (SERVICE_RE.test(line)) service++;
    seen++;
    return seen < SAMPLE_LINES || (plain + tty + legacy < MIN_BUILD_LINES && seen < MAX_SCAN_LINES);
  });
  const first = firstContent as string | null;
  if (first !== null && first.startsWith('{') && RAWJSON_KEYS_RE.test(text.slice(0, 65536))) return { format: 'buildkit-rawjson', plan };
  if (tty === 0 && hasCursorMovement(text) && text.includes('=> ')) tty = 1;
  const plainOk = plainTell >= 1 && plain >= 2;
  let format: LogFormat | null = null;
  if (plainOk && plain >= tty && plain >= legacy) format = 'buildkit-plain';
  else if (tty >= 1 && tty >= legacy) format = 'buildkit-tty';
  else if (legacy >= 1) format = 'legacy';
  else if (plainOk) format = 'buildkit-plain';
  if (format === null) return null;
  if ((format === 'buildkit-plain' || format === 'buildkit-tty') && service > 0) return { format: 'compose', plan };
  return { format, plan };
}
