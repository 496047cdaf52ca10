/**
 * What the Dockerfile frontend of a builder era does differently when it numbers and labels steps: the
 * one place where the era a log reader guessed (`BuildTrace.builder.era`) turns into Dockerfile rules.
 */
import type { BuildkitEra } from '../model.ts';

export interface FrontendRules {
  /**
   * Every `RUN --mount` adds a hidden entry to BuildKit's list of stages (so a single-stage Dockerfile
   * prints `[stage-0 2/2]`); in v0.8 only cache mounts and mounts with `from=` did.
   */
  hiddenStageForEveryMount: boolean;
  /**
   * A parent stage's ONBUILD triggers count in the child stage's total and print with their `ONBUILD `
   * prefix (v0.17 on); before, they were left out of the total, so indices ran past it (`[stage-1 2/1]`).
   */
  onbuildCounted: boolean;
}

const CURRENT: FrontendRules = { hiddenStageForEveryMount: true, onbuildCounted: true };
const V0_8: FrontendRules = { hiddenStageForEveryMount: false, onbuildCounted: false };

/**
 * The rules to number a Dockerfile by for logs of `era`. Only v0.8 is told apart: a v0.9–v0.16 log looks
 * like a later one (see `BuildkitEra`), and the legacy builder's `Step N/M` numbering does not use stage
 * labels, so everything else is read by today's rules; so is Docker 18.09's BuildKit, which none of our
 * real logs shows to differ.
 */
export function frontendRules(era: BuildkitEra | undefined): FrontendRules {
  return era === 'buildkit-v0.8' ? V0_8 : CURRENT;
}
