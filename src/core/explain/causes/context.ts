/**
 * `context-changed`: a COPY/ADD source differs between the two contexts.
 *
 * BuildKit keys a COPY from the context by the content checksum of its sources: content, permission
 * bits, file type, symlink target and xattrs — never mtime, never the owner (the client sends uid/gid 0).
 * With both contexts the diff says exactly which file and which field changed (or that nothing did,
 * which rules this cause out). Without them, a COPY/ADD that missed is only a suspect.
 */
import type { SourceDiff } from '../../model.ts';
import { rowLabel } from '../align.ts';
import type { AlignedRow } from '../align.ts';
import { capped, fileChangePhrase, fileLine, shortDigest } from '../evidence.ts';
import { bytes } from '../text.ts';
import { readsContext } from '../upstream.ts';
import type { Finding, PairView } from './view.ts';
import { dockerfileEvidence, missEvidence, nothing, planStepL, stepName, stepRefOf } from './view.ts';

/** Changed files quoted as evidence lines, one each; the rest are counted (and listed by the renderers). */
const MAX_FILE_LINES = 20;

/** The diff for a step: same index, same stage (a single-stage build may label it null or `stage-0`). */
export function diffForRow(diffs: SourceDiff[], row: AlignedRow): SourceDiff | null {
  const single = (s: string | null) => s === null || s === 'stage-0';
  return (
    diffs.find((d) => d.step.index === row.index && d.step.stage === row.stage) ??
    diffs.find((d) => d.step.index === row.index && single(d.step.stage) && single(row.stage)) ??
    null
  );
}

function transferEvidence(v: PairView): string[] {
  const a = v.traceE.transfers.context;
  const b = v.traceL.transfers.context;
  if (a === null || b === null || a === b) return [];
  return [`transferring context: ${bytes(a)} (${v.traceE.source}) → ${bytes(b)} (${v.traceL.source})`];
}

/** `ADD https://…` / `ADD git@…`: keyed on the downloaded content, not on the build context. */
function remoteSourceCause(v: PairView, root: AlignedRow): Finding {
  const ps = planStepL(v, root);
  const remote = ps?.copy?.remote ?? (root.keyword === 'ADD' && /\s(https?:\/\/|git@|git:\/\/)/.test(root.instruction));
  if (!remote) return nothing();
  return {
    candidates: [
      {
        kind: 'context-changed',
        confidence: 'medium',
        step: stepRefOf(root),
        sub_kind: 'remote-source',
        summary: `${stepName(root)} downloads its source, and BuildKit keys it on the downloaded content (and its Last-Modified header): the file at that address probably changed. Pin it with \`ADD --checksum=sha256:…\` to make a change visible.`,
        evidence: [...missEvidence(v, root), ...dockerfileEvidence(v, root)],
        files: [],
        weight: 5,
      },
    ],
    ruledOut: [],
  };
}

export function contextCause(v: PairView, root: AlignedRow): Finding {
  if (!readsContext(root, v.later)) return remoteSourceCause(v, root);
  const name = stepName(root);
  const step = stepRefOf(root);
  const diff = v.diffs ? diffForRow(v.diffs, root) : null;

  if (diff && !diff.changed) {
    const key = diff.after?.content_key ?? diff.before?.content_key;
    return {
      candidates: [],
      ruledOut: [
        `${rowLabel(root)}: the content checksum of its sources is the same in ${v.contextE?.source ?? 'the earlier context'} and ${v.contextL?.source ?? 'the later context'}${key ? ` (${shortDigest(key)})` : ''}: no file it copies changed (mtime and owner are not part of the key)`,
      ],
    };
  }

  if (diff && diff.changed) {
    const files = diff.files;
    const more = files.length > 3 ? ` (and ${files.length - 3} more files)` : '';
    const what = files.length > 0 ? `${files.slice(0, 3).map(fileChangePhrase).join(', ')}${more}` : 'its sources changed in the context';
    const buildFiles = diff.build_files ?? [];
    const sentToo =
      buildFiles.length > 0
        ? ` ${buildFiles.map((f) => `\`${f.path}\``).join(' and ')} ${buildFiles.length > 1 ? 'are' : 'is'} part of the context this step copies, so editing ${buildFiles.length > 1 ? 'them' : 'it'} — even a comment — misses it.`
        : '';
    const keys =
      diff.before && diff.after ? [`content key of ${rowLabel(root)}: ${shortDigest(diff.before.content_key)} → ${shortDigest(diff.after.content_key)}`] : [];
    // Changes that BuildKit may not have seen (a directory's mode) make a weak suspicion: another cause
    // (--no-cache, a lost cache) is likelier when they are all there is.
    const caveats = [...new Set(files.map((f) => f.caveat))];
    const onlyWeak = files.length > 0 && caveats.every((c) => c !== undefined);
    return {
      candidates: [
        {
          kind: 'context-changed',
          confidence: onlyWeak ? 'low' : 'high',
          step,
          sub_kind: onlyWeak ? 'files-unseen' : 'files-changed',
          summary: onlyWeak ? `${name} may have missed because ${what}, but ${caveats.join('; ')}.` : `${name} missed because ${what}.${sentToo}`,
          evidence: [...missEvidence(v, root), ...dockerfileEvidence(v, root), ...capped(files.map(fileLine), MAX_FILE_LINES), ...keys, ...transferEvidence(v)],
          files,
          ...(files.length > MAX_FILE_LINES ? { files_quoted: MAX_FILE_LINES } : {}),
          ...(buildFiles.length > 0 ? { build_files: buildFiles.map((f) => f.path) } : {}),
          weight: onlyWeak ? 2 : 10,
        },
      ],
      ruledOut: [],
    };
  }

  // No diff for this step: no contexts, no Dockerfile to tell which files the step copies, or a RUN
  // whose bind mount of the context the diff does not cover.
  const haveContexts = v.contextE !== null && v.contextL !== null;
  const advice =
    root.keyword === 'RUN'
      ? 'it bind-mounts the build context, and a change under the mounted path misses it (cachewhy compares COPY/ADD sources only)'
      : haveContexts
        ? 'give the Dockerfile too, so the two contexts can be compared for the files this step copies'
        : 'drop both build contexts (a folder or a tar of each build) to see which file changed';
  return {
    candidates: [
      {
        kind: 'context-changed',
        confidence: 'medium',
        step,
        sub_kind: 'files-suspected',
        summary: `${name} reads the build context and missed, so a file it copies probably changed (content, mode, a new or removed file); ${advice}.`,
        evidence: [...missEvidence(v, root), ...dockerfileEvidence(v, root), ...transferEvidence(v)],
        files: [],
        weight: 5,
      },
    ],
    ruledOut: [],
  };
}
