/**
 * Numbers as BuildKit prints them: byte sizes from go-units (`2.35kB`, `45B`, `1.2MB`, `3.1MiB`) and
 * durations (`12.7s`, `31.61µs`, `1m2.5s`).
 */

const SIZE_RE = /^(\d+(?:\.\d+)?)\s?([kKMGTP]?)(i?)B$/;
const POWER: Record<string, number> = { '': 0, k: 1, K: 1, M: 2, G: 3, T: 4, P: 5 };

/** `2.35kB` → 2350. go-units prints decimal units (kB = 1000) and binary ones with `i` (KiB = 1024). */
export function parseBytes(text: string): number | null {
  const m = SIZE_RE.exec(text.trim());
  if (!m) return null;
  const value = Number(m[1]);
  const power = POWER[m[2] ?? ''] ?? 0;
  const base = m[3] ? 1024 : 1000;
  return Math.round(value * base ** power);
}

const DURATION_PART_RE = /(\d+(?:\.\d+)?)(h|ms|m|s|µs|us|ns)/g;
const DURATION_SCALE: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, µs: 1e-6, us: 1e-6, ns: 1e-9 };

/** Go `time.Duration` text (`1m2.5s`, `31.61µs`) → seconds; null when it is not a duration. */
export function parseDurationS(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  let total = 0;
  let consumed = 0;
  DURATION_PART_RE.lastIndex = 0;
  for (let m = DURATION_PART_RE.exec(t); m; m = DURATION_PART_RE.exec(t)) {
    if (m.index !== consumed) return null;
    total += Number(m[1]) * (DURATION_SCALE[m[2] ?? 's'] ?? 1);
    consumed = m.index + m[0].length;
  }
  return consumed === t.length ? total : null;
}

/** Seconds between two ISO-8601 instants, rounded to 0.1 s as BuildKit's printer does; null if either is unknown. */
export function secondsBetween(startIso: string | null | undefined, endIso: string | null | undefined): number | null {
  if (!startIso || !endIso) return null;
  const a = Date.parse(startIso);
  const b = Date.parse(endIso);
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.round(Math.max(0, b - a) / 100) / 10;
}

/** `18:56:43`, `2021-06-30T18:56:43.1Z` → seconds since midnight; null when no time of day is in it. */
export function secondOfDay(time: string): number | null {
  const m = /(\d\d):(\d\d):(\d\d)/.exec(time);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}
