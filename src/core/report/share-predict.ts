/**
 * What a report says twice, taken out before a share link is packed (format 2) and put back after.
 *
 * A report states each step up to four times: the Dockerfile line, the step in every build, and the
 * diagnosis row, which repeats the instruction and the status, duration and digest of every build; a
 * hash note repeats the digests again. Each rule here predicts a field from what the reader already
 * has; a field equal to its prediction is written as `SAME` (one byte packed), any other stays as it is.
 * So the round trip is exact whatever the report holds, and a rule that predicts badly costs nothing.
 *
 * The rules are part of the link format: never change one; a new rule is a new link version.
 * Restoring runs the rules in the order below, each reading only fields restored before it.
 */
import { compareUtf8, sha256Text } from '../context/digest.ts';
import type { Json } from './share-pack.ts';

/** Stands for "as predicted". No predicted field can hold `true` itself (they are text, numbers, lists). */
const SAME = true;

type Obj = { [key: string]: Json };

const isObj = (v: Json | undefined): v is Obj => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
const list = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const objects = (v: Json | undefined): Obj[] => list(v).filter(isObj);

/**
 * One direction of the rules: `squeeze` replaces predictable values, `restore` puts them back. Both return
 * the field's real value (before squeezing, after restoring), for a rule that chains along a list.
 */
type Apply = (target: Obj, key: string, predicted: Json | undefined) => Json | undefined;

const squeeze: Apply = (target, key, predicted) => {
  const real = target[key];
  if (predicted !== undefined && real !== undefined && sameJson(real, predicted)) target[key] = SAME;
  return real;
};

const restore: Apply = (target, key, predicted) => {
  if (target[key] === SAME && predicted !== undefined) target[key] = structuredClone(predicted);
  return target[key];
};

/** A copy of the report with every field its rules predict replaced by SAME. */
export function squeezeReport(report: Json): Json {
  const copy = structuredClone(report);
  if (isObj(copy)) runRules(copy, squeeze, true);
  return copy;
}

/** Undoes squeezeReport. Total on any input: a hostile or damaged value is left as it is, never thrown on. */
export function restoreReport(packed: Json): Json {
  if (isObj(packed)) runRules(packed, restore, false);
  return packed;
}

/**
 * The rules, in dependency order. Squeezing predicts from the whole report, so each rule is computed on
 * the values as they were (`backwards`: last rule first, so no rule reads a field already squeezed).
 */
function runRules(report: Obj, apply: Apply, backwards: boolean): void {
  const rules = [contentKeyDigests, diagnosisRows, buildSteps, diagnosisColumns, hashNoteDigests];
  for (const rule of backwards ? [...rules].reverse() : rules) rule(report, apply);
}

const diagnosisOf = (report: Obj): Obj | null => (isObj(report.diagnosis) ? report.diagnosis : null);
const diagnosisSteps = (report: Obj): Obj[] => objects(diagnosisOf(report)?.steps);

/**
 * The content key's field names: links made before report schema v2 carry the v1 names (and are upgraded
 * after this), later ones the v2 names. A key holds one set or the other, so the rule reads either.
 */
const CONTENT_KEY_V1_NAMES = { contentKey: 'contentKey', cacheDbKey: 'cacheDbKey', edgeSelector: 'edgeSelector' };
const CONTENT_KEY_NAMES = { contentKey: 'content_key', cacheDbKey: 'cache_db_key', edgeSelector: 'edge_selector' };

/**
 * A content key's three digests follow from its selectors by BuildKit's formulas (see
 * context/checksum.ts): the key hashes the selector checksums joined by NUL, the cache.db key hashes the
 * key and `@-1`, the edge selector hashes the selector paths, descending, joined by NUL. Only 32 bytes
 * each, but a link carries them per context and per COPY step that missed.
 */
function contentKeyDigests(report: Obj, apply: Apply): void {
  const diffs = objects(diagnosisOf(report)?.context_diffs).flatMap((diff): Json[] => [diff.before ?? null, diff.after ?? null]);
  const keys = objects(report.contexts).flatMap((context) => objects(context.keys));
  for (const key of [...keys, ...objects(diffs)]) {
    const selectors = objects(key.selectors);
    const checksums = selectors.map((s) => s.checksum);
    const paths = [...new Set(selectors.map((s) => s.selector))];
    const contentKey = checksums.every((c) => typeof c === 'string') ? sha256Text(checksums.join('\0')) : undefined;
    const names = Object.hasOwn(key, 'contentKey') ? CONTENT_KEY_V1_NAMES : CONTENT_KEY_NAMES;
    const real = apply(key, names.contentKey, contentKey);
    apply(key, names.cacheDbKey, typeof real === 'string' && real !== '' ? sha256Text(`${real}@-1`) : undefined);
    const sorted = paths.every((p) => typeof p === 'string') ? paths.sort((a, b) => compareUtf8(b, a)) : null;
    apply(key, names.edgeSelector, sorted ? sha256Text(sorted.join('\0')) : undefined);
  }
}

/** The step keywords that make a step in a build log (ENV, ARG, LABEL… make none). */
const STEP_LINE = /^\s*(FROM|RUN|COPY|ADD|WORKDIR|ONBUILD)\s/i;

/**
 * Diagnosis rows follow the Dockerfile: a row's index is one more than the row before it in the same
 * stage; its line is the next step line after the row before it; its instruction is that line's text.
 */
function diagnosisRows(report: Obj, apply: Apply): void {
  const lines = isObj(report.dockerfile) ? list(report.dockerfile.lines) : [];
  let previous: { stage: Json | undefined; index: Json | undefined; line: Json | undefined } | null = null;
  for (const row of diagnosisSteps(report)) {
    const afterIndex = previous && previous.stage === row.stage && typeof previous.index === 'number' ? previous.index + 1 : undefined;
    const index = apply(row, 'index', afterIndex);
    const line = apply(row, 'line', nextStepLine(lines, typeof previous?.line === 'number' ? previous.line : 0));
    apply(row, 'instruction', typeof line === 'number' && Number.isInteger(line) ? lines[line - 1] : undefined);
    previous = { stage: row.stage, index, line };
  }
}

/** The 1-based number of the first step line after line `after`, if any. */
function nextStepLine(lines: Json[], after: number): number | undefined {
  for (let i = Math.max(0, after); i < lines.length; i++) {
    const text = lines[i];
    if (typeof text === 'string' && STEP_LINE.test(text)) return i + 1;
  }
  return undefined;
}

/**
 * A build's steps are the diagnosis rows in order: the n-th step has the n-th row's stage and index, the
 * instruction of the row with its stage and index, and the total of the step before it in the same stage.
 */
function buildSteps(report: Obj, apply: Apply): void {
  const rows = diagnosisSteps(report);
  for (const build of objects(report.builds)) {
    let previous: { stage: Json | undefined; total: Json | undefined } | null = null;
    for (const [n, step] of objects(build.steps).entries()) {
      const stage = apply(step, 'stage', rows[n]?.stage);
      const index = apply(step, 'index', rows[n]?.index);
      apply(step, 'instruction', findStep(rows, { stage, index })?.instruction);
      const total = apply(step, 'total', previous && previous.stage === stage ? previous.total : undefined);
      previous = { stage, total };
    }
  }
}

/** A diagnosis row's per-build columns are what each build's step with its stage and index says. */
function diagnosisColumns(report: Obj, apply: Apply): void {
  const builds = objects(report.builds).map((build) => objects(build.steps));
  const column = (row: Obj, field: string): Json[] => builds.map((steps) => findStep(steps, row)?.[field] ?? null);
  for (const row of diagnosisSteps(report)) {
    apply(row, 'status_by_build', column(row, 'status'));
    apply(row, 'duration_by_build', column(row, 'duration_s'));
    apply(row, 'digest_by_build', column(row, 'digest'));
  }
}

/** A hash note's digests are its step's digest column. */
function hashNoteDigests(report: Obj, apply: Apply): void {
  const rows = diagnosisSteps(report);
  for (const note of objects(diagnosisOf(report)?.hash_notes)) {
    apply(note, 'digests', isObj(note.step) ? findStep(rows, note.step)?.digest_by_build : undefined);
  }
}

/** The first of `items` with the stage and index of `ref`. */
function findStep(items: Obj[], ref: { stage?: Json | undefined; index?: Json | undefined }): Obj | undefined {
  return items.find((item) => item.stage === ref.stage && item.index === ref.index);
}

function sameJson(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
