/**
 * core/report — the Report and its three outward forms: JSON (redacted), Markdown (forum post) and the
 * share link (`#r=3.<payload>`, older formats still read). See the module comments for each.
 */
export { buildReport, inDockerfileOrder, GENERATOR, type ReportParts } from './build.ts';
export { causeFacts, type CauseFact } from './cause-facts.ts';
export { compactReport, LINK_OMISSION_WORDS, LINK_OMISSIONS } from './compact.ts';
export { toMarkdown, verdictOf } from './markdown.ts';
export { redactReport, type RedactionResult } from './redact.ts';
export { REDACTED, scrubSecrets } from './secrets.ts';
export {
  decodeShareLink,
  encodeShareLink,
  encodeShareLinkDetailed,
  shareUrl,
  SHARE_LINK_HARD_LIMIT,
  SHARE_LINK_MAX_INFLATED_BYTES,
  SHARE_LINK_SOFT_LIMIT,
  SHARE_LINK_VERSION,
  type EncodedShareLink,
  type ShareLinkErrorCode,
  type ShareLinkProblem,
  type ShareLinkResult,
} from './share.ts';
export { isNewerReport, readReport, REPORT_SCHEMA_VERSION, reportSchemaVersion, validateReport } from './validate.ts';
export { upgradeReport } from './upgrade.ts';
