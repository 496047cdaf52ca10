/**
 * Suggestions that would have avoided the miss, worded for this Dockerfile, and warnings about what the
 * inputs reveal (credentials copied into a layer, secrets passed as build args).
 */
import { mountsInText } from '../dockerfile/mounts.ts';
import { isSecretName, namesCredentials } from '../context/credentials.ts';
import { exportsInlineCache } from '../ingest/command.ts';
import type { BuildCommand, BuildTrace, Cause, ContextIndex, Suggestion, Warning } from '../model.ts';
import { rowLabel } from './align.ts';
import type { Alignment, AlignedRow } from './align.ts';
import { planStepOf } from './align.ts';
import type { PairMisses } from './misses.ts';
import { digestOfRef, imageRefOfFrom, normaliseImageRef, squash, variablesIn } from './text.ts';

export interface SuggestionInputs {
  al: Alignment;
  traces: BuildTrace[];
  causes: Cause[];
  misses: PairMisses | null;
  commands: (BuildCommand | null)[];
  contexts: (ContextIndex | null)[];
}

function rowFor(al: Alignment, stage: string | null, index: number): AlignedRow | undefined {
  return al.rows.find((r) => r.stage === stage && r.index === index);
}

function copySources(row: AlignedRow, build: number): string[] {
  const ps = planStepOf(row, build);
  if (ps?.copy) return ps.copy.paths;
  const words = squash(row.instruction)
    .split(' ')
    .slice(1)
    .filter((w) => !w.startsWith('--'));
  return words.slice(0, -1);
}

function isCopyAll(row: AlignedRow, build: number): boolean {
  if (row.keyword !== 'COPY' && row.keyword !== 'ADD') return false;
  return copySources(row, build).some((p) => p === '.' || p === './' || p === '/' || p === '*');
}

/** The directory that churns: the common parent of the changed files. */
function churningPath(paths: string[]): string | null {
  if (paths.length === 0) return null;
  const split = paths.map((p) => p.split('/'));
  const first = split[0] ?? [];
  const common: string[] = [];
  for (let i = 0; i < first.length - 1; i++) {
    const seg = first[i];
    if (seg !== undefined && split.every((s) => s[i] === seg && s.length - 1 > i)) common.push(seg);
    else break;
  }
  if (paths.length === 1) return paths[0] ?? null;
  return common.length > 0 ? `${common.join('/')}/` : null;
}

export function credentialSteps(al: Alignment, contexts: (ContextIndex | null)[]): { row: AlignedRow; what: string[] }[] {
  const build = al.plans.length - 1;
  const found: { row: AlignedRow; what: string[] }[] = [];
  const creds = [...new Set(contexts.flatMap((c) => c?.credentials ?? []))];
  for (const row of al.rows) {
    if (row.keyword !== 'COPY' && row.keyword !== 'ADD') continue;
    const ps = planStepOf(row, build);
    if (ps?.copy && ps.copy.from !== null) continue;
    const sources = copySources(row, build);
    const what = sources.filter(namesCredentials);
    if (isCopyAll(row, build)) what.push(...creds);
    else {
      for (const c of creds) {
        if (
          sources.some((s) => {
            const src = s.replace(/^\.\//, '').replace(/\/$/, '');
            return c === src || c.startsWith(`${src}/`);
          })
        )
          what.push(c);
      }
    }
    if (what.length > 0) found.push({ row, what: [...new Set(what)] });
  }
  return found;
}

/**
 * Paths as code spans, those inside a listed folder written relative to it (`a/.aws/` (`config`,
 * `credentials`)): the folder's long prefix said once keeps the sentence readable in a forum post.
 */
export function pathsText(paths: string[]): string {
  const dirs = paths.filter((p) => p.endsWith('/'));
  const inside = (p: string) => dirs.find((d) => d !== p && p.startsWith(d));
  const top = paths.filter((p) => !inside(p));
  return top
    .map((p) => {
      const children = paths.filter((c) => inside(c) === p).map((c) => `\`${c.slice(p.length)}\``);
      return children.length > 0 ? `\`${p}\` (${children.join(', ')})` : `\`${p}\``;
    })
    .join(', ');
}

export function warningsFor(s: SuggestionInputs): Warning[] {
  const warnings: Warning[] = [];
  for (const { row, what } of credentialSteps(s.al, s.contexts)) {
    warnings.push({
      kind: 'credentials',
      message: `CREDENTIALS IN THE IMAGE: ${rowLabel(row)} \`${row.instruction}\` copies ${pathsText(what)} into a layer. Anyone who can pull the image can read them, and every refresh of them${what.some((w) => /\.aws(\/|$)/.test(w)) ? ' (the AWS CLI rewrites its cache files on its own)' : ''} rebuilds this step and everything after it.`,
    });
  }
  const secretArgs = [...new Set(s.commands.flatMap((c) => Object.keys(c?.build_args ?? {})).filter(isSecretName))];
  if (secretArgs.length > 0) {
    warnings.push({
      kind: 'build-arg-secret',
      message: `Build arg${secretArgs.length > 1 ? 's' : ''} ${secretArgs.join(', ')} look${secretArgs.length > 1 ? '' : 's'} like a secret: build args are recorded in the image history and provenance. Pass secrets with --secret and RUN --mount=type=secret instead.`,
    });
  }
  return warnings;
}

/** What the cause-specific suggestions look at: the inputs, the later build, and one deduplicating sink. */
interface Advice {
  s: SuggestionInputs;
  build: number;
  add: (x: Suggestion) => void;
}

export function suggestionsFor(s: SuggestionInputs): Suggestion[] {
  const out: Suggestion[] = [];
  const add = (x: Suggestion) => {
    if (!out.some((o) => o.title === x.title && JSON.stringify(o.step) === JSON.stringify(x.step))) out.push(x);
  };
  const advice: Advice = { s, build: s.misses?.later ?? s.al.plans.length - 1, add };
  credentialAdvice(advice);
  for (const cause of s.causes) {
    const row = cause.step ? rowFor(s.al, cause.step.stage, cause.step.index) : undefined;
    if (row) CAUSE_ADVICE[cause.kind]?.(advice, cause, row);
  }
  cacheImportAdvice(advice);
  cacheMountAdvice(advice);
  linkCascadeAdvice(advice);
  return out;
}

/** Per cause kind: what would have kept the cache. */
const CAUSE_ADVICE: Partial<Record<Cause['kind'], (a: Advice, cause: Cause, row: AlignedRow) => void>> = {
  'context-changed': contextAdvice,
  'build-arg-changed': buildArgAdvice,
  'base-image-changed': baseImageAdvice,
  'cache-unavailable': cacheUnavailableAdvice,
  'no-cache': noCacheAdvice,
};

function credentialAdvice({ s, add }: Advice): void {
  for (const { row, what } of credentialSteps(s.al, s.contexts)) {
    add({
      title: 'Use RUN --mount=type=secret instead of copying credentials into a layer',
      detail: `${rowLabel(row)} \`${row.instruction}\` bakes ${pathsText(what)} into the image. Mount them only for the RUN that needs them: \`RUN --mount=type=secret,id=aws,target=/root/.aws/credentials …\` and build with \`--secret id=aws,src=$HOME/.aws/credentials\`. Nothing is stored in a layer and a refreshed credential file no longer misses the cache.`,
      step: { stage: row.stage, index: row.index },
    });
  }
}

function contextAdvice({ build, add }: Advice, cause: Cause, row: AlignedRow): void {
  const label = rowLabel(row);
  const files = (cause.files ?? []).map((f) => f.path);
  if (isCopyAll(row, build)) {
    add({
      title: 'Copy only the files the build needs instead of `COPY . .`',
      detail: `${label} \`${row.instruction}\` copies the whole context, so any change${
        files.length > 0
          ? ` — here ${files
              .slice(0, 3)
              .map((f) => `\`${f}\``)
              .join(', ')}`
          : ''
      } — rebuilds it and every step after it. Copy the files each step needs (dependency manifests first, then the sources) so unrelated edits keep the cache.`,
      step: cause.step,
    });
    // The Dockerfile and .dockerignore the context diff found among the changes (by the names the build used).
    if ((cause.build_files ?? []).length > 0) {
      add({
        title: 'Add the Dockerfile and .dockerignore to .dockerignore',
        detail:
          'Both are part of the context, so `COPY . .` misses when either is edited — even a comment. The builder still reads them when they are listed in .dockerignore.',
        step: cause.step,
      });
    }
  }
  // Only what the step picks up without naming it: files of a `COPY . .`, or files appearing in a
  // copied directory (caches, logs). A file the step names, or an edited source, is needed.
  const named = new Set(copySources(row, build).map((p) => p.replace(/^\.\//, '').replace(/\/$/, '')));
  const buildFiles = new Set(cause.build_files ?? []);
  const churning = (cause.files ?? []).filter((f) => !buildFiles.has(f.path) && !named.has(f.path) && (isCopyAll(row, build) || f.change === 'added'));
  const churn = churningPath(
    churning.map((f) => (f.change === 'added' && !isCopyAll(row, build) ? f.path.slice(0, f.path.lastIndexOf('/') + 1) || f.path : f.path)),
  );
  if (churn) {
    add({
      title: `Add \`${churn}\` to .dockerignore if the image does not need it`,
      detail: `${label} missed because \`${churn}\` changed. A path excluded by .dockerignore is not part of any checksum, so its changes never miss the cache.`,
      step: cause.step,
    });
  }
}

function buildArgAdvice({ s, build, add }: Advice, cause: Cause, row: AlignedRow): void {
  const label = rowLabel(row);
  const ps = planStepOf(row, build);
  // The args the cause is about that this step's stage declares.
  const about = new Set((cause.args ?? []).map((a) => a.name));
  const names = ps ? Object.keys(ps.args).filter((n) => about.has(n)) : [];
  for (const name of names) {
    // The written text: the instruction is already expanded with this build's values.
    const written = (r: AlignedRow) => {
      const p = planStepOf(r, build);
      return p?.written ?? p?.instruction ?? '';
    };
    if (variablesIn(written(row)).includes(name)) continue;
    const firstUse = s.al.rows.find((r) => r.stagePosition === row.stagePosition && r.index > row.index && variablesIn(written(r)).includes(name));
    add({
      title: `Move \`ARG ${name}\` down to where it is used`,
      detail: firstUse
        ? `Declare ARG ${name} right before ${rowLabel(firstUse)} \`${firstUse.instruction}\`: a declared ARG is in the environment of every later RUN, so a new value now rebuilds from ${label} on.`
        : `No step of this stage reads $${name}, yet its declaration puts it in every later RUN's environment: remove the ARG, or declare it just before the step that needs it.`,
      step: cause.step,
    });
  }
}

function baseImageAdvice({ s, build, add }: Advice, cause: Cause, row: AlignedRow): void {
  const from = s.al.rows.find((r) => r.stagePosition === row.stagePosition && r.keyword === 'FROM');
  const ref = from ? imageRefOfFrom(from.instruction) : null;
  if (ref && !digestOfRef(planStepOf(from!, build)?.instruction ?? ref)) {
    const digest = from?.logs.map((l) => (l ? digestOfRef(l.instruction) : null)).find((d) => d) ?? null;
    add({
      title: 'Pin the base image by digest',
      detail: `\`FROM ${normaliseImageRef(ref).replace(/:latest$/, '')}@${digest ?? 'sha256:<digest>'}\` makes a base update a visible Dockerfile change instead of a silent full rebuild; bump it on purpose (Renovate/Dependabot can do it).`,
      step: from ? { stage: from.stage, index: from.index } : cause.step,
    });
  }
}

function cacheUnavailableAdvice({ s, add }: Advice, cause: Cause, row: AlignedRow): void {
  const label = rowLabel(row);
  const finalStage = Math.max(...s.al.rows.map((r) => r.stagePosition));
  if (row.stagePosition !== finalStage) {
    add({
      title: 'Export the cache with mode=max',
      detail: `${label} is in a builder stage. Inline cache (and the default mode=min) keeps only the layers of the final image, so after a prune builder stages always rebuild. \`--cache-to type=registry,ref=<repo>:buildcache,mode=max\` with the same \`--cache-from\` keeps them.`,
      step: cause.step,
    });
  }
  add({
    title: 'Keep the cache where the next build can find it',
    detail:
      'Build on the same builder (a CI runner with a persistent builder, or `docker buildx create --use` once), give GC room (`builder.gc.defaultKeepStorage`), and prune with `--filter until=…` rather than `-a`; or export the cache to a registry (`--cache-to`/`--cache-from`) so any runner can reuse it.',
    step: cause.step,
  });
}

function noCacheAdvice({ add }: Advice, cause: Cause): void {
  add({
    title: 'Drop --no-cache',
    detail: 'It reruns every step. To refresh one stage use `--no-cache-filter <stage>`; to refresh one step, change an ARG that only that step reads.',
    step: cause.step,
  });
}

function cacheImportAdvice({ s, build, add }: Advice): void {
  // A cache image that does not exist cannot be pulled: say so instead of the inline-cache workaround.
  const later = s.commands[build] ?? null;
  const missingImports = (s.traces[build]?.cacheImports ?? []).filter((c) => c.ok === false);
  for (const imp of missingImports) {
    add({
      title: `The cache \`${imp.ref}\` could not be imported`,
      detail: `${imp.error ? `BuildKit said: ${imp.error}. ` : ''}Check the reference, and that some build pushes it (\`--cache-to type=registry,ref=${imp.ref},mode=max\`, or an image built with inline cache and pushed).`,
      step: null,
    });
  }
  // Inline cache import: the known intermittent miss (moby/buildkit#1981).
  if (later && later.cache_from.length > 0 && missingImports.length === 0 && exportsInlineCache(later) && (s.misses?.roots.length ?? 0) > 0) {
    add({
      title: `\`docker pull ${later.cache_from[0]}\` before the build`,
      detail:
        "With inline cache, BuildKit sometimes skips the cache of an image it has not pulled, so every other build rebuilds (moby/buildkit#1981); pulling the cache image first is the known workaround. Inline cache also holds only the final image's layers.",
      step: null,
    });
  }
}

function cacheMountAdvice({ s, build, add }: Advice): void {
  // Cache mounts: their content never enters the key.
  for (const row of s.al.rows) {
    const ps = planStepOf(row, build);
    const mounts = ps ? (ps.mounts ?? []) : mountsInText(row.instruction);
    if (mounts.some((m) => m.type === 'cache')) {
      add({
        title: 'A RUN with a cache mount stays CACHED when only the mount changes',
        detail: `${rowLabel(row)} \`${row.instruction}\` is keyed on its command, not on the cache mount's contents: when the mount changes, the cached result is silently stale. Change the command (or an ARG it reads) to refresh it.`,
        step: { stage: row.stage, index: row.index },
      });
    }
  }
}

function linkCascadeAdvice({ s, build, add }: Advice): void {
  // COPY --link does not stop the cascade on the docker driver's classic image store.
  const linkCascade = s.al.rows.find(
    (r) =>
      (r.keyword === 'COPY' || r.keyword === 'ADD') &&
      /--link(\s|=true)/.test(`${planStepOf(r, build)?.instruction ?? r.instruction} `) &&
      s.misses?.roles.get(r.key) === 'cascade',
  );
  if (linkCascade) {
    add({
      title: 'COPY --link only isolates layers with the containerd image store',
      detail: `${rowLabel(linkCascade)} \`${linkCascade.instruction}\` missed with the step before it: the docker driver's classic store builds COPY --link as a plain COPY. Use a docker-container builder (\`docker buildx create --use\`) or enable the containerd image store for --link to keep later layers cached.`,
      step: { stage: linkCascade.stage, index: linkCascade.index },
    });
  }
}
