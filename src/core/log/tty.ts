/**
 * BuildKit tty progress (`--progress=tty`, the default in a terminal), as copied from the screen or as the
 * raw bytes a terminal received. Raw bytes are first replayed on a small screen model (screen.ts): the
 * display redraws itself in place, so only the final screen state counts. The grammar of its rows is in
 * tty-lines.ts.
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
  type Going,
  type VertexRecord,
  type WarningListReader,
  warningListReader,
} from './draft.ts';
import { HEAD_BYTES, LineCleaner, planPrefixes, planPrefixesOfHead, type PrefixPlan } from './lines.ts';
import { ScreenRenderer } from './screen.ts';
import { classifyTtyLine, type TtyLine } from './tty-lines.ts';
import { parseBytes } from './units.ts';

/** `$ docker build …`, `PS C:\\x> docker compose up --build`: a prompt and a command that builds. */
const BUILD_COMMAND_RE = /^\s*(?:\S*[$#>%]\s+)?(?:sudo\s+)?(?:docker(?:-compose)?|podman|buildah|nerdctl)\s(?:.*\s)?(?:build|bake|up)\b/;
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

interface TtyState {
  draft: Draft;
  byName: Map<string, VertexRecord>;
  /** The vertex of the last row: the ` => => ` lines below it are its. */
  current: VertexRecord | null;
  order: number;
  headerSeen: boolean;
  /** The last header said FINISHED. */
  finished: boolean;
  /** The last header's vertex counts: `(17/18)`. */
  done: number;
  total: number;
  lastSeconds: number;
  inTrailer: boolean;
  /** The widest progress row: the terminal's width, which cut names fill exactly. */
  widest: number;
  cutCandidates: { rec: VertexRecord; length: number }[];
  warningList: WarningListReader;
  /** A build command was typed after the rows read so far. */
  commandSince: boolean;
  /** The reader stopped where the next build begins. */
  nextBuild: boolean;
}

/**
 * Each row is classified into a kind (tty-lines.ts), then a table maps the kind to a small handler over
 * the reader's state (`TtyState`).
 */
function ttyLineReader(source: string, effectivePlan: PrefixPlan): BlockReader<Draft> {
  const draft = newDraft(source, 'buildkit-tty', effectivePlan.style);
  const s: TtyState = {
    draft,
    byName: new Map(),
    current: null,
    order: 0,
    headerSeen: false,
    finished: false,
    done: 0,
    total: 0,
    lastSeconds: 0,
    inTrailer: false,
    widest: 0,
    cutCandidates: [],
    warningList: warningListReader(draft),
    commandSince: false,
    nextBuild: false,
  };
  const cleaner = new LineCleaner(effectivePlan);
  let stopped = false;
  const readLine = (line: string): Going => {
    s.order++;
    const trimmed = line.trimStart();
    const kind = classifyTtyLine(line, trimmed);
    // A build command typed at a prompt after this display: the next display is its build.
    if (kind.kind !== 'header' && draft.records.length > 0 && BUILD_COMMAND_RE.test(line)) s.commandSince = true;
    return (LINE_HANDLERS[kind.kind] as LineHandler<TtyLine>)(s, kind, line, trimmed);
  };
  return {
    push(text: string): boolean {
      if (stopped) return false;
      stopped = !cleaner.lines(text, readLine);
      endBlock(draft, text);
      return !stopped;
    },
    nextBuildAt: () => (s.nextBuild ? cleaner.stoppedAt : -1),
    finish: () => finish(s),
  };
}

type LineHandler<L extends TtyLine> = (s: TtyState, kind: L, line: string, trimmed: string) => Going;

const LINE_HANDLERS: { [K in TtyLine['kind']]: LineHandler<Extract<TtyLine, { kind: K }>> } = {
  header: readHeader,
  'other-mode-start'(s) {
    // The next build printed in another mode (`--progress=plain`, the legacy builder).
    s.nextBuild = true;
    return false;
  },
  row: readRow,
  warn(s, { text }, line) {
    measureRow(s, line);
    addWarning(s.draft, text);
  },
  'sub-output'(s, { text }, line) {
    measureRow(s, line);
    if (s.current) pushOutput(s.draft, s.current, text);
  },
  'sub-status'(s, { status }, line) {
    measureRow(s, line);
    if (s.current) applyStatus(s.draft, s.current, status, parseBytes);
  },
  'broken-row'(s, _kind, line) {
    measureRow(s, line);
  },
  outside(s, _kind, line, trimmed) {
    if (s.warningList.line(line)) return;
    if (trimmed === '------' || trimmed.startsWith('------ ')) s.inTrailer = true;
    if (!s.inTrailer && FINAL_ERROR_RE.test(trimmed)) s.inTrailer = true;
    if (s.inTrailer && trimmed !== '' && s.draft.trailer.length < 200) s.draft.trailer.push(detach(line));
  },
};

function readHeader(s: TtyState, { seconds, done, total, tail }: Extract<TtyLine, { kind: 'header' }>): Going {
  const draft = s.draft;
  // A display ends with its FINISHED frame (or an error); a header after that, or a clock that went
  // back, is the next build's display (a terminal session that built again).
  // A display whose clock shows less than a step above it took is another build's (the first display's
  // own header may be cut off the paste).
  const longest = draft.records.reduce((m, r) => Math.max(m, r.durationS ?? 0), 0);
  if (draft.records.length > 0 && (s.finished || s.inTrailer || s.commandSince || (s.headerSeen && seconds < s.lastSeconds) || seconds + 0.05 < longest)) {
    s.nextBuild = true;
    return false;
  }
  s.lastSeconds = seconds;
  s.headerSeen = true;
  s.finished = /\bFINISHED\b/.test(tail);
  // buildx ≥ 0.11 ends the header with `<driver>:<builder name>`, e.g. `docker:default`.
  const desc = /\s([\w-]+):(\S+)\s*$/.exec(tail);
  if (desc) {
    draft.builder.driver = detach(desc[1] as string);
    draft.builder.name = detach(desc[2] as string);
    draft.builder.era = 'buildkit-modern';
  }
  s.done = done;
  s.total = total;
  s.inTrailer = false;
}

function readRow(s: TtyState, { result, name, gap, time }: Extract<TtyLine, { kind: 'row' }>, line: string): Going {
  measureRow(s, line);
  let rec = s.byName.get(name);
  if (!rec) {
    rec = newRecord(name, s.order);
    if (!addRecord(s.draft, rec)) return false;
    s.byName.set(rec.name, rec); // the record's own copy: `name` is a view on the block
  }
  s.current = rec;
  setResult(s.draft, rec, result, s.order);
  rec.durationS = time !== undefined && result !== 'cached' ? Number(time.slice(0, -1)) : null;
  // BuildKit cuts a long name so that it fills its column exactly; the padding then shrinks to the two
  // spaces before the time (`align` adds one, the timer ` %3.1fs` starts with one).
  if (time === undefined || gap <= 2) s.cutCandidates.push({ rec, length: line.trimEnd().length });
}

/** The display pads every progress row to the terminal width; other lines can be longer. */
function measureRow(s: TtyState, line: string): void {
  const width = line.trimEnd().length;
  if (width > s.widest) s.widest = width;
}

function finish(s: TtyState): Draft {
  const draft = s.draft;
  for (const { rec, length } of s.cutCandidates) if (s.widest >= 40 && length >= s.widest - 1) rec.nameTruncated = true;
  if (s.cutCandidates.some((c) => c.rec.nameTruncated)) {
    draft.notes.push(`Names were cut at the terminal width (${s.widest} columns); cut instructions are flagged truncated.`);
  }
  const finalError = [...draft.trailer].reverse().find((l) => FINAL_ERROR_RE.test(l.trim()));
  for (const rec of draft.records) if (rec.result === 'error') rec.error = finalError?.trim().replace(/^ERROR: /, '') ?? null;
  const failed = draft.records.some((r) => r.result === 'error');
  if (s.headerSeen && !s.finished && !failed) {
    draft.cut = true;
    draft.notes.push(
      `The tty header says ${s.done} of ${s.total} vertices finished and no FINISHED: the build was still running or the copy is cut; the tty view does not tell running steps from finished ones.`,
    );
  }
  // The tty list is in vertex order, not in the order results happened: "CACHED after the ERROR line"
  // means nothing here.
  draft.firstErrorOrder = Number.POSITIVE_INFINITY;
  draft.finished = s.finished;
  for (const rec of draft.records) settleOutput(rec);
  return draft;
}
