/**
 * Which files, and which field of each, changed a COPY/ADD step's content key between two contexts.
 * Only what BuildKit hashes can appear: content, mode, type, symlink target, kept xattrs, and whether
 * `.dockerignore` lets the path be sent. mtime and owner never show up, because they are not hashed.
 */
import type { BuildPlan, ChangedFile, ContextEntry, ContextIndex, PlanStep, SourceDiff, StepContentKey } from '../model.ts';
import { ContextTree, goPathMatcher, type PathMatcher, hasWildcard, readsContext, selectorPath, stepContentKey } from './checksum.ts';
import { smallHasher } from './digest.ts';
import type { Sha256 } from './hasher.ts';

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/** Paths a step's sources cover: a plain source covers its (resolved) path and everything below it. */
function coverage(step: PlanStep, trees: ContextTree[]): (path: string) => boolean {
  const prefixes = new Set<string>();
  const wildcards: PathMatcher[] = [];
  for (const source of step.copy!.paths) {
    const selector = selectorPath(source);
    if (hasWildcard(selector)) {
      wildcards.push(goPathMatcher(selector));
      continue;
    }
    prefixes.add(selector.slice(1)); // the literal path, so a changed symlink itself is seen
    for (const tree of trees) {
      const resolved = tree.resolve(selector.slice(1));
      if (resolved !== null) prefixes.add(resolved);
    }
  }
  return (path) => {
    for (const prefix of prefixes) {
      if (prefix === '' || path === prefix || path.startsWith(prefix + '/')) return true;
    }
    for (const re of wildcards) {
      // A matched directory stands for everything below it.
      for (let p = path; ; p = p.slice(0, p.lastIndexOf('/'))) {
        if (re.test('/' + p)) return true;
        if (!p.includes('/')) break;
      }
    }
    return false;
  };
}

function sameXattrs(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/**
 * A directory's mode is in the checksum of a context as BuildKit first receives it (a 0700 directory
 * header from a real cache.db is in tests/fixtures/checksum/vectors.json), but the receiving side does not
 * pass on a later chmod of a directory it already has: with the same builder and context folder, such a
 * build stayed CACHED (tests/fixtures/real-buildkit/dir-mode-change).
 */
const DIR_MODE_CAVEAT =
  "a directory's mode counts only when the builder receives the context afresh (a new builder or a new context folder); an incremental transfer keeps the mode the directory had";

/**
 * A hard link is a file with another name: which of two linked names tar stores as the file and which as
 * the link depends on the order it walked them (`ln a.txt hl.txt` can turn `a.txt` into the link), and
 * BuildKit hashes both as the file they share.
 */
function hashedType(entry: ContextEntry): ContextEntry['type'] {
  return entry.type === 'hardlink' ? 'file' : entry.type;
}

/** The fields BuildKit hashes that differ between two sent entries of the same path. */
function fieldChanges(a: ContextEntry, b: ContextEntry): ChangedFile[] {
  const path = a.path;
  if (hashedType(a) !== hashedType(b)) return [{ path, change: 'type', detail: `${a.type} → ${b.type}` }];
  if (a.type === 'symlink') {
    return a.linkname !== b.linkname ? [{ path, change: 'symlink', detail: `${a.linkname} → ${b.linkname}` }] : [];
  }
  const changes: ChangedFile[] = [];
  if (a.mode !== b.mode) {
    const change: ChangedFile = { path, change: 'mode', detail: `${octal(a.mode)} → ${octal(b.mode)}` };
    if (a.type === 'dir') change.caveat = DIR_MODE_CAVEAT;
    changes.push(change);
  }
  if (!sameXattrs(a.xattrs, b.xattrs)) changes.push({ path, change: 'xattr' });
  if (a.type === 'file' || a.type === 'hardlink') {
    const metadataSame = changes.length === 0;
    if (a.size !== b.size) changes.push({ path, change: 'content', detail: `${a.size} B → ${b.size} B` });
    else if (a.contentSha256 && b.contentSha256 ? a.contentSha256 !== b.contentSha256 : metadataSame && a.digest !== b.digest) {
      changes.push({ path, change: 'content', detail: `${a.size} B, same size` });
    }
  } else if (changes.length === 0 && a.digest !== b.digest) {
    changes.push({ path, change: 'content' }); // device numbers, or anything else in the header
  }
  return changes;
}

/**
 * Both contexts' entries by path and every path of either, sorted: built once per diff and shared by
 * every step (per step, they cost two maps and a sort of every path of a context of 100,000 files).
 */
interface Pairing {
  before: Map<string, ContextEntry>;
  after: Map<string, ContextEntry>;
  paths: string[];
  /** A browser folder hashes assumed modes (0644/0755): a mode "change" against it may not be real. */
  modesUnknown: boolean;
}

function pairEntries(a: ContextIndex, b: ContextIndex): Pairing {
  const before = new Map<string, ContextEntry>();
  for (const e of a.entries) before.set(e.path, e);
  const after = new Map<string, ContextEntry>();
  for (const e of b.entries) after.set(e.path, e);
  const all = new Set(before.keys());
  for (const path of after.keys()) all.add(path);
  return { before, after, paths: [...all].sort(), modesUnknown: !a.modesKnown || !b.modesKnown };
}

function fileChanges(pairing: Pairing, covered: (path: string) => boolean): ChangedFile[] {
  const { before, after, modesUnknown } = pairing;
  const files: ChangedFile[] = [];
  for (const path of pairing.paths) {
    if (!covered(path)) continue;
    const x = before.get(path);
    const y = after.get(path);
    const sentBefore = !!x && !x.excluded;
    const sentAfter = !!y && !y.excluded;
    if (!sentBefore && !sentAfter) continue;
    if (x && y && sentBefore !== sentAfter) files.push({ path, change: sentAfter ? 'now-included' : 'now-excluded' });
    else if (!sentBefore) files.push({ path, change: 'added' });
    else if (!sentAfter) files.push({ path, change: 'removed' });
    else {
      for (const change of fieldChanges(x, y)) {
        if (change.change === 'mode' && modesUnknown) change.detail += ' (one side is a browser folder, whose modes are assumed)';
        files.push(change);
      }
    }
  }
  return files;
}

function isBuildFile(path: string, plans: BuildPlan[]): boolean {
  if (path === '.dockerignore') return true;
  const base = path.slice(path.lastIndexOf('/') + 1);
  return /^Dockerfile$|\.Dockerfile$|^Dockerfile\./i.test(base) || plans.some((p) => p.source === path);
}

/**
 * The step of `planB` that is the same COPY/ADD as `step`: the same instruction (at the same place, else
 * in the same stage), else an edited instruction at the same place — unless that one is itself the
 * unchanged twin of another step of `planA`.
 */
function matchingStep(step: PlanStep, planA: BuildPlan, planB: BuildPlan): PlanStep | null {
  const candidates = planB.steps.filter(readsContext);
  const exact =
    candidates.find((s) => s.stagePosition === step.stagePosition && s.index === step.index && s.instruction === step.instruction) ??
    candidates.find((s) => s.stage === step.stage && s.instruction === step.instruction);
  if (exact) return exact;
  const instructionsA = new Set(planA.steps.filter((s) => s.stage === step.stage).map((s) => s.instruction));
  return candidates.find((s) => s.stagePosition === step.stagePosition && s.index === step.index && !instructionsA.has(s.instruction)) ?? null;
}

/**
 * Content keys already computed (`contentKeys(a, planA)`, `contentKeys(b, planB)`, with the same hasher):
 * used as they are instead of hashing every step's sources again.
 */
export interface KnownContentKeys {
  a?: StepContentKey[] | null;
  b?: StepContentKey[] | null;
}

/**
 * Per COPY/ADD step of `planA` that reads the context: the content key in `a` and in `b` (with the
 * matching step of `planB`, by default `planA`), whether it changed, and the files that made it change.
 */
export function diffContexts(
  a: ContextIndex,
  b: ContextIndex,
  planA: BuildPlan,
  planB: BuildPlan = planA,
  hasher: Sha256 = smallHasher,
  known: KnownContentKeys = {},
): SourceDiff[] {
  const treeA = new ContextTree(a);
  const treeB = new ContextTree(b);
  let pairing: Pairing | null = null; // only when a step reads the context
  // contentKeys gives one key per step that reads the context, in plan order.
  const readersB = planB.steps.filter(readsContext);
  const keyA = (step: PlanStep, i: number): StepContentKey => known.a?.[i] ?? stepContentKey(treeA, step, hasher);
  const keyB = (step: PlanStep): StepContentKey => known.b?.[readersB.indexOf(step)] ?? stepContentKey(treeB, step, hasher);
  return planA.steps.filter(readsContext).map((stepA, i) => {
    const stepB = matchingStep(stepA, planA, planB);
    const before: StepContentKey = keyA(stepA, i);
    const after: StepContentKey | null = stepB ? keyB(stepB) : null;
    const covered = coverage(stepA, [treeA, treeB]);
    const coveredB = stepB && stepB !== stepA ? coverage(stepB, [treeA, treeB]) : covered;
    const files = fileChanges((pairing ??= pairEntries(a, b)), (p) => covered(p) || coveredB(p));
    const buildFiles = files.filter((f) => isBuildFile(f.path, [planA, planB]));
    const diff: SourceDiff = {
      step: before.step,
      instruction: stepA.instruction,
      before,
      after,
      changed: !after || before.content_key !== after.content_key,
      files,
    };
    if (buildFiles.length > 0) diff.build_files = buildFiles;
    return diff;
  });
}
