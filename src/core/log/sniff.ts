/**
 * Which reader fits a log, decided by its content (never its file name), from its first lines after CI
 * decoration is taken off.
 */
import type { LogFormat } from '../model.ts';
import { LineCleaner, planPrefixesOfHead, type PrefixPlan } from './lines.ts';
import { hasCursorMovement } from './screen.ts';
import { repairText } from './transit.ts';

const SAMPLE_LINES = 400;
// CI logs often open with hundreds of lines of checkout, install and login output before the build
// starts: keep looking past the sample until a few build lines show up, within a bound.
const MIN_BUILD_LINES = 8;
const MAX_SCAN_LINES = 200_000;
const PLAIN_RE = /^ ?#\d{1,9} \S/;
// Lines only the plain printer writes. Not `#N 0.438 text`: tty error blocks quote output that way.
const PLAIN_TELL_RE =
  /^ ?#\d{1,9} (?:\[|DONE\b|CACHED$|ERROR\b|CANCELED$|sha256:|extracting |building with|exporting|resolve |importing cache|transferring|load )/;
const TTY_RE = /^\s*(?:\[\+\] Building [\d.]+s \(\d+\/\d+\)|=> )/;
const LEGACY_RE = /^(?:Step \d+(?:\/\d+)? : \S|Sending build context to Docker daemon)/;
// A service or bake target in the brackets (`[web internal]`), not a platform (`[linux/arm64 internal]`).
const SERVICE_RE = /^(?: ?#\d+ |\s*=> (?:(?:CACHED|ERROR|CANCELED) )?)\[(?:[a-z0-9]+\/\S+ )?(?![a-z0-9]+\/)[^\]\s]+ (?:internal|auth)\] /;
const RAWJSON_KEYS_RE = /"(?:vertexes|statuses|logs|warnings)"\s*:/;

export interface Sniffed {
  format: LogFormat;
  plan: PrefixPlan;
}

/** The format of a text as cachewhy would read it: transit damage (forum folding, `<br>`) repaired first. */
export function sniffLogFormat(text: string): LogFormat | null {
  return sniff(repairText(text))?.format ?? null;
}

export function sniff(text: string): Sniffed | null {
  const decided = sniffHead(text, true);
  return decided === 'more' ? null : decided;
}

/**
 * The format and prefix plan from the head of a log. With `complete` false, `head` is only the start of
 * a stream: the answer is 'more' until the head holds everything the decision looks at (the prefix plan's
 * sample, the sniffing scan, and, rarely, the whole log: see below), so a stream decides exactly as the
 * whole text would.
 */
export function sniffHead(head: string, complete: boolean): Sniffed | null | 'more' {
  const plan = planPrefixesOfHead(head, complete);
  if (plan === null) return 'more';
  let plain = 0;
  let plainTell = 0;
  let tty = 0;
  let legacy = 0;
  let service = 0;
  let firstContent: string | null = null;
  /** The kind of the first build line: a text that holds builds of two formats starts with its first. */
  let firstKind: 'plain' | 'tty' | 'legacy' | null = null;
  let seen = 0;
  // Only whole lines of an incomplete head: the last one may go on in the next piece.
  const lastBreak = complete ? head.length : head.lastIndexOf('\n') + 1;
  const stopped = !new LineCleaner(plan).lines(lastBreak === head.length ? head : head.slice(0, lastBreak), (line) => {
    if (line.trim() === '') return;
    firstContent ??= line.trimStart();
    if (PLAIN_RE.test(line)) {
      plain++;
      if (PLAIN_TELL_RE.test(line)) {
        plainTell++;
        firstKind ??= 'plain';
      }
    } else if (TTY_RE.test(line)) {
      tty++;
      firstKind ??= 'tty';
    } else if (LEGACY_RE.test(line)) {
      legacy++;
      firstKind ??= 'legacy';
    }
    if (SERVICE_RE.test(line)) service++;
    seen++;
    return seen < SAMPLE_LINES || (plain + tty + legacy < MIN_BUILD_LINES && seen < MAX_SCAN_LINES);
  });
  if (!stopped && !complete) return 'more';
  const first = firstContent as string | null;
  // rawjson: objects from the first content line, or — pasted after a command line or a note — objects
  // with SolveStatus keys and no line of another format.
  const jsonStart = first !== null && (first.startsWith('{') || (plain + tty + legacy === 0 && /^\s*\{\s*$/m.test(head.slice(0, 65536))));
  if (jsonStart && RAWJSON_KEYS_RE.test(head.slice(0, 65536))) return { format: 'buildkit-rawjson', plan };
  let format = decide(plain, plainTell, tty, legacy);
  const firstFormat = FORMAT_OF_KIND[firstKind ?? 'none'];
  const firstCount = firstKind === 'plain' ? plain : firstKind === 'tty' ? tty : firstKind === 'legacy' ? legacy : 0;
  // Builds of two formats in one text (a script that builds with the legacy builder, then with compose):
  // the first build's reader goes first and hands the rest on where the other format starts.
  if (format !== null && firstFormat !== undefined && firstFormat !== format && firstCount >= MIN_FIRST_FORMAT_LINES) format = firstFormat;
  if (tty === 0 && hasCursorMovement(head)) {
    // Cursor movement with no tty line in the scan: a `=> ` anywhere in the log makes it tty. That can
    // only change the answer for a log with almost no build lines, so only such a stream is read on
    // (to its end if need be) to find out.
    const asTty = decide(plain, plainTell, 1, legacy);
    if (asTty !== format) {
      if (head.includes('=> ')) format = asTty;
      else if (!complete) return 'more';
    }
  }
  if (format === null) return null;
  if ((format === 'buildkit-plain' || format === 'buildkit-tty') && service > 0) return { format: 'compose', plan };
  return { format, plan };
}

const FORMAT_OF_KIND: Record<string, LogFormat | undefined> = { plain: 'buildkit-plain', tty: 'buildkit-tty', legacy: 'legacy' };
const MIN_FIRST_FORMAT_LINES = 3;

function decide(plain: number, plainTell: number, tty: number, legacy: number): LogFormat | null {
  const plainOk = plainTell >= 1 && plain >= 2;
  if (plainOk && plain >= tty && plain >= legacy) return 'buildkit-plain';
  if (tty >= 1 && tty >= legacy) return 'buildkit-tty';
  if (legacy >= 1) return 'legacy';
  if (plainOk) return 'buildkit-plain';
  // A single `#7 [2/34] ADD …` line quoted alone is still a build step: never refuse a text that has one.
  if (plainTell >= 1) return 'buildkit-plain';
  return null;
}
