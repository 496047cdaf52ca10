/**
 * `base-image-changed`: the image a stage is built FROM resolved to something else.
 *
 * The image source is keyed by its manifest digest, so a new base misses the first step after FROM and
 * everything after it. The FROM vertex itself says nothing (it prints DONE whenever its result is not
 * needed). When the log shows the resolved digest (`FROM ref@sha256:…`, pulled or pinned bases) two
 * digests settle it; a local tag moved with `docker tag` shows no digest at all, and the rebuild then
 * looks exactly like a pruned cache — both are ranked and the way to tell them apart is given.
 */
import type { BuildTrace, StepRef } from '../../model.ts';
import type { Alignment, AlignedRow } from '../align.ts';
import { shortDigest } from '../evidence.ts';
import { printedCached } from '../printed.ts';
import { digestOfRef, imageRefOfFrom, normaliseImageRef } from '../text.ts';
import { fromRowOf, isFirstWorkStep, readsContext } from '../upstream.ts';
import type { Candidate, Finding, PairView } from './view.ts';
import { logLineOf, missEvidence, nothing, stepName, stepRefOf } from './view.ts';

export interface BaseFacts {
  fromRow: AlignedRow | null;
  /** The reference each build shows (log FROM text, else the Dockerfile's). */
  refE: string | null;
  refL: string | null;
  /** Resolved digests when a log shows them. */
  digestE: string | null;
  digestL: string | null;
  /** The Dockerfile pins the base by digest. */
  pinned: boolean;
  /** Legacy builder logs: the base image ID printed under FROM (` ---> ca4e6c9ad906`). */
  imageIdE: string | null;
  imageIdL: string | null;
}

function refShown(row: AlignedRow, build: number): string | null {
  const text = row.logs[build]?.instruction ?? row.plans[build]?.instruction ?? null;
  return text ? imageRefOfFrom(text) : null;
}

function legacyImageId(trace: BuildTrace, ref: string | null): string | null {
  if (!ref) return null;
  const img = trace.baseImages.find((b) => normaliseImageRef(b.ref) === normaliseImageRef(ref) && b.imageId);
  return img?.imageId ?? null;
}

function resolvedDigest(trace: BuildTrace, ref: string | null): string | null {
  if (!ref) return null;
  const inRef = digestOfRef(ref);
  if (inRef) return inRef;
  const img = trace.baseImages.find((b) => normaliseImageRef(b.ref) === normaliseImageRef(ref) && b.digest);
  return img?.digest ?? null;
}

export function baseFacts(al: Alignment, v: Pick<PairView, 'earlier' | 'later' | 'traceE' | 'traceL'>, root: AlignedRow): BaseFacts {
  const fromRow = fromRowOf(al, root, v.later);
  if (!fromRow) return { fromRow: null, refE: null, refL: null, digestE: null, digestL: null, pinned: false, imageIdE: null, imageIdL: null };
  const refE = refShown(fromRow, v.earlier);
  const refL = refShown(fromRow, v.later);
  const planRef = (fromRow.plans[v.later] ?? fromRow.plans[v.earlier])?.instruction ?? null;
  return {
    fromRow,
    refE,
    refL,
    digestE: resolvedDigest(v.traceE, refE),
    digestL: resolvedDigest(v.traceL, refL),
    pinned: planRef !== null && digestOfRef(planRef) !== null,
    imageIdE: legacyImageId(v.traceE, refE),
    imageIdL: legacyImageId(v.traceL, refL),
  };
}

/** `COPY --from=<image>`: keyed on the content it copies out of that image, which a moved tag changes. */
function copyFromImageCause(v: PairView, root: AlignedRow): Finding {
  const ps = root.plans[v.later] ?? root.plans[v.earlier] ?? null;
  const from = ps?.copy?.from ?? null;
  if (!ps?.copy || from === null || ps.copy.fromStage !== null || !/[/:.]/.test(from)) return { candidates: [], ruledOut: [] };
  return {
    candidates: [
      {
        kind: 'base-image-changed',
        confidence: 'medium',
        step: stepRefOf(root),
        sub_kind: 'copy-from-image',
        base_image: { ref: from },
        summary: `${stepName(root)} copies from the image \`${from}\`: if that reference now resolves to another image with other files at those paths, this step misses.`,
        evidence: [...missEvidence(v, root)],
        to_tell_apart: `\`docker buildx imagetools inspect ${from}\` now and at the time of the earlier build (or pin it: \`COPY --from=${from}@sha256:…\`)`,
        weight: 5,
      },
    ],
    ruledOut: [],
  };
}

/** What every variant of a new base quotes: the FROM lines and the miss. */
interface BaseContext {
  v: PairView;
  root: AlignedRow;
  f: BaseFacts & { fromRow: AlignedRow };
  name: string;
  step: StepRef;
  fromLines: string[];
}

const found = (candidate: Candidate): Finding => ({ candidates: [candidate], ruledOut: [] });
const ruledOut = (why: string): Finding => ({ candidates: [], ruledOut: [why] });

export function baseImageCause(v: PairView, root: AlignedRow): Finding {
  if (root.keyword === 'COPY') {
    const fromImage = copyFromImageCause(v, root);
    if (fromImage.candidates.length > 0) return fromImage;
  }
  if (!isFirstWorkStep(v.al, root, v.later)) return nothing();
  const f = baseFacts(v.al, v, root);
  if (!f.fromRow) return nothing();
  const fromRow = f.fromRow;
  const fromLines = [logLineOf(v, fromRow, 'earlier'), logLineOf(v, fromRow, 'later')].filter((x): x is string => x !== null);
  const b: BaseContext = { v, root, f: { ...f, fromRow }, name: stepName(root), step: stepRefOf(root), fromLines };
  if (f.refE && f.refL && normaliseImageRef(f.refE) !== normaliseImageRef(f.refL)) return refChanged(b, f.refE, f.refL);
  if (f.digestE && f.digestL) {
    if (f.digestE !== f.digestL) return digestChanged(b, f.digestE, f.digestL);
    return ruledOut(`the base image resolved to the same digest in both builds (${shortDigest(f.digestL)}): it did not change`);
  }
  if (f.pinned) return ruledOut('the Dockerfile pins the base image by digest: it cannot have changed');
  if (f.imageIdE && f.imageIdL) {
    // The legacy builder prints the base image's ID under FROM: unlike a BuildKit log, it shows a moved tag.
    if (f.imageIdE !== f.imageIdL) return imageIdChanged(b, f.imageIdE, f.imageIdL);
    return ruledOut(`the base image has the same ID in both builds (${f.imageIdL}): it did not change`);
  }
  return tagSuspected(b);
}

function refChanged({ v, root, f, name, step, fromLines }: BaseContext, refE: string, refL: string): Finding {
  return found({
    kind: 'base-image-changed',
    confidence: 'high',
    step,
    sub_kind: 'ref-changed',
    base_image: { ref: refL, ref_before: refE, digest_before: f.digestE, digest_after: f.digestL },
    summary: `${name} missed because its stage is now built FROM \`${refL}\` instead of \`${refE}\`.`,
    evidence: [...fromLines, ...missEvidence(v, root)],
    weight: 9,
  });
}

function digestChanged({ v, root, f, name, step, fromLines }: BaseContext, digestE: string, digestL: string): Finding {
  const ref = normaliseImageRef(f.refL ?? '');
  return found({
    kind: 'base-image-changed',
    confidence: 'high',
    step,
    sub_kind: 'digest-changed',
    base_image: { ref, digest_before: digestE, digest_after: digestL },
    summary: `${name} missed because the base image \`${ref}\` resolved to another digest (${shortDigest(digestE)} → ${shortDigest(digestL)}): the tag now points to a new image.`,
    evidence: [...fromLines, `${v.traceE.source}: ${digestE}`, `${v.traceL.source}: ${digestL}`, ...missEvidence(v, root)],
    weight: 9,
  });
}

function imageIdChanged({ v, root, f, name, step, fromLines }: BaseContext, imageIdE: string, imageIdL: string): Finding {
  const ref = normaliseImageRef(f.refL ?? '');
  return found({
    kind: 'base-image-changed',
    confidence: 'high',
    step,
    sub_kind: 'image-id-changed',
    base_image: { ref, image_id_before: imageIdE, image_id_after: imageIdL },
    summary: `${name} missed because \`${ref}\` is now another image (ID ${imageIdE} → ${imageIdL}): the tag was moved or pulled anew.`,
    evidence: [
      ...fromLines,
      `${v.traceE.source}: FROM ${f.refE ?? ''} ---> ${imageIdE}`,
      `${v.traceL.source}: FROM ${f.refL ?? ''} ---> ${imageIdL}`,
      ...missEvidence(v, root),
    ],
    weight: 9,
  });
}

/** A tag with no digest in the log: a re-tag (or a pull of a newer image) leaves no trace but the rebuild. */
function tagSuspected({ v, root, f, name, step, fromLines }: BaseContext): Finding {
  const oneDigest = f.digestE ?? f.digestL;
  const fromCached = f.fromRow.allLogs[v.later]?.some(printedCached) ?? false;
  const pulled = v.commandL?.pull === true;
  const shownRef = f.refL ?? f.refE;
  const ref = shownRef ?? 'the base image';
  return found({
    kind: 'base-image-changed',
    confidence: fromCached ? 'low' : 'medium',
    step,
    sub_kind: 'tag-suspected',
    ...(shownRef !== null ? { base_image: { ref: shownRef, digest_before: f.digestE, digest_after: f.digestL } } : {}),
    summary: `${name} is the first step after FROM \`${ref}\` and missed: if that tag now points to another image (a pull or a \`docker tag\`), BuildKit shows nothing but this rebuild${fromCached ? '; the FROM printed CACHED, which makes a new base unlikely' : ''}.`,
    evidence: [
      ...fromLines,
      oneDigest
        ? `only ${f.digestL ? v.traceL.source : v.traceE.source} shows the base's digest (${shortDigest(oneDigest)}); the other log does not show its FROM, so the two cannot be compared`
        : `the log shows no resolved digest for \`${ref}\` (a local or unpinned tag), so a moved tag is invisible`,
      ...(pulled ? [`--pull in ${v.traceL.source}'s command fetches the newest \`${ref}\``] : []),
      ...missEvidence(v, root),
    ],
    to_tell_apart: `\`docker image inspect --format '{{.Id}} {{.RepoDigests}}' ${normaliseImageRef(ref).replace(/:latest$/, '')}\` on the builder — compare with the image ID the earlier build used (or \`docker history\`); a different ID means the base changed`,
    // A first step that copies from the context more often missed for a file than for a moved tag.
    weight: pulled ? 8 : readsContext(root, v.later) ? 4 : 6,
  });
}
