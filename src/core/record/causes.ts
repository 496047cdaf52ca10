/**
 * What two build records settle about the first miss, applied to the causes the logs gave:
 * - build args and base image digests are read, not inferred: those causes become exact;
 * - the first missed step's LLB is compared: a differing field names what changed (exact); an equal LLB
 *   with nothing upstream changed means the cache was not there (high), unless the step reads the build
 *   context, whose content checksum is the one key input the LLB does not hold;
 * - a COPY/ADD's evidence names the context paths its LLB reads, so the context diff is read against them.
 */
import type { BuildTrace, Cause, CauseLlbDiff, Diagnosis, RecordFacts, RecordLlbOp, Step } from '../model.ts';
import { normalImageRef } from './facts.ts';
import { compareStepLlb, type LlbComparison, type LlbDifference } from './llb-diff.ts';

interface PairFacts {
  e: RecordFacts;
  l: RecordFacts;
  nameE: string;
  nameL: string;
  argsChanged: string[];
  /** Base images whose digest differs (both records know it). */
  basesChanged: { ref: string; before: string; after: string }[];
  /** Both records name their base images' digests. */
  basesKnown: boolean;
  llb: LlbComparison;
  stepOp: RecordLlbOp | null;
  readsContext: RecordLlbOp[];
}

export function recordCauses(diagnosis: Diagnosis, traces: BuildTrace[]): Diagnosis {
  const later = diagnosis.compared?.later ?? traces.length - 1;
  const earlier = diagnosis.compared?.earlier ?? later - 1;
  const te = traces[earlier];
  const tl = traces[later];
  const miss = diagnosis.first_miss;
  if (!te?.record || !tl?.record || !miss || diagnosis.causes.length === 0) return diagnosis;
  const stepE = findStep(te, miss.stage, miss.index);
  const stepL = findStep(tl, miss.stage, miss.index);
  const pair = pairFacts(te, tl, stepE, stepL);
  const causes = diagnosis.causes.map((c) => (sameStep(c, miss) ? refine(c, pair) : c));
  // Certain before likely: an exact cause goes first; the others keep the order they were ranked in.
  const rank = (c: Cause) => (c.exact ? 0 : 1);
  const sorted = causes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map((x) => x.c);
  const out: Diagnosis = { ...diagnosis, causes: sorted };
  if (sorted[0]?.exact && out.verdict && !out.settled_by_records) {
    out.verdict = `${out.verdict} The build records settle it.`;
    out.settled_by_records = true;
  }
  return out;
}

function pairFacts(te: BuildTrace, tl: BuildTrace, stepE: Step | null, stepL: Step | null): PairFacts {
  const e = te.record!;
  const l = tl.record!;
  const names = new Set([...Object.keys(e.buildArgs), ...Object.keys(l.buildArgs)]);
  const argsChanged = [...names].filter((n) => e.buildArgs[n] !== l.buildArgs[n]).sort();
  const digestsE = new Map(e.materials.map((m) => [normalImageRef(m.ref), m.digest]));
  const basesChanged = l.materials.flatMap((m) => {
    const before = digestsE.get(normalImageRef(m.ref));
    return before && m.digest && before !== m.digest ? [{ ref: m.ref, before, after: m.digest }] : [];
  });
  const llb = e.llb.length > 0 && l.llb.length > 0 ? compareStepLlb(stepE?.digest ?? null, stepL?.digest ?? null, e.llb, l.llb) : { kind: 'unknown' as const };
  const stepOp = stepL?.digest ? (l.llb.find((o) => o.digest === stepL.digest) ?? null) : null;
  const readsContext = stepOp ? contextReaders(stepOp, l.llb) : [];
  return {
    e,
    l,
    nameE: te.source,
    nameL: tl.source,
    argsChanged,
    basesChanged,
    basesKnown: e.materials.length > 0 && l.materials.length > 0,
    llb,
    stepOp,
    readsContext,
  };
}

/** The step's own copies that read a local source (the build context). */
function contextReaders(op: RecordLlbOp, ops: RecordLlbOp[]): RecordLlbOp[] {
  const locals = new Set(ops.filter((o) => o.local).map((o) => o.digest));
  return op.copies?.some((c) => c.from !== null && locals.has(c.from)) ? [op] : [];
}

function refine(cause: Cause, p: PairFacts): Cause {
  const c: Cause = { ...cause, evidence: [...cause.evidence] };
  const recordLine = (text: string) => c.evidence.push(`build records: ${text}`);
  switch (c.kind) {
    case 'build-arg-changed':
      if (p.argsChanged.length > 0) {
        c.exact = true;
        c.confidence = 'high';
        // Names only: the values are in the commands, where redaction finds them.
        recordLine(
          `build arg${p.argsChanged.length > 1 ? 's' : ''} ${p.argsChanged.join(', ')} ${p.argsChanged.length > 1 ? 'differ' : 'differs'} between ${p.nameE} and ${p.nameL} (frontend attributes)`,
        );
      }
      break;
    case 'base-image-changed':
      if (p.basesChanged.length > 0) {
        c.exact = true;
        c.confidence = 'high';
        for (const b of p.basesChanged) recordLine(`${b.ref} resolved to ${b.before} in ${p.nameE}, ${b.after} in ${p.nameL} (provenance materials)`);
        c.base_image = { ...c.base_image, ref: c.base_image?.ref ?? p.basesChanged[0]!.ref, ...recordDigests(c, p.basesChanged) };
      } else if (p.basesKnown) {
        c.confidence = 'low';
        recordLine(`both builds used the same base image digests (provenance materials)`);
      }
      break;
    case 'instruction-changed':
      if (p.llb.kind === 'different' && p.llb.difference && p.llb.difference.fields.length > 0) {
        c.exact = true;
        c.confidence = 'high';
      }
      break;
    case 'cache-unavailable':
      if (p.llb.kind === 'same' && p.argsChanged.length === 0 && p.basesChanged.length === 0 && p.readsContext.length === 0) {
        c.exact = true;
        c.confidence = 'high';
        recordLine(`the step's LLB is identical in both builds (same digest, same inputs), with the same build args and base images: its cache was not there`);
      }
      break;
    case 'context-changed':
      if (p.llb.kind === 'same')
        recordLine(`the step's LLB is identical in both builds: only the content checksum of what it copies from the context can have changed`);
      break;
    default:
      break;
  }
  if (p.llb.kind === 'different' && p.llb.difference) {
    const d = p.llb.difference;
    const where = d.upstream ? `upstream of the step (${d.after.kind} op)` : 'in the step itself';
    if (d.fields.length > 0) {
      recordLine(`the LLB differs ${where}: ${d.fields.map((f) => fieldChange(f, d.before, d.after)).join('; ')}`);
      c.llb_diff = llbDiff(d);
    }
  }
  for (const op of p.readsContext)
    for (const copy of op.copies ?? []) if (copy.local !== null) recordLine(`reads ${copy.src} from the build context${followed(p.l.llb, copy.from)}`);
  return c;
}

/** The records' digests of the cause's base image (the one it names, else the first that changed). */
function recordDigests(c: Cause, changed: PairFacts['basesChanged']): { digest_before: string; digest_after: string } {
  const named = c.base_image ? changed.find((b) => normalImageRef(b.ref) === normalImageRef(c.base_image!.ref)) : undefined;
  const b = named ?? changed[0]!;
  return { digest_before: b.before, digest_after: b.after };
}

/** The differing fields with both values, whole (the evidence line cuts long ones). */
function llbDiff(d: LlbDifference): CauseLlbDiff {
  return {
    upstream: d.upstream,
    op: d.after.kind,
    fields: d.fields.map((name) => ({ name, before: d.before.fields[name] ?? null, after: d.after.fields[name] ?? null })),
  };
}

function followed(ops: RecordLlbOp[], from: string | null): string {
  const local = ops.find((o) => o.digest === from)?.local;
  if (!local) return '';
  const parts = [
    local.followPaths.length ? `sends only ${local.followPaths.join(', ')}` : '',
    local.includePatterns.length ? `includes ${local.includePatterns.join(', ')}` : '',
    local.excludePatterns.length ? `excludes ${local.excludePatterns.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? ` (the context source ${parts.join('; ')})` : '';
}

/** `env APP_MODE: dev → prod`; long values (a whole command) are cut. */
function fieldChange(field: string, before: RecordLlbOp, after: RecordLlbOp): string {
  const show = (v: string | undefined) => (v === undefined ? '(none)' : v.length > 80 ? `${v.slice(0, 77)}…` : v);
  return `${field}: ${show(before.fields[field])} → ${show(after.fields[field])}`;
}

function findStep(trace: BuildTrace, stage: string | null, index: number): Step | null {
  return trace.steps.find((s) => s.stage === stage && s.index === index) ?? null;
}

function sameStep(cause: Cause, miss: { stage: string | null; index: number }): boolean {
  return cause.step === null || (cause.step.stage === miss.stage && cause.step.index === miss.index);
}
