/**
 * Report assembly: BuildTrace[] + BuildPlan[] + Diagnosis (+ contexts, commands) → Report, the plain data
 * every view renders and the JSON the CLI prints. Nothing downstream re-reads raw inputs.
 *
 * The Report built here is complete and unredacted: the page shows it to the user who gave the files.
 * Whatever leaves the machine or the terminal (CLI output, Markdown, share link) goes through
 * `redactReport` first, which keeps the Dockerfile's lines (the editor view marks them by number) but
 * hides ENV/ARG/LABEL values and every secret-looking string, and replaces every build-arg value.
 */
import type {
  BaseImage,
  BuildCommand,
  BuildPlan,
  BuildTrace,
  ContextIndex,
  Diagnosis,
  Report,
  ReportBaseImage,
  ReportBuild,
  ReportBuildStep,
  Step,
  StepContentKey,
} from '../model.ts';
import { REPORT_SCHEMA } from '../model.ts';

/** Written into every report; bump with package.json's version. */
export const GENERATOR = 'cachewhy 0.1.0';

export interface ReportParts {
  /** One per log, chronological. */
  traces: BuildTrace[];
  /** 0, 1, or one per build. The last one is the Dockerfile the report shows. */
  plans?: BuildPlan[];
  /** null only when there is nothing to diagnose (no log could be read). */
  diagnosis: Diagnosis | null;
  /** One per build in order, null where the build has no context. */
  contexts?: (ContextIndex | null)[];
  /** Content keys per context (same order as `contexts`), from `contentKeys(index, plan)`. */
  contentKeys?: (StepContentKey[] | null)[];
  commands?: { build: number | null; source: string; command: BuildCommand }[];
  inputs?: { name: string; kind: string }[];
}

export function buildReport(parts: ReportParts): Report {
  const plans = parts.plans ?? [];
  const report: Report = {
    schema: REPORT_SCHEMA,
    generator: GENERATOR,
    builds: parts.traces.map((trace, i) => reportBuild(trace, plans[i] ?? plans[plans.length - 1] ?? null)),
    diagnosis: parts.diagnosis,
  };
  const shown = plans[plans.length - 1];
  if (shown) report.dockerfile = { source: shown.source, lines: [...shown.lines] };
  if (parts.inputs && parts.inputs.length > 0) report.inputs = parts.inputs.map((input) => ({ ...input }));
  const contexts = reportContexts(parts.contexts ?? [], parts.contentKeys ?? []);
  if (contexts.length > 0) report.contexts = contexts;
  if (parts.commands && parts.commands.length > 0) report.commands = structuredClone(parts.commands);
  return report;
}

function reportBuild(trace: BuildTrace, plan: BuildPlan | null): ReportBuild {
  const build: ReportBuild = {
    source: trace.source,
    format: trace.format,
    steps: inDockerfileOrder(trace.steps, plan).map(reportStep),
    builder: { name: trace.builder.name, driver: trace.builder.driver, digest_lines: trace.builder.digestLines, era: trace.builder.era },
    line_prefix: trace.linePrefix,
    truncated: trace.truncated,
  };
  // Optional lists only when they say something, to keep share links short.
  if (trace.baseImages.length > 0) build.base_images = trace.baseImages.map(reportBaseImage);
  if (trace.cacheImports.length > 0) build.cache_imports = structuredClone(trace.cacheImports);
  const t = trace.transfers;
  if (t.context !== null || t.dockerfile !== null || t.dockerignore !== null) build.transfers = { ...t };
  if (trace.errors.length > 0) build.errors = structuredClone(trace.errors);
  if (trace.warnings.length > 0) build.warnings = [...trace.warnings];
  if (trace.notes.length > 0) build.notes = [...trace.notes];
  if (trace.record) build.from_record = true;
  const r = trace.reading;
  if (r && (r.repairs.length > 0 || r.learnedPrefix !== null || r.builds > 1 || r.unplacedLines > 0)) {
    build.reading = { repairs: [...r.repairs], learned_prefix: r.learnedPrefix, build: r.build, builds: r.builds, unplaced_lines: r.unplacedLines };
  }
  return build;
}

function reportBaseImage(image: BaseImage): ReportBaseImage {
  const out: ReportBaseImage = { ref: image.ref, digest: image.digest, stage: image.stage };
  if (image.metadataDigest !== undefined) out.metadata_digest = image.metadataDigest;
  if (image.imageId !== undefined) out.image_id = image.imageId;
  return out;
}

function reportStep(step: Step): ReportBuildStep {
  const out: ReportBuildStep = {
    stage: step.stage,
    index: step.index,
    total: step.total,
    instruction: step.instruction,
    status: step.status,
    digest: step.digest,
    duration_s: step.durationS,
  };
  if (step.truncated) out.truncated = true;
  if (step.statusNote) out.status_note = step.statusNote;
  return out;
}

/**
 * Stage order of the Dockerfile (when a plan is given), else of first appearance in the log; then index.
 * Cached builds print steps out of Dockerfile order, so the log's order alone is not enough.
 */
export function inDockerfileOrder(steps: Step[], plan: BuildPlan | null): Step[] {
  const stageRank = new Map<string | null, number>();
  for (const stage of plan?.stages ?? []) stageRank.set(stage.label, stage.position);
  // Single-stage builds print no stage label; the plan says `null` for them too.
  for (const step of plan?.steps ?? []) if (!stageRank.has(step.stage)) stageRank.set(step.stage, step.stagePosition);
  let next = 1_000_000;
  for (const step of steps) if (!stageRank.has(step.stage)) stageRank.set(step.stage, next++);
  return steps
    .map((step, position) => ({ step, position }))
    .sort((a, b) => (stageRank.get(a.step.stage) ?? 0) - (stageRank.get(b.step.stage) ?? 0) || a.step.index - b.step.index || a.position - b.position)
    .map(({ step }) => step);
}

function reportContexts(contexts: (ContextIndex | null)[], keys: (StepContentKey[] | null)[]): NonNullable<Report['contexts']> {
  const out: NonNullable<Report['contexts']> = [];
  contexts.forEach((context, i) => {
    if (!context) return;
    const entry: NonNullable<Report['contexts']>[number] = {
      source: context.source,
      kind: context.kind,
      modes_known: context.modesKnown,
      root_digest: context.rootDigest,
      keys: structuredClone(keys[i] ?? []),
    };
    // Names only: the report must say a credential file is there, never what it holds.
    if (context.credentials.length > 0) entry.credentials = [...context.credentials];
    out.push(entry);
  });
  return out;
}
