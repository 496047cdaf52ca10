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
import { applyStatus, newDraft, newRecord, pushOutput, setResult, settleOutput, type Draft, type VertexRecord } from './draft.ts';
import { eachLine, planPrefixes, type PrefixPlan } from './lines.ts';
import { hasCursorMovement, renderScreen } from './screen.ts';
import { parseBytes } from './units.ts';

const HEADER_RE = /^\s*\[\+\] Building ([\d.]+)s \((\d+)\/(\d+)\)(.*)$/;
// ` => [CACHED|ERROR|CANCELED] name   12.3s` — the leading space is often lost in a paste.
const VERTEX_RE = /^\s*=> (?!=> )(?:(CACHED|ERROR|CANCELED) )?(.*?)(\s+)(\d+(?:\.\d+)?s)?\s*$/;
const SUB_RE = /^\s*=> => (.*?)(?:\s+(\d+(?:\.\d+)?s))?\s*$/;
const FINAL_ERROR_RE = /^(?:ERROR: )?(?:failed to solve|failed to build|executor failed running|process ".*" did not complete successfully)/;

export function readTty(text: string, source: string, plan: PrefixPlan): Draft {
  let effectivePlan = plan;
  if (hasCursorMovement(text)) {
    text = renderScreen(text);
    effectivePlan = planPrefixes(text);
  }
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

  eachLine(text, effectivePlan, (line) => {
    order++;
    const header = HEADER_RE.exec(line);
    if (header) {
      headerSeen = true;
      const tail = header[4] as string;
      finished = /\bFINISHED\b/.test(tail);
      // buildx ≥ 0.11 ends the header with `<driver>:<builder name>`, e.g. `docker:default`.
      const desc = /\s([\w-]+):(\S+)\s*$/.exec(tail);
      if (desc) {
        draft.builder.driver = desc[1] as string;
        draft.builder.name = desc[2] as string;
        draft.builder.era = 'buildkit-modern';
      }
      done = Number(header[2]);
      total = Number(header[3]);
      inTrailer = false;
      return;
    }
    const trimmed = line.trimStart();
    // The display pads every progress line to the terminal width; other lines can be longer.
    if (trimmed.startsWith('=> ') && line.trimEnd().length > widest) widest = line.trimEnd().length;
    if (trimmed.startsWith('=> => ')) {
      const sub = SUB_RE.exec(line);
      if (sub && current) {
        const body = sub[1] as string;
        if (body.startsWith('# ')) pushOutput(current, body.slice(2));
        else applyStatus(draft, current, body, parseBytes);
      }
      return;
    }
    if (trimmed.startsWith('=> ')) {
      const m = VERTEX_RE.exec(line);
      if (!m) return;
      const name = m[2] as string;
      if (name.startsWith('WARN: ')) {
        draft.warnings.push(name.slice(6));
        return;
      }
      let rec = byName.get(name);
      if (!rec) {
        rec = newRecord(name, order);
        byName.set(name, rec);
        draft.records.push(rec);
      }
      current = rec;
      const prefix = m[1];
      const time = m[4];
      if (prefix === 'CACHED') setResult(draft, rec, 'cached', order);
      else if (prefix === 'ERROR') setResult(draft, rec, 'error', order);
      else if (prefix === 'CANCELED') setResult(draft, rec, 'canceled', order);
      else setResult(draft, rec, 'done', order);
      rec.durationS = time !== undefined && prefix !== 'CACHED' ? Number(time.slice(0, -1)) : null;
      // BuildKit cuts a long name so that it fills its column exactly; the padding then shrinks to the two
      // spaces before the time (`align` adds one, the timer ` %3.1fs` starts with one).
      const gap = (m[3] as string).length;
      if (time === undefined || gap <= 2) cutCandidates.push({ rec, length: line.trimEnd().length });
      return;
    }
    if (trimmed === '------') inTrailer = true;
    if (!inTrailer && FINAL_ERROR_RE.test(trimmed)) inTrailer = true;
    if (inTrailer && trimmed !== '' && draft.trailer.length < 200) draft.trailer.push(line);
  });

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
  for (const rec of draft.records) settleOutput(rec, null);
  return draft;
}
