/**
 * Dockerfile → BuildPlan, and the helpers that match a log's steps with the plan's.
 */
export { readDockerfile, type ReadDockerfileOptions } from './read.ts';
export { frontendRules, type FrontendRules } from './era.ts';
export { parseMountOptions } from './mounts.ts';
export { isPredefinedProxyArg, isPlatformArg, isInlineCacheArg, PLATFORM_ARGS } from './args.ts';
export { formatStepLabel } from './step-label.ts';
export { normalizeImageRef, parseImageRef, stripDigest, type ImageRefParts } from './image-ref.ts';
export {
  planStepKey,
  findPlanStep,
  instructionMatches,
  matchPrintedStep,
  stepsSharingVertex,
  type MatchOptions,
  type PrintedStep,
  type StepMatch,
} from './match.ts';
