/**
 * A cause's typed facts as "what changed" rows, for views that show them next to the summary (the app's
 * cause list): rendered from the fields (`args`, `base_image`, `instruction_diff`, `llb_diff`), never from
 * the summary or evidence sentences. Values are shown whole; the view decides how to cut them.
 */
import type { Cause } from '../model.ts';

/** One compared value: what it is, and its two sides as words. */
export interface CauseFact {
  what: string;
  before: string;
  after: string;
}

/** How a missing or environment-taken side reads. */
const side = (value: string | null | undefined, absent: string, isNull = absent): string => (value === undefined ? absent : value === null ? isNull : value);

export function causeFacts(cause: Cause): CauseFact[] {
  return [...argFacts(cause), ...baseFacts(cause), ...instructionFacts(cause), ...llbFacts(cause)];
}

function argFacts(cause: Cause): CauseFact[] {
  return (cause.args ?? [])
    .filter((a) => a.before !== undefined || a.after !== undefined)
    .map((a) => ({
      what: `build arg ${a.name}`,
      before: side(a.before, '(not given)', '(from the environment)'),
      after: side(a.after, '(not given)', '(from the environment)'),
    }));
}

function baseFacts(cause: Cause): CauseFact[] {
  const b = cause.base_image;
  if (!b) return [];
  const out: CauseFact[] = [];
  if (b.ref_before !== undefined) out.push({ what: 'base image', before: b.ref_before, after: b.ref });
  if (b.digest_before != null || b.digest_after != null)
    out.push({ what: `digest of ${b.ref}`, before: side(b.digest_before, '(not shown)'), after: side(b.digest_after, '(not shown)') });
  if (b.image_id_before !== undefined || b.image_id_after !== undefined)
    out.push({ what: `image ID of ${b.ref}`, before: side(b.image_id_before, '(not shown)'), after: side(b.image_id_after, '(not shown)') });
  return out;
}

function instructionFacts(cause: Cause): CauseFact[] {
  const d = cause.instruction_diff;
  if (!d) return [];
  return [
    ...(d.before !== undefined || d.after !== undefined ? [{ what: 'instruction', before: side(d.before, '(none)'), after: side(d.after, '(none)') }] : []),
    ...(d.env ?? []).map((e) => ({ what: `ENV ${e.name}`, before: side(e.before, '(unset)'), after: side(e.after, '(unset)') })),
    ...(d.arg_defaults ?? []).map((a) => ({ what: `ARG ${a.name} default`, before: side(a.before, '(none)'), after: side(a.after, '(none)') })),
    ...(d.directives ?? []).map((line) => ({ what: 'line before it', before: '(other)', after: line })),
  ];
}

function llbFacts(cause: Cause): CauseFact[] {
  const d = cause.llb_diff;
  if (!d) return [];
  const where = d.upstream ? ` (upstream ${d.op} op)` : '';
  return d.fields.map((f) => ({ what: `LLB ${f.name}${where}`, before: side(f.before, '(none)'), after: side(f.after, '(none)') }));
}
