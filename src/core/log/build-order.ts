/**
 * The order a file's builds are compared in when nobody picked, shared by the pipeline and the app's
 * build picker (a small module of its own, so the page does not load the pipeline for it).
 */
import { secondOfDay } from './units.ts';

/**
 * The order (1-based build numbers) in which a file's builds are compared when nobody picked: the order
 * of their start stamps when every build has one of the same kind (all dates, or all times of day, taken
 * as one day), else the file's order. The app's build picker shows the same default.
 */
export function defaultBuildOrder(starts: (string | null)[]): number[] {
  const inFile = starts.map((_, i) => i + 1);
  const keys = starts.map(timeKey);
  if (starts.length < 2 || keys.some((k) => k === null) || new Set(keys.map((k) => typeof k)).size > 1) return inFile;
  return inFile.sort((a, b) => compareKeys(keys[a - 1]!, keys[b - 1]!) || a - b);
}

/** An ISO date-time sorts as text; a bare time of day as seconds. */
function timeKey(time: string | null): string | number | null {
  if (time === null) return null;
  if (/^\d{4}-\d\d-\d\d/.test(time)) return time;
  return /^\d\d:\d\d:\d\d/.test(time) ? secondOfDay(time) : null;
}

function compareKeys(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
