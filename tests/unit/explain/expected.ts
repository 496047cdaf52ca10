/**
 * What the diagnosis must say for each lab case. The expected cause kinds are ours, derived from each
 * truth.json's `cause`, `changed` and `notes` (the comment on each line says how); first misses and
 * missed steps are read from truth.json itself.
 */
import type { CauseKind, FileChange } from '../../../src/core/model.ts';

export interface Expected {
  /** The kind of causes[0] (the top cause of the first miss); null for a case where nothing missed. */
  kind: CauseKind | null;
  /** The kind ranked second with the same confidence, when the inputs cannot separate the two. */
  tiedWith?: CauseKind;
  /** Files the top cause must name, with the field that changed. */
  files?: { path: string; change: FileChange }[];
  /** Another root miss that must be found (stage label + index). */
  otherRoot?: { stage: string | null; index: number; kind: CauseKind };
}

export const EXPECTED: Record<string, Expected> = {
  // cause "new-file-in-copied-dir": a file appeared under the ADDed .aws/ directory.
  'lab/add-dir-new-file': { kind: 'context-changed', files: [{ path: '.aws/cli/cache/3f6d2c0e7b.json', change: 'added' }] },
  // Negative: --build-arg UNUSED changed but no ARG UNUSED exists, so nothing may miss.
  'lab/arg-unused': { kind: null },
  // cause "build-arg-changed": --build-arg V=1 → V=2 for a declared ARG the RUN reads.
  'lab/arg-used': { kind: 'build-arg-changed' },
  // cause "base-image-changed-same-tag": the tag moved with `docker tag`; the notes say the log looks
  // exactly like cache-pruned's, so both are ranked with equal confidence. With no sign of a prune (the
  // context transfer did not grow back), the base comes first.
  'lab/base-image-updated': { kind: 'base-image-changed', tiedWith: 'cache-unavailable' },
  // cause "build-cache-pruned, --cache-from tag missing": `builder prune -af` between a and b; the base is
  // resolved to the same digest in both logs and the RUN's vertex digest is the same, so the key was the
  // same: the cache was unavailable (the failed import also failed in a, which was cached anyway).
  'lab/cache-from-missing': { kind: 'cache-unavailable' },
  // cause "build-cache-pruned": indistinguishable from a moved base tag in the step results, but the
  // builder re-sent the whole context (26B → 34B with identical contexts), the trace a prune leaves.
  'lab/cache-pruned': { kind: 'cache-unavailable', tiedWith: 'base-image-changed' },
  // cause "copy-dot-context-file-changed": README.md changed and `COPY . .` sends it.
  'lab/copy-dot-unrelated': { kind: 'context-changed', files: [{ path: 'README.md', change: 'content' }] },
  // cause "file-content-changed": the bytes of app.conf.
  'lab/copy-file-content': { kind: 'context-changed', files: [{ path: 'app.conf', change: 'content' }] },
  // cause "dockerignore-changed-file-now-included": secret.env enters the context, .dockerignore itself changed.
  'lab/dockerignore-change': {
    kind: 'context-changed',
    files: [
      { path: 'secret.env', change: 'now-included' },
      { path: '.dockerignore', change: 'content' },
    ],
  },
  // cause "dockerfile-env-changed": ENV APP_MODE=dev → prod (Dockerfile.b): an earlier ENV, an instruction change.
  'lab/env-change': { kind: 'instruction-changed' },
  // cause "build-failed while another stage runs": the first miss (the lab's rule, and ours: Dockerfile
  // order) is [slow 2/3] COPY version.txt, whose file changed; the edited RUN of stage-1 is a second root.
  'lab/failed-build': {
    kind: 'context-changed',
    files: [{ path: 'version.txt', change: 'content' }],
    otherRoot: { stage: 'stage-1', index: 3, kind: 'instruction-changed' },
  },
  // cause "dockerfile-instruction-edited": echo two → echo TWO.
  'lab/instruction-edit': { kind: 'instruction-changed' },
  // cause "file-mode-changed": chmod 644 → 600, content the same.
  'lab/mode-only': { kind: 'context-changed', files: [{ path: 'run.sh', change: 'mode' }] },
  // Negative: only the mtime changed, which is not in the checksum.
  'lab/mtime-only': { kind: null },
  // cause "builder-stage-input-changed": src/data.txt in the builder stage's COPY.
  'lab/multistage': { kind: 'context-changed', files: [{ path: 'src/data.txt', change: 'content' }] },
  // cause "--no-cache": commands.txt has --no-cache for b.
  'lab/no-cache': { kind: 'no-cache' },
  // cause "new-file-in-added-dir (forum replica)": the AWS CLI cache file; REPO_HASH/GIT_TREE/GIT_BLOB also
  // changed but are undeclared, so they must not be blamed.
  'lab/seed-replica': {
    kind: 'context-changed',
    files: [{ path: 'model/Dockerfile/om-datasci-base/.aws/cli/cache/5c8e2f0d1a9b7c3e4f6a8b0d2e4f6a8c0e2d4f6a.json', change: 'added' }],
  },
  // cause "file-content-changed (tty progress)": as copy-file-content, from tty screens.
  'lab/tty-copy-file-content': { kind: 'context-changed', files: [{ path: 'app.conf', change: 'content' }] },
  // Negative: only the cache mount's contents changed, which never enters a key.
  'lab-modern/cache-mount': { kind: null },
  // cause "file-content-changed" (BuildKit v0.13).
  'lab-modern/copy-file-content': { kind: 'context-changed', files: [{ path: 'app.conf', change: 'content' }] },
  // cause "file-content-changed (COPY --link)": app.conf; --link does not stop the cascade here.
  'lab-modern/copy-link': { kind: 'context-changed', files: [{ path: 'app.conf', change: 'content' }] },
  // as lab/failed-build, BuildKit v0.13.
  'lab-modern/failed-build': {
    kind: 'context-changed',
    files: [{ path: 'version.txt', change: 'content' }],
    otherRoot: { stage: 'stage-1', index: 3, kind: 'instruction-changed' },
  },
  // cause "dockerfile-heredoc-line-edited": only Dockerfile.b shows the edit (the step name is the same).
  'lab-modern/heredoc-run': { kind: 'instruction-changed' },
  // cause "builder-stage-input-changed" (BuildKit v0.13).
  'lab-modern/multistage': { kind: 'context-changed', files: [{ path: 'src/data.txt', change: 'content' }] },
};
