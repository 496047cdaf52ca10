/**
 * Redaction: what makes a Report safe to paste, print or put in a link.
 *
 * It removes, everywhere in the report:
 * - every build-arg value (names stay): in `commands[].command.build_args`, in `--build-arg N=V` flags, and
 *   every other occurrence of those values anywhere else (evidence lines quote them);
 * - credentials in URLs, cloud keys, forge/npm/Slack tokens, JWTs, private-key blocks and `password=`-style
 *   pairs (see secrets.ts);
 * - the values of ENV, ARG and LABEL instructions in the Dockerfile lines the report carries (those are
 *   where people bake credentials, and the editor view only needs the instruction to mark the line).
 * It lists what it removed by kind and place, never the value. A known value (a build arg's, a secret ENV's)
 * becomes a lettered marker, the same wherever it is quoted (`<redacted A>`, `<redacted B>`: secrets.ts
 * `valueMarkers`), so "V changed (<redacted A> → <redacted B>)" still reads as a change; secrets found by
 * their shape become `<redacted>`.
 */
import type { Report } from '../model.ts';
import {
  isRedactedValue,
  isSecretName,
  REDACTED,
  scrubBuildArgFlags,
  scrubKnownValues,
  scrubSecrets,
  valueMarkers,
  type KnownArg,
  type MarkerOf,
  type ScrubResult,
} from './secrets.ts';

export interface RedactionResult {
  report: Report;
  /** One line per kind and place, e.g. "GitHub token in builds[1].steps[3].instruction". */
  redactions: string[];
}

/** More than this many places of one kind are summarised, so a noisy log cannot bloat the link. */
const MAX_PLACES_PER_KIND = 12;

/** Returns a redacted deep copy; the input is not modified. Idempotent. */
export function redactReport(report: Report): RedactionResult {
  const copy = structuredClone(report);
  const found = new Map<string, string[]>();
  const note = (kinds: string[], place: string): void => {
    for (const kind of kinds) {
      const places = found.get(kind) ?? [];
      if (!places.includes(place)) places.push(place);
      found.set(kind, places);
    }
  };

  const knownValues = [...collectBuildArgValues(copy), ...collectDockerfileSecrets(copy.dockerfile?.lines ?? []), ...collectCauseSecrets(copy)];
  const markerOf = valueMarkers(knownValues.flatMap((arg) => arg.values));
  redactCommandArgs(copy, note, markerOf);
  redactCauseArgs(copy, note, markerOf);
  redactCauseValues(copy, note, markerOf);
  if (copy.dockerfile) copy.dockerfile.lines = redactDockerfileLines(copy.dockerfile.lines, 'dockerfile.lines', note);

  // Everything else: walk every string. Previous redactions are kept and merged.
  const previous = copy.redactions ?? [];
  delete copy.redactions;
  const scrubAll = (text: string, place: string): string => {
    let out = text;
    for (const scrub of [(t: string) => scrubBuildArgFlags(t, markerOf), (t: string) => scrubKnownValues(t, knownValues, markerOf), scrubSecrets]) {
      const result: ScrubResult = scrub(out);
      out = result.text;
      note(result.kinds, place);
    }
    return out;
  };
  const walked = walk(copy, '', scrubAll, note) as Report;

  const redactions = [...previous];
  for (const [kind, places] of found) {
    const shown = places.slice(0, MAX_PLACES_PER_KIND).join(', ');
    const more = places.length > MAX_PLACES_PER_KIND ? ` and ${places.length - MAX_PLACES_PER_KIND} more places` : '';
    const line = `${kind} in ${shown}${more}`;
    if (!redactions.includes(line)) redactions.push(line);
  }
  if (redactions.length > 0) walked.redactions = redactions;
  return { report: walked, redactions };
}

type Note = (kinds: string[], place: string) => void;

/** Build args as the report knows them: every value each had in any build. */
function collectBuildArgValues(report: Report): KnownArg[] {
  const byName = new Map<string, Set<string>>();
  for (const entry of report.commands ?? []) {
    for (const [name, value] of Object.entries(entry.command.build_args)) {
      if (value === null || isRedactedValue(value)) continue;
      const values = byName.get(name) ?? new Set<string>();
      values.add(value);
      byName.set(name, values);
    }
  }
  // Causes carry the two values too (build records give them even without a command line).
  for (const cause of report.diagnosis?.causes ?? []) {
    for (const arg of cause.args ?? []) {
      const values = byName.get(arg.name) ?? new Set<string>();
      for (const value of [arg.before, arg.after]) if (typeof value === 'string' && !isRedactedValue(value)) values.add(value);
      byName.set(arg.name, values);
    }
  }
  // A build arg is environment of the RUN: its LLB `env NAME` values are its values, quoted in evidence too.
  for (const cause of report.diagnosis?.causes ?? []) {
    for (const field of cause.llb_diff?.fields ?? []) {
      const name = /^env (.+)$/.exec(field.name)?.[1];
      const values = name !== undefined ? byName.get(name) : undefined;
      if (values) for (const value of [field.before, field.after]) if (typeof value === 'string' && !isRedactedValue(value)) values.add(value);
    }
  }
  return [...byName].map(([name, values]) => ({ name, values: [...values] }));
}

/**
 * ENV/ARG/LABEL values whose name announces a secret (`ENV DB_PASSWORD=…`): their values are scrubbed
 * everywhere, since evidence lines may quote them without the name. Other values are only hidden in the
 * Dockerfile lines (below), so evidence like "APP_MODE: dev → prod" stays readable.
 */
function collectDockerfileSecrets(lines: string[]): KnownArg[] {
  const found: KnownArg[] = [];
  for (const line of lines) {
    const m = VALUE_INSTRUCTION.exec(line);
    if (!m) continue;
    for (const pair of (m[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|'[^']*'|\S+)/g)) {
      const name = pair[1]!;
      const value = (pair[2] ?? '').replace(/^["']|["']$/g, '');
      if (isSecretName(name) && value !== '' && !isRedactedValue(value)) found.push({ name, values: [value] });
    }
  }
  return found;
}

/**
 * Secret-named ENV values and ARG defaults an instruction change compares: the report's Dockerfile is the
 * later one, so the earlier build's values are known only here, and summaries quote them.
 */
function collectCauseSecrets(report: Report): KnownArg[] {
  return (report.diagnosis?.causes ?? []).flatMap((cause) =>
    [...(cause.instruction_diff?.env ?? []), ...(cause.instruction_diff?.arg_defaults ?? [])]
      .filter((value) => isSecretName(value.name))
      .map((value) => ({
        name: value.name,
        values: [value.before, value.after].filter((v): v is string => typeof v === 'string' && v !== '' && !isRedactedValue(v)),
      })),
  );
}

function redactCommandArgs(report: Report, note: Note, markerOf: MarkerOf): void {
  (report.commands ?? []).forEach((entry, i) => {
    const args = entry.command.build_args;
    for (const name of Object.keys(args)) {
      const value = args[name];
      if (value === null || value === undefined || isRedactedValue(value)) continue;
      args[name] = markerOf(value);
      note([`build-arg value ${name}`], `commands[${i}]`);
    }
  });
}

/** The before/after values a cause names (a short value is bare there, with no name for the text scrub to anchor on). */
function redactCauseArgs(report: Report, note: Note, markerOf: MarkerOf): void {
  (report.diagnosis?.causes ?? []).forEach((cause, i) => {
    for (const arg of cause.args ?? []) {
      for (const side of ['before', 'after'] as const) {
        const value = arg[side];
        if (typeof value !== 'string' || isRedactedValue(value)) continue;
        arg[side] = markerOf(value);
        note([`build-arg value ${arg.name}`], `diagnosis.causes[${i}].args`);
      }
    }
  });
}

/**
 * The values other typed fields of a cause hold, by the rules the text follows: an ENV value or ARG default
 * whose name announces a secret, and in an LLB diff the `env NAME` of a build arg (a declared ARG is
 * environment of the RUN, so its value is a build-arg value) or of a secret-looking name. Digests,
 * references and instruction texts are plain strings: the walk below scrubs secrets out of them.
 */
function redactCauseValues(report: Report, note: Note, markerOf: MarkerOf): void {
  const buildArgNames = new Set([
    ...(report.commands ?? []).flatMap((entry) => Object.keys(entry.command.build_args)),
    ...(report.diagnosis?.causes ?? []).flatMap((cause) => (cause.args ?? []).map((arg) => arg.name)),
  ]);
  (report.diagnosis?.causes ?? []).forEach((cause, i) => {
    const place = `diagnosis.causes[${i}]`;
    const diff = cause.instruction_diff;
    for (const value of [...(diff?.env ?? []), ...(diff?.arg_defaults ?? [])]) {
      if (isSecretName(value.name) && hideSides(value, markerOf)) note([`Dockerfile ENV/ARG value ${value.name}`], `${place}.instruction_diff`);
    }
    for (const field of cause.llb_diff?.fields ?? []) {
      const env = /^env (.+)$/.exec(field.name)?.[1];
      if (env !== undefined && (buildArgNames.has(env) || isSecretName(env)) && hideSides(field, markerOf))
        note([`build-arg value ${env}`], `${place}.llb_diff`);
    }
  });
}

/** Replaces both values of a compared pair; true when one was there to hide. */
function hideSides(pair: { before?: string | null; after?: string | null }, markerOf: MarkerOf): boolean {
  let hid = false;
  for (const side of ['before', 'after'] as const) {
    const value = pair[side];
    if (typeof value !== 'string' || value === '' || isRedactedValue(value)) continue;
    pair[side] = markerOf(value);
    hid = true;
  }
  return hid;
}

/** ENV/ARG/LABEL instruction values, which are how credentials get baked into images. */
const VALUE_INSTRUCTION = /^(\s*(?:ENV|ARG|LABEL)\s+)(.*)$/i;

/**
 * Dockerfile lines keep their count and positions (the editor marks lines by number); values of
 * ENV/ARG/LABEL (and their continuation lines) become `<redacted>`, secrets elsewhere are scrubbed, and the
 * body of a private key spread over several lines goes entirely.
 */
export function redactDockerfileLines(lines: string[], place: string, note: Note): string[] {
  const out: string[] = [];
  let continuing = false;
  lines.forEach((line, i) => {
    const here = `${place}[${i}]`;
    const m = VALUE_INSTRUCTION.exec(line);
    if (m || continuing) {
      const head = m ? (m[1] ?? '') : (line.match(/^\s*/)?.[0] ?? '');
      const body = m ? (m[2] ?? '') : line.trim();
      const redacted = redactAssignments(body);
      if (redacted !== body) note(['Dockerfile ENV/ARG/LABEL value'], here);
      out.push(head + redacted);
      continuing = /\\\s*$/.test(line);
      return;
    }
    continuing = false;
    out.push(line);
  });
  return redactLineBlocks(out, place, note);
}

/**
 * `A=1 B="two words"` → `A=<redacted> B=<redacted>`; the legacy `ENV A value` form → `A <redacted>`;
 * a bare `ARG NAME` stays as it is (it has no value).
 */
function redactAssignments(body: string): string {
  const trailing = /\s*\\\s*$/.exec(body)?.[0] ?? '';
  const core = trailing ? body.slice(0, body.length - trailing.length) : body;
  if (core.includes('=')) {
    return (
      core.replace(/([A-Za-z_][A-Za-z0-9_.-]*|"[^"]*")=("(?:[^"\\]|\\.)*"|'[^']*'|(?:[^\s\\]|\\.)*)/g, (match, name: string, value: string) =>
        value === '' || value === REDACTED ? match : `${name}=${REDACTED}`,
      ) + trailing
    );
  }
  const legacy = /^(\S+)(\s+)(\S.*)$/.exec(core);
  if (legacy) return `${legacy[1]}${legacy[2]}${REDACTED}${trailing}`;
  return body;
}

/**
 * Scrubs a list of lines where a private key may span lines (Dockerfile heredocs, log output, error
 * excerpts): from a `BEGIN … PRIVATE KEY` line to its END line, every line is replaced.
 */
export function redactLineBlocks(lines: string[], place: string, note: Note): string[] {
  let insideKey = false;
  return lines.map((line, i) => {
    const here = `${place}[${i}]`;
    if (insideKey) {
      if (/-----END [A-Z0-9 ]*PRIVATE KEY-----/.test(line)) insideKey = false;
      note(['private key'], here);
      return REDACTED;
    }
    if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(line) && !/-----END [A-Z0-9 ]*PRIVATE KEY-----/.test(line)) {
      insideKey = true;
    }
    return line;
  });
}

/** Deep map over every string; arrays of strings first get the multi-line private-key pass. */
function walk(value: unknown, place: string, scrub: (text: string, place: string) => string, note: Note): unknown {
  if (typeof value === 'string') return scrub(value, place || '(root)');
  if (Array.isArray(value)) {
    const items = value.every((v) => typeof v === 'string') ? redactLineBlocks(value, place, note) : value;
    return items.map((item, i) => walk(item, `${place}[${i}]`, scrub, note));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = walk(inner, place ? `${place}.${key}` : key, scrub, note);
    return out;
  }
  return value;
}
