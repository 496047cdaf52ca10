/**
 * BuildKit tty progress (`--progress=tty`, the default in a terminal), as copied from the screen or as the
 * raw bytes a terminal received. Raw bytes are first replayed on a small screen model (screen.ts): the
 * display redraws itself in place, so only the final screen state counts.
 *
 *   [+] Building 12.3s (17/18) FINISHED
 *    => CACHED [stage 2/5] COPY …      0.0s
 *    => [2/5] RUN …                    12.3s
 *    => => transferring context: 45B    0.0s
 *    => ERROR [stage-1 3/5] RUN …       0.5s
 */
import {
  addRecord,
  addWarning,
  applyStatus,
  detach,
  endBlock,
  newDraft,
  newRecord,
  pushOutput,
  setResult,
  settleOutput,
  type BlockReader,
  type Draft,
  type VertexRecord,
  warningListReader,
} from './draft.ts';
import { HEAD_BYTES, LineCleaner, planPrefixes, planPrefixesOfHead, type PrefixPlan } from './lines.ts';
import { ScreenRenderer } from './screen.ts';
import { parseBytes } from './units.ts';

const HEADER_RE = /^\s*\[\+\] Building ([\d.]+)s \((\d+)\/(\d+)\)(.*)$/;
// ` => [CACHED|ERROR|CANCELED] name   12.3s` — the leading space is often lost in a paste. The name and the
// time are split by `splitTimed`, not by a regex: `(.*?)(\s+)(time)?\s*$` backtracks cubically on a line of
// spaces (2,000 spaces took 5 s, a hostile 1 MB line would never end).
const VERTEX_HEAD_RE = /^\s*=> (?!=> )(?:(CACHED|ERROR|CANCELED) )?/;
const SUB_HEAD_RE = /^\s*=> => /;
const TIME_RE = /^\d+(?:\.\d+)?s$/;
const LINE_BREAK_RE = /[\n\r\u2028\u2029]/;

/** `name   12.3s  ` → name, the whitespace between name and time, the time (undefined when none). */
function splitTimed(rest: string): { name: string; gap: string; time: string | undefined } {
  const end = rest.trimEnd();
  let cut = end.length;
  let time: string | undefined;
  if (end.endsWith('s')) {
    let from = end.length - 1;
    while (from > 0 && /[\d.]/.test(end[from - 1]!)) from--;
    const candidate = end.slice(from);
    if (from > 0 && /\s/.test(end[from - 1]!) && TIME_RE.test(candidate)) {
      time = candidate;
      cut = from;
    }
  }
  const name = end.slice(0, cut).trimEnd();
  return { name, gap: time === undefined ? rest.slice(end.length) : end.slice(name.length, cut), time };
}

/** The groups the old VERTEX_RE gave: [prefix, name, gap, time]; null when the line has no trailing gap or time. */
function matchVertex(line: string): [string | undefined, string, string, string | undefined] | null {
  const head = VERTEX_HEAD_RE.exec(line);
  if (!head) return null;
  const { name, gap, time } = splitTimed(line.slice(head[0].length));
  if (LINE_BREAK_RE.test(name)) return null;
  // A row pasted without its padding and time (`=> CACHED [2/5] COPY . .`) is still a step, if it names one.
  if (gap === '' && !name.startsWith('[')) return null;
  return [head[1], name, gap, time];
}

function matchSub(line: string): { body: string; time: string | undefined } | null {
  const head = SUB_HEAD_RE.exec(line);
  if (!head) return null;
  const { name, time } = splitTimed(line.slice(head[0].length));
  return LINE_BREAK_RE.test(name) ? null : { body: name, time };
}
/** `$ docker build …`, `PS C:\\x> docker compose up --build`: a prompt and a command that builds. */
const BUILD_COMMAND_RE = /^\s*(?:\S*[$#>%]\s+)?(?:sudo\s+)?(?:docker(?:-compose)?|podman|buildah|nerdctl)\s(?:.*\s)?(?:build|bake|up)\b/;
const OTHER_FORMAT_START_RE = /^(?:#0 building with |#1 \[|Step 1(?:\/\d+)? : |Sending build context to Docker daemon)/;
const FINAL_ERROR_RE = /^(?:(?:ERROR|error): )?(?:failed to solve|failed to build|executor failed running|process ".*" did not complete successfully)/;

/**
 * `cursorMovement`: the head of the log moves the cursor (raw terminal bytes). Then the log is replayed
 * on the screen model and the lines are read from the screen, which is what the user saw: rows that
 * scrolled far enough up to be final as they come, the rest at the end.
 */
export function ttyReader(source: string, plan: PrefixPlan, cursorMovement: boolean): BlockReader<Draft> {
  if (!cursorMovement) return ttyLineReader(source, plan);
  // The screen's final rows come out as it is drawn; the first megabyte of them decides the decoration
  // plan of the screen's text (as it would on the whole of it), then they are read in blocks.
  let reader: BlockReader<Draft> | null = null;
  let rows: string[] = [];
  let chars = 0;
  let decideAt = HEAD_BYTES;
  const flush = (): void => {
    const text = `${rows.join('\n')}\n`;
    rows = [];
    chars = 0;
    reader?.push(text);
  };
  const screen = new ScreenRenderer((row) => {
    rows.push(row);
    chars += row.length + 1;
    if (reader === null && chars >= decideAt) {
      const head = `${rows.join('\n')}\n`;
      const decided = planPrefixesOfHead(head, false);
      if (decided === null) decideAt = chars * 2;
      else {
        reader = ttyLineReader(source, decided);
        flush();
      }
    } else if (reader !== null && chars >= BLOCK_CHARS) flush();
  });
  return {
    push(block: string): boolean {
      screen.write(block);
      return true;
    },
    finish(): Draft {
      const rest = screen.finish();
      const text = rows.length === 0 ? rest : `${rows.join('\n')}\n${rest}`;
      rows = [];
      const lineReader = reader ?? ttyLineReader(source, planPrefixes(text));
      lineReader.push(text);
      return lineReader.finish();
    },
  };
}

/** Rows of the screen gathered before a line reader sees them. */
const BLOCK_CHARS = 1 << 16;

function ttyLineReader(source: string, effectivePlan: PrefixPlan): BlockReader<Draft> {
  const draft = newDraft(source, 'buildkit-tty', effectivePlan.style);
  const byName = new Map<string, VertexRecord>();
  let current: VertexRecord | null = null;
  let order = 0;
  let headerSeen = false;
  let finished = false;
  let done = 0;
  let total = 0;
  let inTrailer = false;
  let widest = 0;
  const cutCandidates: { rec: VertexRecord; length: number }[] = [];
  const cleaner = new LineCleaner(effectivePlan);
  let stopped = false;
  let lastSeconds = 0;
  const warningList = warningListReader(draft);
  /** A build command was typed after the rows read so far. */
  let commandSince = false;
  /** The reader stopped where the next build begins. */
  let nextBuild = false;

  const readLine = (line: string): boolean | void => {
    order++;
    const header = HEADER_RE.exec(line);
    if (header) {
      const seconds = Number(header[1]);
      // A display ends with its FINISHED frame (or an error); a header after that, or a clock that went
      // back, is the next build's display (a terminal session that built again).
      // A display whose clock shows less than a step above it took is another build's (the first display's
      // own header may be cut off the paste).
      const longest = draft.records.reduce((m, r) => Math.max(m, r.durationS ?? 0), 0);
      if (draft.records.length > 0 && (finished || inTrailer || commandSince || (headerSeen && seconds < lastSeconds) || seconds + 0.05 < longest)) {
        nextBuild = true;
        return false;
      }
      lastSeconds = seconds;
      headerSeen = true;
      const tail = header[4] as string;
      finished = /\bFINISHED\b/.test(tail);
      // buildx ≥ 0.11 ends the header with `<driver>:<builder name>`, e.g. `docker:default`.
      const desc = /\s([\w-]+):(\S+)\s*$/.exec(tail);
      if (desc) {
        draft.builder.driver = detach(desc[1] as string);
        draft.builder.name = detach(desc[2] as string);
        draft.builder.era = 'buildkit-modern';
      }
      done = Number(header[2]);
      total = Number(header[3]);
      inTrailer = false;
      return;
    }
    // A build command typed at a prompt after this display: the next display is its build.
    if (draft.records.length > 0 && BUILD_COMMAND_RE.test(line)) commandSince = true;
    if (OTHER_FORMAT_START_RE.test(line)) {
      // The next build printed in another mode (`--progress=plain`, the legacy builder).
      nextBuild = true;
      return false;
    }
    const trimmed = line.trimStart();
    // The display pads every progress line to the terminal width; other lines can be longer.
    if (trimmed.startsWith('=> ') && line.trimEnd().length > widest) widest = line.trimEnd().length;
    if (trimmed.startsWith('=> => ')) {
      const sub = matchSub(line);
      if (sub && current) {
        const body = sub.body;
        if (body.startsWith('# ')) pushOutput(draft, current, body.slice(2));
        else applyStatus(draft, current, body, parseBytes);
      }
      return;
    }
    if (trimmed.startsWith('=> ')) {
      const m = matchVertex(line);
      if (!m) return;
      const name = m[1];
      if (name.startsWith('WARN: ')) {
        addWarning(draft, name.slice(6));
        return;
      }
      let rec = byName.get(name);
      if (!rec) {
        rec = newRecord(name, order);
        if (!addRecord(draft, rec)) return false;
        byName.set(rec.name, rec); // the record's own copy: `name` is a view on the block
      }
      current = rec;
      const prefix = m[0];
      const time = m[3];
      if (prefix === 'CACHED') setResult(draft, rec, 'cached', order);
      else if (prefix === 'ERROR') setResult(draft, rec, 'error', order);
      else if (prefix === 'CANCELED') setResult(draft, rec, 'canceled', order);
      else setResult(draft, rec, 'done', order);
      rec.durationS = time !== undefined && prefix !== 'CACHED' ? Number(time.slice(0, -1)) : null;
      // BuildKit cuts a long name so that it fills its column exactly; the padding then shrinks to the two
      // spaces before the time (`align` adds one, the timer ` %3.1fs` starts with one).
      const gap = m[2].length;
      if (time === undefined || gap <= 2) cutCandidates.push({ rec, length: line.trimEnd().length });
      return;
    }
    if (warningList.line(line)) return;
    if (trimmed === '------' || trimmed.startsWith('------ ')) inTrailer = true;
    if (!inTrailer && FINAL_ERROR_RE.test(trimmed)) inTrailer = true;
    if (inTrailer && trimmed !== '' && draft.trailer.length < 200) draft.trailer.push(detach(line));
  };

  return {
    push(text: string): boolean {
      if (stopped) return false;
      stopped = !cleaner.lines(text, readLine);
      endBlock(draft, text);
      return !stopped;
    },
    nextBuildAt: () => (nextBuild ? cleaner.stoppedAt : -1),
    finish,
  };

  function finish(): Draft {
    for (const { rec, length } of cutCandidates) if (widest >= 40 && length >= widest - 1) rec.nameTruncated = true;
    if (cutCandidates.some((c) => c.rec.nameTruncated)) {
      draft.notes.push(`Names were cut at the terminal width (${widest} columns); cut instructions are flagged truncated.`);
    }
    const finalError = [...draft.trailer].reverse().find((l) => FINAL_ERROR_RE.test(l.trim()));
    for (const rec of draft.records) if (rec.result === 'error') rec.error = finalError?.trim().replace(/^ERROR: /, '') ?? null;
    const failed = draft.records.some((r) => r.result === 'error');
    if (headerSeen && !finished && !failed) {
      draft.cut = true;
      draft.notes.push(
        `The tty header says ${done} of ${total} vertices finished and no FINISHED: the build was still running or the copy is cut; the tty view does not tell running steps from finished ones.`,
      );
    }
    // The tty list is in vertex order, not in the order results happened: "CACHED after the ERROR line"
    // means nothing here.
    draft.firstErrorOrder = Number.POSITIVE_INFINITY;
    draft.finished = finished;
    for (const rec of draft.records) settleOutput(rec);
    return draft;
  }
}
