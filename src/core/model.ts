/**
 * The domain model shared by every part of cachewhy.
 *
 * Every type here is plain, serialisable data (no Map, no class instances, no functions), so it can
 * cross a worker boundary, be written as JSON by the CLI and travel in a share link.
 * The data flow is: inputs → BuildTrace (per log) + BuildPlan (per Dockerfile) + ContextIndex
 * (per context) → Diagnosis → Report.
 */

// ---------------------------------------------------------------------------------------------
// Errors a user can cause are values, never exceptions that escape a public API.
// ---------------------------------------------------------------------------------------------

/** A problem with one input, phrased for a person: what is wrong and what to do next. */
export interface InputProblem {
  /** The input it concerns (file name, "pasted log", "share link", …). */
  input: string;
  /** What went wrong, in one sentence. */
  message: string;
  /** What the user can do about it. */
  hint?: string;
}

export type Result<T> = { ok: true; value: T; problems?: InputProblem[] } | { ok: false; problem: InputProblem };

// ---------------------------------------------------------------------------------------------
// Build logs → BuildTrace
// ---------------------------------------------------------------------------------------------

export type LogFormat = 'buildkit-plain' | 'buildkit-tty' | 'buildkit-rawjson' | 'legacy' | 'compose';

/**
 * What happened to a step in one build.
 * - cached: BuildKit printed CACHED (or the legacy builder "Using cache").
 * - built: the step ran (DONE with work, or the legacy builder executed it).
 * - error: the step failed.
 * - canceled: BuildKit cancelled it (usually because another step failed).
 * - not-run: the log lists it but it never started, or the log ends before it.
 */
export type StepStatus = 'cached' | 'built' | 'error' | 'canceled' | 'not-run';

/** The CI console decoration that was stripped from every line, if any. */
/** `learned`: a prefix no known CI writes, learned from what stands before the build lines (see log/lines.ts). */
export type LinePrefixStyle = 'none' | 'jenkins-time' | 'iso8601' | 'job-pipe' | 'timestamp-line' | 'learned' | 'mixed';

/** Identity of a step across builds: its stage (as BuildKit labels it) and its 1-based index in that stage. */
export interface StepRef {
  stage: string | null;
  index: number;
}

/** One Dockerfile step as one build log shows it. */
export interface Step {
  /** Stage label printed in the log (`stage-0`, `builder`), null when the log prints none. */
  stage: string | null;
  /** `docker compose build` prints the service name inside the brackets. */
  service?: string | null;
  /** Platform prefix of multi-platform builds (`linux/amd64`). */
  platform?: string | null;
  /** 1-based step index within the stage, as in `[stage-0  2/34]`. Legacy builder: the global step number. */
  index: number;
  /** Total steps in the stage as printed, null when the log prints no total (`Step 8 :`). */
  total: number | null;
  /** The raw bracketed label as printed, e.g. `[stage-0  2/34]`, or `Step 2/9` for the legacy builder. */
  label: string;
  /** The instruction text as printed (`COPY app.conf /etc/app.conf`). */
  instruction: string;
  /** True when the log cut the instruction (tty width, `PROGRESS_NO_TRUNC=0`, `...`). */
  truncated: boolean;
  status: StepStatus;
  /**
   * Why the status is what it is when it is not plain to see, e.g. "printed CACHED after the build had
   * already failed: it never ran". Absent when the log states it directly.
   */
  statusNote?: string;
  /** Seconds the log reports for the step (`DONE 12.7s`), null when none. */
  durationS: number | null;
  /** The `#N` vertex numbers that carried this step (plain logs), empty otherwise. */
  vertices: number[];
  /** The LLB vertex digest (`#N sha256:…` line of BuildKit v0.8, or rawjson `digest`), null when not printed. */
  digest: string | null;
  /** ISO-8601 times from CI prefixes or rawjson, when present. */
  startedAt?: string | null;
  completedAt?: string | null;
  /** Vertex digests this step's vertex takes as inputs (rawjson only). */
  inputs?: string[];
  /** A few output lines of the step (bounded), for evidence. */
  output?: string[];
  /** The error message when status is `error`. */
  error?: string | null;
}

/** What a non-step vertex is for. */
export type VertexKind =
  | 'load-definition'
  | 'load-dockerignore'
  | 'load-context'
  | 'load-metadata'
  | 'auth'
  | 'resolve-frontend'
  | 'cache-import'
  | 'cache-export'
  | 'export'
  | 'internal'
  | 'other';

/** A vertex that is not a Dockerfile step (`[internal] load build context`, `exporting to image`, …). */
export interface InternalVertex {
  kind: VertexKind;
  name: string;
  vertices: number[];
  digest: string | null;
  status: StepStatus;
  durationS: number | null;
  /** Status lines (`transferring context: 2.35kB done`), bounded. */
  statuses: string[];
  error?: string | null;
}

/** A base image the build resolved (`FROM ref@sha256:…` or `load metadata for ref`). */
export interface BaseImage {
  /** The reference as written (`docker.io/library/ubuntu:focal`). */
  ref: string;
  /** The resolved manifest digest when the log shows it, else null. */
  digest: string | null;
  /** Stage label of the FROM step that uses it, when known. */
  stage: string | null;
  /** The `load metadata` vertex digest (v0.8/rawjson): stable for a ref + platform. */
  metadataDigest?: string | null;
  /** Legacy builder: the image ID printed under `Step 1/N : FROM …` (` ---> ca4e6c9ad906`). */
  imageId?: string | null;
}

export interface CacheImport {
  /** What was imported (`127.0.0.1:5000/lab/app:latest`). */
  ref: string;
  /** true: DONE; false: ERROR; null: not finished in the log. */
  ok: boolean | null;
  error?: string | null;
}

export interface CacheExport {
  /** Vertex name (`exporting cache`, `exporting cache to registry`). */
  name: string;
  ok: boolean | null;
}

export interface BuildError {
  /** The failing step, when the log says which. */
  step: StepRef | null;
  message: string;
  /** Lines of the `------` error block and the Dockerfile excerpt, bounded. */
  lines: string[];
}

/** A build command found in a CI log (`+ docker build …`) or given separately. */
export interface BuildCommand {
  /** The command as written (may be redacted later). */
  text: string;
  /** `docker build`, `docker buildx build`, `docker compose build`, `buildctl build`. */
  tool: string;
  build_args: Record<string, string | null>;
  no_cache: boolean;
  no_cache_filter: string[];
  pull: boolean;
  cache_from: string[];
  cache_to: string[];
  platform: string[];
  target: string | null;
  file: string | null;
  context: string | null;
  tags: string[];
  progress: string | null;
  /** `docker buildx bake` targets or `docker compose build` services named on the line (not Dockerfile stages: that is `target`). */
  targets?: string[];
}

/**
 * Damage a pasted log took on its way (a forum folding it into one paragraph, chat doubling its line
 * breaks, a terminal hard-wrapping it, HTML entities, invisible or typographic characters, Markdown
 * emphasis), repaired before it was read.
 */
export type TransitRepair =
  'folded-lines' | 'html-line-breaks' | 'double-spaced' | 'hard-wrapped' | 'html-entities' | 'invisible-spaces' | 'typographic-quotes' | 'markdown-emphasis';

/** How cachewhy read a log: what it repaired and stripped, and where this build sits in its file. */
export interface LogReadingFacts {
  repairs: TransitRepair[];
  /**
   * The shape of a line prefix learned from the log itself (digits shown as 0), when no known CI style
   * covered it: `build\t00-Jan-0000 00:00:00\t`, `0: `.
   */
  learnedPrefix: string | null;
  /** 1-based position of this build among the builds its file holds. */
  build: number;
  builds: number;
  /** Lines that are neither build progress nor anything the reader knows (shell output, chatter). */
  unplacedLines: number;
}

/**
 * Which builder printed a log, as far as the log's grammar tells (the log readers guess it); the
 * Dockerfile reader numbers and labels steps by it (`dockerfile/era.ts`), so one value names one set of
 * printing rules everywhere. Newest first:
 * - `buildkit-modern`: BuildKit v0.9 or later, told by what only those print: buildx ≥ 0.11's
 *   `#0 building with "…" instance`, a `WARN:` build check, a tty header naming its builder, a rawjson stream.
 *   (v0.9–v0.16 and later releases print alike, so their differences cannot be told from a log.)
 * - `buildkit-unknown`: BuildKit without any of those marks (v0.9+ without a builder line, or a paste too
 *   short to tell): read as `buildkit-modern`.
 * - `buildkit-v0.8`: BuildKit v0.8 (Docker 20.10, buildx 0.5), which prints `#N sha256:<digest>` under each header.
 * - `buildkit-old`: Docker 18.09's BuildKit, which prints a vertex's fields one per line (`#N  digest: …`).
 * - `legacy`: the classic builder (`DOCKER_BUILDKIT=0`, `Step 2/9 : …`), no BuildKit at all.
 */
export type BuildkitEra = 'buildkit-modern' | 'buildkit-unknown' | 'buildkit-v0.8' | 'buildkit-old' | 'legacy';

/** Everything one build log tells us. */
export interface BuildTrace {
  /** File name or "pasted log". */
  source: string;
  format: LogFormat;
  builder: {
    /** `default` from `#0 building with "default" instance using docker driver`. */
    name: string | null;
    driver: string | null;
    /** Whether `#N sha256:` digest lines are printed (BuildKit v0.8 era). */
    digestLines: boolean;
    /** Best guess of the builder's era from the log's grammar. */
    era: BuildkitEra;
  };
  /** The CI decoration stripped from the lines. */
  linePrefix: LinePrefixStyle;
  /** Dockerfile steps in Dockerfile order (stage order of first appearance, then index). */
  steps: Step[];
  /** Non-step vertices. */
  internal: InternalVertex[];
  baseImages: BaseImage[];
  /** Bytes sent, from `transferring context|dockerfile: N done`, null when not printed. */
  transfers: { context: number | null; dockerfile: number | null; dockerignore: number | null };
  cacheImports: CacheImport[];
  cacheExports: CacheExport[];
  errors: BuildError[];
  warnings: string[];
  /** Build commands found inside the log (CI shells echo them with `+ `). */
  commands: BuildCommand[];
  /** The image ID or digest written at the end, when printed. */
  imageId: string | null;
  /** The log ends mid-build (paste cut, build killed). */
  truncated: boolean;
  /** Notes for the user about reading this log ("two builds interleaved", "tty cut at 80 columns"). */
  notes: string[];
  /** Wall-clock bounds from CI timestamps or rawjson, when present. */
  startedAt: string | null;
  completedAt: string | null;
  /** How the log was read (absent on traces made before this was recorded, e.g. in old reports). */
  reading?: LogReadingFacts;
  /** What only a build record (`.dockerbuild`, `buildx history inspect`) tells; absent for a log. */
  record?: RecordFacts;
}

// ---------------------------------------------------------------------------------------------
// Build records (`.dockerbuild` exports, `docker buildx history inspect --format json`)
// ---------------------------------------------------------------------------------------------

/**
 * How much provenance a record carries: `max` has the LLB and the Dockerfile text, `min` only materials
 * and parameters, `none` no provenance at all (a failed build, or `history inspect` output).
 */
export type ProvenanceMode = 'max' | 'min' | 'none';

/** What a record could have told but this one does not. */
export type RecordGap = 'status-stream' | 'provenance' | 'llb' | 'dockerfile-text' | 'build-args';

/** A base image the build used, from the provenance materials (`pkg:docker/lab/base@1?platform=…`). */
export interface RecordMaterial {
  uri: string;
  /** `lab/base:1`, from the package URL. */
  ref: string;
  digest: string | null;
}

/** One input path a COPY/ADD's LLB reads (`src` of a copy action), with where it comes from. */
export interface RecordCopy {
  src: string;
  dest: string;
  /** The LLB digest of the source the path is read from (the local context, another stage, an image). */
  from: string | null;
  /** The local source's name when it reads the build context (`context`), else null. */
  local: string | null;
  /** BuildKit's own attributes of the copy that change its cache key (`mode`, `chown`, include/exclude). */
  attrs: Record<string, string>;
}

/** One LLB op, in the fields a cache key is made of, from the provenance's `llbDefinition`. */
export interface RecordLlbOp {
  digest: string;
  kind: 'exec' | 'file' | 'source' | 'build' | 'merge' | 'diff' | 'other';
  /** LLB digests of the op's inputs, in order. */
  inputs: string[];
  /** Comparable facts, flattened: `args`, `env V`, `cwd`, `mount /cache`, `identifier`, `attr local.followpaths`, `copy 0 src`… */
  fields: Record<string, string>;
  /** COPY/ADD only: the paths the step reads. */
  copies?: RecordCopy[];
  /** Source ops that read the build context: its include/exclude/follow patterns. */
  local?: { name: string; followPaths: string[]; includePatterns: string[]; excludePatterns: string[] };
}

export interface RecordFacts {
  kind: 'dockerbuild' | 'history-inspect';
  /** The history record's reference (`f6bzs0gqo6dje0b64uabmuhqx`). */
  ref: string | null;
  /** A bake/compose record's name (`bake-two-targets (worker)`), when known. */
  name: string | null;
  provenance: ProvenanceMode;
  gaps: RecordGap[];
  /** `build-arg:NAME` frontend attributes (values are redacted in every output, as any build arg). */
  buildArgs: Record<string, string>;
  noCache: boolean;
  /** `image-resolve-mode=pull` (`--pull`). */
  pull: boolean;
  target: string | null;
  filename: string | null;
  materials: RecordMaterial[];
  /** The Dockerfile the build used, from the provenance's source infos (max mode). Never put in a link. */
  dockerfile: { filename: string; text: string } | null;
  /** The LLB ops of the build, by digest (max mode). Never put in a link. */
  llb: RecordLlbOp[];
  counts: { total: number | null; completed: number | null; cached: number | null; warnings: number | null };
  status: string | null;
}

// ---------------------------------------------------------------------------------------------
// Dockerfile → BuildPlan
// ---------------------------------------------------------------------------------------------

export interface PlanStage {
  /** 0-based position in the Dockerfile. */
  position: number;
  /** `AS name`, null when unnamed. */
  name: string | null;
  /** The label BuildKit prints: the name, or `stage-<position>`. */
  label: string;
  /** The FROM argument as written (`ubuntu:focal`, `builder`, `${BASE}`). */
  baseRef: string;
  /** baseRef with ARG defaults expanded. */
  baseRefExpanded: string;
  /** Position of the stage this one is built FROM, null when FROM an image or scratch. */
  baseStage: number | null;
  platform: string | null;
  /** 1-based Dockerfile line of the FROM. */
  line: number;
  /** False when the build target does not need this stage (BuildKit skips it: no step in the log). */
  reachable?: boolean;
}

export type PlanKeyword = 'FROM' | 'RUN' | 'COPY' | 'ADD' | 'WORKDIR' | 'ONBUILD';

export interface CopySource {
  /** Source paths as written (after ARG/ENV expansion). */
  paths: string[];
  /** `--from=` value, null for the build context. */
  from: string | null;
  /** Position of the stage named by --from, null for an image, a named context or the build context. */
  fromStage: number | null;
  link: boolean;
  chmod: string | null;
  chown: string | null;
  /** `--exclude=` patterns (Dockerfile 1.7+), as written; their effect on the content key is not modelled. */
  exclude: string[];
  /** `--parents` (Dockerfile 1.7+): source paths keep their parent folders at the destination. */
  parents: boolean;
  /** Destination path. */
  dest: string;
  /** `ADD http(s)://…` or a git URL. */
  remote: boolean;
}

/**
 * A `RUN --mount=…` as facts. BuildKit's default type is `bind`, and a bind mount without `from=` mounts the
 * build context: `RUN --mount=target=/src make` reads the context as surely as a COPY does.
 */
export interface RunMount {
  /** `bind`, `cache`, `tmpfs`, `secret`, `ssh`, or an unknown type kept as written. */
  type: string;
  /** `from=`: a stage or image; null for the build context. */
  from: string | null;
  source: string | null;
  target: string | null;
  /** `id=` of a cache, secret or SSH mount. */
  id: string | null;
  /** The flag as written (`--mount=type=cache,target=/x`), for quoting in evidence. */
  written: string;
}

export interface PlanStep {
  /** Stage position in the Dockerfile. */
  stagePosition: number;
  /** The stage label as BuildKit prints it in logs, null when BuildKit prints none (single stage, no `RUN --mount`). */
  stage: string | null;
  index: number;
  total: number;
  /** The label exactly as BuildKit prints it, padding included: `[stage-0  2/34]`, `[ 3/22]`. */
  label: string;
  keyword: PlanKeyword;
  /** The instruction text as BuildKit prints it in the vertex name. */
  instruction: string;
  /** 1-based first and last Dockerfile lines. */
  line: number;
  endLine: number;
  /** Build ARGs declared in this stage before the step (name → default or null). Become env of RUN. */
  args: Record<string, string | null>;
  /** ENV in effect (stage ENV instructions before the step). */
  env: Record<string, string>;
  copy?: CopySource;
  /** A RUN's `--mount=` flags, parsed once (dockerfile/mounts.ts). */
  mounts?: RunMount[];
  heredoc: boolean;
  /** The instruction as written (continuations joined, keyword upper-cased), before variable expansion. */
  written?: string;
  /** A trigger from the parent stage's ONBUILD (current BuildKit prints it with an `ONBUILD ` prefix). */
  onbuild?: boolean;
}

/** A Dockerfile instruction that does not make a step but can still change later keys (ENV, ARG, LABEL…). */
export interface PlanDirective {
  stagePosition: number | null;
  keyword: string;
  text: string;
  line: number;
}

export interface BuildPlan {
  source: string;
  /** `# syntax=` parser directive, null when absent. */
  syntax: string | null;
  stages: PlanStage[];
  /** Every BuildKit step in Dockerfile order. */
  steps: PlanStep[];
  /** Non-step instructions (ENV, ARG, LABEL, EXPOSE, CMD, …) for evidence. */
  directives: PlanDirective[];
  /** ARGs declared before the first FROM. */
  globalArgs: Record<string, string | null>;
  /** The Dockerfile text lines (for excerpts in evidence and the editor). */
  lines: string[];
  problems: InputProblem[];
}

// ---------------------------------------------------------------------------------------------
// Build context → ContextIndex
// ---------------------------------------------------------------------------------------------

export type ContextEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface ContextEntry {
  /** Path relative to the context root, `/`-separated, no leading `./` or `/` (`src/app.ts`). */
  path: string;
  type: ContextEntryType;
  /** Permission bits plus setuid/setgid/sticky (`mode & 0o7777`). */
  mode: number;
  size: number;
  /** Symlink target or hardlink target path. */
  linkname: string;
  /** xattrs that BuildKit keys on (after its filter), name → value as text. */
  xattrs: Record<string, string>;
  /** sha256 of the content bytes alone, `sha256:<hex>` (files only). */
  contentSha256?: string;
  /** BuildKit's entry digest: sha256(tarsum header || content), `sha256:<hex>`. */
  digest: string;
  /** Recursive directory digest (dirs only), `sha256:<hex>`. */
  dirDigest?: string;
  /** True when `.dockerignore` excludes it (it is then absent from every checksum). */
  excluded: boolean;
}

/** BuildKit's checksum for one COPY/ADD source (selector) of one step. */
export interface SourceChecksum {
  step: StepRef;
  /** The selector path BuildKit hashes: `path.Join("/", src)` (`/app.conf`, `/`). */
  selector: string;
  /** The source as written in the Dockerfile. */
  source: string;
  /** `sha256:<hex>`; null when the source matches nothing. */
  checksum: string | null;
  /** Paths (relative) this selector covers. */
  paths: string[];
  wildcard: boolean;
}

/** The content key of one COPY/ADD step: what BuildKit looks up in its cache for the context input. */
export interface StepContentKey {
  step: StepRef;
  instruction: string;
  /** sha256(join(sorted selector checksums, "\0")). */
  content_key: string;
  /** sha256(content_key + "@-1"): the root key found in BuildKit's cache.db. */
  cache_db_key: string;
  /** sha256(join(unique selector paths sorted descending, "\0")): the `Selector=` of the cache.db link. */
  edge_selector?: string;
  selectors: SourceChecksum[];
}

export interface ContextIndex {
  /** File or folder name. */
  source: string;
  kind: 'tar' | 'tar.gz' | 'folder';
  /** False for browser folders: browsers do not expose file modes, so mode changes cannot be seen. */
  modesKnown: boolean;
  entries: ContextEntry[];
  /** The `.dockerignore` patterns that were applied (empty when none). */
  dockerignore: string[];
  /**
   * Dockerfile-named files found in the context (`Dockerfile`, `*.Dockerfile`, `Dockerfile.*`; at most
   * 16, each at most 128 KB), so that a build whose Dockerfile was not given can be read from its own
   * context. Excluded files too: BuildKit reads the Dockerfile whatever `.dockerignore` says.
   */
  dockerfiles?: { path: string; text: string }[];
  /** Root digest (header sha256("")) over every sent entry: what `COPY . .` keys on. */
  rootDigest: string;
  /** Well-known credential files in the context (names only, never contents). */
  credentials: string[];
  stats: { files: number; dirs: number; bytes: number; excluded: number };
  /** Which wildcard formula was applied (`buildkit-v0.8.3`). */
  checksumEra: string;
  problems: InputProblem[];
}

export type FileChange = 'content' | 'mode' | 'type' | 'symlink' | 'xattr' | 'added' | 'removed' | 'now-included' | 'now-excluded';

export interface ChangedFile {
  path: string;
  change: FileChange;
  /** Human detail: `0644 → 0600`, `12 B → 14 B`, `→ v2.conf`. */
  detail?: string;
  /**
   * Why BuildKit may not have seen this change although the checksum of a fresh context sync would
   * (a directory's mode). A miss explained only by such changes is a weak suspicion, not a finding.
   */
  caveat?: string;
}

/** The context diff of one COPY/ADD step between two builds. */
export interface SourceDiff {
  step: StepRef;
  instruction: string;
  before: StepContentKey | null;
  after: StepContentKey | null;
  /** true when the content key differs, i.e. BuildKit must miss this step. */
  changed: boolean;
  files: ChangedFile[];
  /**
   * The changes in `files` that concern the Dockerfile or `.dockerignore` themselves: they are sent in
   * the context root, so they count for `COPY . .` (BuildKit does not leave them out).
   */
  build_files?: ChangedFile[];
}

// ---------------------------------------------------------------------------------------------
// Diagnosis
// ---------------------------------------------------------------------------------------------

export type CauseKind =
  'context-changed' | 'build-arg-changed' | 'instruction-changed' | 'base-image-changed' | 'cache-unavailable' | 'no-cache' | 'upstream-rebuilt' | 'none';

export type Confidence = 'high' | 'medium' | 'low';

export interface StepId {
  stage: string | null;
  index: number;
  instruction?: string;
}

/**
 * Which variant of its kind a cause is. The verdict, the suggestions and every renderer read this (and
 * the other typed fields of `Cause`), never `summary`: rewording a summary must not change a verdict.
 */
export type CauseSubKind =
  /** build-arg-changed: a --build-arg of an ARG the step's stage declares has a new value (`args`: that arg). */
  | 'arg-value'
  /** build-arg-changed, without a Dockerfile: these build args changed and may be declared (`args`). */
  | 'arg-suspected'
  /** build-arg-changed, without the commands: the log shows the expansion of these ARGs changing (`args`: names). */
  | 'arg-expanded'
  /** instruction-changed: the step was added or removed, another instruction holds its position. */
  | 'step-shifted'
  /** instruction-changed: its heredoc body was edited below the first line (two Dockerfiles show it). */
  | 'heredoc-edited'
  /** instruction-changed: a step was inserted at / removed from this position. */
  | 'step-inserted'
  | 'step-removed'
  /** instruction-changed: its own text was edited between the Dockerfiles. */
  | 'line-edited'
  /** instruction-changed: a variable in a COPY/ADD/WORKDIR text expands to another ENV value. */
  | 'env-expanded'
  /** instruction-changed: an ENV/ARG/USER/SHELL line before the RUN changed (two Dockerfiles). */
  | 'earlier-line'
  /** instruction-changed, logs only: an ENV line before it was edited (its text expanded differently). */
  | 'env-line'
  /** instruction-changed, logs only: a heredoc whose name hides an edit (a suspicion). */
  | 'heredoc-suspected'
  /** instruction-changed, logs only: the step's text differs between the logs. */
  | 'log-text'
  /** context-changed: the context diff names the files (and fields) that changed the step's content key. */
  | 'files-changed'
  /** context-changed: only changes BuildKit may not have seen changed (a directory's mode): a weak suspicion. */
  | 'files-unseen'
  /** context-changed, without a diff for the step: it reads the context and missed, so a file probably changed. */
  | 'files-suspected'
  /** context-changed: `ADD https://…`/git: keyed on the downloaded content. */
  | 'remote-source'
  /** base-image-changed: the stage is now built FROM another reference (`base_image.ref_before` → `ref`). */
  | 'ref-changed'
  /** base-image-changed: the reference resolved to another digest (`base_image.digest_before` → `digest_after`). */
  | 'digest-changed'
  /** base-image-changed, legacy builder: the base's image ID changed (`base_image.image_id_before` → `image_id_after`). */
  | 'image-id-changed'
  /** base-image-changed: the first step after FROM missed and nothing shows whether the tag moved (a suspicion). */
  | 'tag-suspected'
  /** base-image-changed: `COPY --from=<image>`, keyed on what it copies out of that image. */
  | 'copy-from-image'
  /** no-cache: the later build's command has `--no-cache`. */
  | 'no-cache-flag'
  /** no-cache: `--no-cache-filter` names the step's stage. */
  | 'no-cache-filter'
  /** no-cache, without the command: every step ran while the FROM printed CACHED. */
  | 'no-cache-pattern';

/** Every sub-kind, for checks that each is made and worded (a `satisfies` keeps it in step with the type). */
export const CAUSE_SUB_KINDS = [
  'arg-value',
  'arg-suspected',
  'arg-expanded',
  'step-shifted',
  'heredoc-edited',
  'step-inserted',
  'step-removed',
  'line-edited',
  'env-expanded',
  'earlier-line',
  'env-line',
  'heredoc-suspected',
  'log-text',
  'files-changed',
  'files-unseen',
  'files-suspected',
  'remote-source',
  'ref-changed',
  'digest-changed',
  'image-id-changed',
  'tag-suspected',
  'copy-from-image',
  'no-cache-flag',
  'no-cache-filter',
  'no-cache-pattern',
] as const satisfies readonly CauseSubKind[];

/** A build arg a cause is about: absent `before`/`after` = not given; null = taken from the environment. */
export interface CauseArg {
  name: string;
  before?: string | null;
  after?: string | null;
}

/** A value a cause compares between the two builds (an ENV value, an ARG default); absent side = not set. */
export interface CauseValue {
  name: string;
  before?: string | null;
  after?: string | null;
}

/** The base image a `base-image-changed` cause is about, as each build shows it. */
export interface CauseBaseImage {
  /** The reference the later build uses (the earlier build's when the later shows none). */
  ref: string;
  /** The earlier build's reference, when it differs (`ref-changed`). */
  ref_before?: string;
  /** Resolved manifest digests, when a log or record shows them (null: that build does not show it). */
  digest_before?: string | null;
  digest_after?: string | null;
  /** Legacy builder: the base's image ID printed under FROM. */
  image_id_before?: string;
  image_id_after?: string;
}

/** What differs in the Dockerfile text an `instruction-changed` cause is about. */
export interface CauseInstructionDiff {
  /** The step's text in each build (as written when two Dockerfiles give it, else as the logs print it). */
  before?: string;
  after?: string;
  /** ENV values that differ before the step (or that its text expands). */
  env?: CauseValue[];
  /** ARG defaults that differ before a RUN (a --build-arg does not explain them). */
  arg_defaults?: CauseValue[];
  /** ENV/ARG/USER/SHELL lines before a RUN that are new or edited (`USER app`), when no value says it. */
  directives?: string[];
}

/** One field of the LLB op that differs between two build records (`env APP_MODE`, `args`, `copy 0 src`). */
export interface CauseLlbField {
  name: string;
  before: string | null;
  after: string | null;
}

/** The LLB comparison of the step between two build records. */
export interface CauseLlbDiff {
  /** True when the op that differs is upstream of the step, not the step itself. */
  upstream: boolean;
  /** The kind of the op that differs (`exec`, `file`, `source`…). */
  op: string;
  fields: CauseLlbField[];
}

export interface Cause {
  kind: CauseKind;
  confidence: Confidence;
  step: StepRef | null;
  /** Words for people; no module reads them back (the typed fields below carry the facts). */
  summary: string;
  /** Which variant of `kind` (optional: reports written before it lack it). */
  sub_kind?: CauseSubKind;
  /** The build args the cause is about, with their two values when the commands give them. */
  args?: CauseArg[];
  /** Lines quoting the inputs: a log line, a Dockerfile line, a flag, a path with its changed field. */
  evidence: string[];
  files?: ChangedFile[];
  /**
   * How many of `files` (the first ones) the evidence lines quote, when not all: a renderer lists the rest.
   * Absent: the evidence quotes every file (kept out of the common case to keep share links short).
   */
  files_quoted?: number;
  /** The changed files that are the Dockerfile or `.dockerignore` themselves (sent in the context root). */
  build_files?: string[];
  /** base-image-changed: the reference and its two digests (or image IDs). */
  base_image?: CauseBaseImage;
  /** instruction-changed: the two texts, and the ENV/ARG values or lines before the step that changed. */
  instruction_diff?: CauseInstructionDiff;
  /** Set from build records: the LLB fields of the step (or of the op upstream of it) that differ. */
  llb_diff?: CauseLlbDiff;
  /** What would tell this cause apart from the others ranked with it. */
  to_tell_apart?: string;
  /**
   * Set when build records settle this cause (args, base digests, the LLB of the step compared): it is
   * read from the records, not inferred from logs.
   */
  exact?: true;
}

export type StepRole = 'root-miss' | 'cascade' | 'cached' | 'built' | 'error' | 'not-run' | 'unchanged';

export interface DiagnosisStep {
  stage: string | null;
  index: number;
  instruction: string;
  /** Dockerfile line, when a Dockerfile was given. */
  line?: number | null;
  status_by_build: (StepStatus | null)[];
  duration_by_build?: (number | null)[];
  digest_by_build?: (string | null)[];
  role: StepRole;
  because_of?: StepRef | null;
}

/** Per-step explanation of the vertex digest against the cache key. */
export interface HashNote {
  step: StepRef;
  /** Digests printed per build (null when the build printed none). */
  digests: (string | null)[];
  /** Whether the step has the build context (local source) upstream, which changes the digest every build. */
  context_upstream: boolean;
  /** One paragraph in plain words. */
  explanation: string;
  /**
   * The explanation does not quote every printed digest, so a renderer lists them (absent: it does, as
   * every note cachewhy writes; a field only for the exception keeps share links short).
   */
  digests_unquoted?: true;
  /** What the cache key of this step is made of. */
  key_parts: string[];
}

export interface Suggestion {
  title: string;
  detail: string;
  step?: StepRef | null;
}

export interface Warning {
  kind: 'credentials' | 'build-arg-secret' | 'input' | 'other';
  message: string;
}

/**
 * What rebuilding one root miss cost: the root step and its cascade, timed by the later build's log
 * (`DONE 12.7s`). Facts only; every output words them its own way.
 */
export interface TimeLost {
  root: StepRef;
  /** Sum of the durations the later log gives for the root and its cascade; null when it gives none. */
  seconds: number | null;
  /** Steps counted: the root and its cascade. */
  steps: number;
  /** Of those, steps the later log gives no duration for (their time is not in `seconds`). */
  untimed: number;
}

export interface Diagnosis {
  first_miss: StepId | null;
  root_misses: StepId[];
  steps: DiagnosisStep[];
  causes: Cause[];
  hash_notes?: HashNote[];
  suggestions?: Suggestion[];
  warnings?: Warning[];
  /** The one-sentence answer. */
  verdict?: string;
  /**
   * The cause (by kind and step) whose every fact the verdict states, so a short post need not repeat
   * its summary; absent when the verdict leaves something of every cause unsaid.
   */
  verdict_states?: { kind: CauseKind; step: StepRef | null };
  /** Build records settled the top cause (the verdict says so once). */
  settled_by_records?: true;
  /** Per consecutive pair of builds (index of the later build), when more than two logs were given. */
  pairs?: { earlier: number; later: number; first_miss: StepId | null }[];
  context_diffs?: SourceDiff[];
  /** The two builds the diagnosis is about (0-based, chronological), when two or more were given. */
  compared?: { earlier: number; later: number };
  /** Per root miss, in the order of `root_misses`: what rebuilding it cost in the later build. */
  time_lost?: TimeLost[];
}

// ---------------------------------------------------------------------------------------------
// Report (what the CLI prints with --json and what a share link carries)
// ---------------------------------------------------------------------------------------------

export interface ReportBuildStep {
  stage: string | null;
  index: number;
  total: number | null;
  instruction: string;
  status: StepStatus;
  digest: string | null;
  duration_s: number | null;
  truncated?: boolean;
  status_note?: string;
}

export interface ReportBuild {
  source: string;
  format: LogFormat;
  steps: ReportBuildStep[];
  builder?: ReportBuilder;
  base_images?: ReportBaseImage[];
  cache_imports?: CacheImport[];
  transfers?: BuildTrace['transfers'];
  errors?: BuildError[];
  warnings?: string[];
  notes?: string[];
  truncated?: boolean;
  line_prefix?: LinePrefixStyle;
  /** How the log was read, when anything needed saying (repairs, a learned prefix, several builds, unplaced lines). */
  reading?: ReportReading;
  /** The build was read from a build record (`.dockerbuild`), not from a log. */
  from_record?: true;
}

/** `BuildTrace['builder']` as the report writes it. */
export interface ReportBuilder {
  name: string | null;
  driver: string | null;
  digest_lines: boolean;
  era: BuildTrace['builder']['era'];
}

/** `BaseImage` as the report writes it. */
export interface ReportBaseImage {
  ref: string;
  digest: string | null;
  stage: string | null;
  metadata_digest?: string | null;
  image_id?: string | null;
}

export interface ReportReading {
  repairs: TransitRepair[];
  learned_prefix: string | null;
  /** 1-based position of this build in its log file, and how many builds the file holds. */
  build: number;
  builds: number;
  unplaced_lines: number;
}

/**
 * v2 renamed v1's camelCase fields to snake_case (report/upgrade.ts lists them); every reader upgrades
 * an older report to this shape first, so v1 files and links still open.
 */
export const REPORT_SCHEMA = 'cachewhy.report/v2' as const;

export interface Report {
  schema: typeof REPORT_SCHEMA;
  /** cachewhy version that wrote it. */
  generator?: string;
  builds: ReportBuild[];
  diagnosis: Diagnosis | null;
  /** The Dockerfile text lines (needed to render the editor from a share link), when given. */
  dockerfile?: { source: string; lines: string[] } | null;
  /** What the user gave, by kind (names only). */
  inputs?: { name: string; kind: string }[];
  /** Per-context checksum of every COPY/ADD source. */
  contexts?: {
    source: string;
    kind: string;
    modes_known: boolean;
    root_digest: string;
    keys: StepContentKey[];
    /** Well-known credential files the context sends (paths only, never contents). */
    credentials?: string[];
  }[];
  /** What redaction removed (kinds and places, never values). */
  redactions?: string[];
  /**
   * The build commands given or found in CI logs, per build (0-based, chronological; null when it cannot be
   * matched to a build). Redaction keeps the build-arg names and replaces every value.
   */
  commands?: { build: number | null; source: string; command: BuildCommand }[];
  /**
   * Set on a report that came through a share link in its compact form: what the link left out to stay
   * short enough for chat tools (the report file keeps everything).
   */
  link_omitted?: string[];
}
