/**
 * Shape check of a Report that came from outside (a share link, a report file). It checks what the views
 * index into — so a hostile or damaged report gives a message instead of a broken page — not every
 * optional field: unknown extra fields are allowed (later versions add fields; a rename is a new schema
 * version, which upgrade.ts turns into the current one).
 */
import { REPORT_SCHEMA, type Report } from '../model.ts';
import { upgradeReport } from './upgrade.ts';

/** The number of `cachewhy.report/vN` ids; null for anything else. */
export function reportSchemaVersion(schema: unknown): number | null {
  const match = typeof schema === 'string' ? /^cachewhy\.report\/v(\d+)$/.exec(schema) : null;
  return match ? Number(match[1]) : null;
}

/** The version this code writes; every earlier one is read (upgraded). */
export const REPORT_SCHEMA_VERSION = reportSchemaVersion(REPORT_SCHEMA)!;

/** Whether `value` claims a report schema newer than this code reads (then say "newer", not "damaged"). */
export function isNewerReport(value: unknown): boolean {
  const version = reportSchemaVersion((value as { schema?: unknown } | null)?.schema);
  return version !== null && version > REPORT_SCHEMA_VERSION;
}

/**
 * A report from outside (parsed JSON of a file or a link) in the current shape, or what is wrong with it.
 * Every reader goes through here, so a report of any earlier schema opens (upgrade.ts).
 */
export function readReport(value: unknown): { ok: true; report: Report } | { ok: false; problem: string } {
  const upgraded = upgradeReport(value);
  const problem = validateReport(upgraded);
  return problem === null ? { ok: true, report: upgraded as Report } : { ok: false, problem };
}

const STATUSES = new Set(['cached', 'built', 'error', 'canceled', 'not-run']);

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNullableStr = (v: unknown): boolean => v === null || isStr(v);
const isNullableNum = (v: unknown): boolean => v === null || isNum(v);

/**
 * Returns null when the value can be rendered as a Report of the current schema, else what is wrong (one
 * phrase, with a path). An older report is refused here: read it with `readReport`, which upgrades it.
 */
export function validateReport(value: unknown): string | null {
  if (!isObj(value)) return 'it is not an object';
  if (value.schema !== REPORT_SCHEMA) return `"schema" is ${JSON.stringify(value.schema) ?? 'missing'}, expected "${REPORT_SCHEMA}"`;
  if (!Array.isArray(value.builds)) return '"builds" is not a list';
  for (const [b, build] of value.builds.entries()) {
    const where = `builds[${b}]`;
    if (!isObj(build)) return `${where} is not an object`;
    if (!isStr(build.source)) return `${where}.source is not text`;
    if (!isStr(build.format)) return `${where}.format is not text`;
    if (!Array.isArray(build.steps)) return `${where}.steps is not a list`;
    for (const [s, step] of build.steps.entries()) {
      const at = `${where}.steps[${s}]`;
      if (!isObj(step)) return `${at} is not an object`;
      if (!isNullableStr(step.stage)) return `${at}.stage is not text or null`;
      if (!isNum(step.index)) return `${at}.index is not a number`;
      if (!isStr(step.instruction)) return `${at}.instruction is not text`;
      if (!isStr(step.status) || !STATUSES.has(step.status)) return `${at}.status is not a step status`;
      if (step.duration_s !== undefined && !isNullableNum(step.duration_s)) return `${at}.duration_s is not a number`;
    }
  }
  if (value.diagnosis !== null) {
    const problem = validateDiagnosis(value.diagnosis);
    if (problem) return problem;
  }
  if (value.dockerfile !== undefined && value.dockerfile !== null) {
    const d = value.dockerfile;
    if (!isObj(d) || !isStr(d.source) || !Array.isArray(d.lines) || !d.lines.every(isStr)) return '"dockerfile" is not {source, lines}';
  }
  if (value.link_omitted !== undefined && (!Array.isArray(value.link_omitted) || !value.link_omitted.every(isStr)))
    return '"link_omitted" is not a list of text';
  for (const key of ['inputs', 'contexts', 'redactions', 'commands'] as const) {
    if (value[key] !== undefined && !Array.isArray(value[key])) return `"${key}" is not a list`;
  }
  return null;
}

function validateDiagnosis(d: unknown): string | null {
  if (!isObj(d)) return '"diagnosis" is neither an object nor null';
  if (d.first_miss !== null && !isStepId(d.first_miss)) return 'diagnosis.first_miss is not a step';
  if (!Array.isArray(d.root_misses) || !d.root_misses.every(isStepId)) return 'diagnosis.root_misses is not a list of steps';
  if (!Array.isArray(d.steps)) return 'diagnosis.steps is not a list';
  for (const [i, step] of d.steps.entries()) {
    if (!isObj(step) || !isNum(step.index) || !Array.isArray(step.status_by_build) || !isStr(step.role)) {
      return `diagnosis.steps[${i}] is not a step row`;
    }
  }
  if (!Array.isArray(d.causes)) return 'diagnosis.causes is not a list';
  for (const [i, cause] of d.causes.entries()) {
    if (!isObj(cause) || !isStr(cause.kind) || !isStr(cause.confidence) || !isStr(cause.summary)) {
      return `diagnosis.causes[${i}] is not a cause`;
    }
    if (!Array.isArray(cause.evidence) || !cause.evidence.every(isStr)) return `diagnosis.causes[${i}].evidence is not a list of lines`;
  }
  return null;
}

function isStepId(v: unknown): boolean {
  return isObj(v) && isNullableStr(v.stage) && isNum(v.index);
}
