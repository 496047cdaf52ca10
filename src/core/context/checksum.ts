/**
 * BuildKit's content checksum of context paths, as verified against a real BuildKit v0.8 cache.db
 * (tests/fixtures/checksum: the cache database dumped after real builds, and vectors.json; BuildKit's code
 * is https://github.com/moby/buildkit/tree/v0.8.3/cache/contenthash). Every digest is the text
 * `sha256:<hex>`, and that text is what gets hashed one level up. The formulas, as numbered below (§N):
 *  §1 header string H: "name" "" "mode" <perm|suid|sgid|sticky> "uid" "0" "gid" "0" "size" <n> "typeflag" <c>
 *     "linkname" <target> "uname" "" "gname" "" "devmajor" "0" "devminor" "0", no separators;
 *  §2 a file is sha256(H ‖ content); §2.1 which xattrs count (tarsum v1); §2.2 a hard link takes its target's digest;
 *  §3 a symlink is sha256(H(0777, 0, "2", target)), not followed inside a directory;
 *  §4 a directory header is sha256(H(perm, 0, "5", "")), without the name;
 *  §5 a directory is sha256("\0" + header + Σ over children sorted by name bytes of "\0" + name + digest);
 *  §6 the context root is §5 with header sha256(""), over everything the client sent (the Dockerfile and
 *     `.dockerignore` included unless `.dockerignore` excludes them);
 *  §7 a selector is path.Join("/", src); §8 wildcards (below); §9 the content key is
 *     sha256(join("\0", checksums of the sorted, deduplicated selectors)); §10 the cache.db root key is
 *     sha256(key + "@-1"); §11 the edge selector is sha256(join("\0", selectors sorted descending)).
 *
 * Wildcard sources use the formula of BuildKit v0.8.3/v0.8.4 (§8), the era of docker 20.10 — the one the
 * fixtures' cache.db confirms. Later builders (v0.9+, v0.26+) hash wildcard sources differently; plain
 * sources are the same in every era for context files (uid/gid are zeroed by the client).
 */
import { matchTokens, pushToken, type GlobToken } from './glob-match.ts';
import type { BuildPlan, ContextEntry, ContextEntryType, ContextIndex, PlanStep, SourceChecksum, StepContentKey } from '../model.ts';
import { compareUtf8, digestText, EMPTY_SHA256, sha256Text, smallHasher, utf8 } from './digest.ts';
import type { Sha256 } from './hasher.ts';
import { cleanPath } from './dockerignore.ts';

/** The wildcard formula applied, recorded in `ContextIndex.checksumEra`. */
export const CHECKSUM_ERA = 'buildkit-v0.8.3';

const TYPEFLAG: Record<ContextEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

/**
 * The xattrs of nearly every entry: one frozen object shared by all, instead of an empty object per
 * entry (tens of bytes each, times every entry, times every copy a postMessage makes; a structured clone
 * keeps the sharing, so the copies share one object too).
 */
export const NO_XATTRS: Record<string, string> = Object.freeze({});

/**
 * BuildKit's tarsum v1 header filter (§2.1): keep `security.capability` and every key that starts
 * neither with `security.` nor `system.` (so SELinux labels and ACLs never count).
 */
export function keptXattrs(xattrs: Record<string, string>): Record<string, string> {
  let kept: Record<string, string> | null = null;
  for (const key of Object.keys(xattrs)) {
    if (key === 'security.capability' || (!key.startsWith('security.') && !key.startsWith('system.'))) {
      (kept ??= {})[key] = xattrs[key]!;
    }
  }
  return kept ?? NO_XATTRS;
}

export interface HeaderFields {
  type: ContextEntryType;
  mode: number;
  size: number;
  linkname: string;
  devmajor?: number;
  devminor?: number;
  /** Already filtered with `keptXattrs`. */
  xattrs: Record<string, string>;
}

/**
 * The header string H (§1): key+value pairs with no separators; the name is empty, uid/gid are 0,
 * mtime is absent; `size` only for regular files; then the kept xattrs sorted by name.
 */
export function tarsumHeaderText(fields: HeaderFields): string {
  const size = fields.type === 'file' ? fields.size : 0;
  const linkname = fields.type === 'symlink' || fields.type === 'hardlink' ? fields.linkname : '';
  let text =
    'namemode' +
    (fields.mode & 0o7777) +
    'uid0gid0size' +
    size +
    'typeflag' +
    TYPEFLAG[fields.type] +
    'linkname' +
    linkname +
    'unamegnamedevmajor' +
    (fields.devmajor ?? 0) +
    'devminor' +
    (fields.devminor ?? 0);
  const names = Object.keys(fields.xattrs);
  if (names.length > 0) {
    names.sort(compareUtf8);
    for (const name of names) text += name + fields.xattrs[name]!;
  }
  return text;
}

/** The header H as UTF-8 bytes. */
export function tarsumHeader(fields: HeaderFields): Uint8Array {
  return utf8(tarsumHeaderText(fields));
}

// ---------------------------------------------------------------------------------------------
// Directory digests (§5, §6)
// ---------------------------------------------------------------------------------------------

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The digest a parent directory records for a child: recursive for dirs, the entry digest otherwise. */
function childDigest(entry: ContextEntry): string {
  return entry.type === 'dir' ? (entry.dirDigest ?? entry.digest) : entry.digest;
}

/**
 * Compute `dirDigest` of every directory in `sent` (bottom-up, one `digestMany` batch per depth) and
 * return the context root digest (header `sha256("")`, §6). Every parent directory of a sent entry must
 * be in `sent` itself.
 */
export function computeDirectoryDigests(sent: ContextEntry[], hasher: Sha256): string {
  const children = new Map<string, ContextEntry[]>();
  const dirsByDepth: ContextEntry[][] = [];
  for (const entry of sent) {
    const parent = parentOf(entry.path);
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(entry);
    if (entry.type === 'dir') {
      const depth = entry.path.split('/').length;
      (dirsByDepth[depth] ??= []).push(entry);
    }
  }
  const recordText = (headerDigest: string, path: string): string => {
    let text = '\0' + headerDigest;
    const list = children.get(path);
    if (!list) return text;
    const named = list.map((entry) => ({ name: baseOf(entry.path), entry }));
    named.sort((a, b) => compareUtf8(a.name, b.name));
    for (const { name, entry } of named) text += '\0' + name + childDigest(entry);
    return text;
  };
  for (let depth = dirsByDepth.length - 1; depth >= 1; depth--) {
    const dirs = dirsByDepth[depth];
    if (!dirs) continue;
    const digests = hasher.digestMany(dirs.map((dir) => utf8(recordText(dir.digest, dir.path))));
    dirs.forEach((dir, i) => (dir.dirDigest = digestText(digests[i]!)));
  }
  return digestText(hasher.digest(utf8(recordText(EMPTY_SHA256, ''))));
}

// ---------------------------------------------------------------------------------------------
// Selectors (§7, §8) and content keys (§9, §10, §11)
// ---------------------------------------------------------------------------------------------

/** The sent entries of a context, looked up by path and listed in BuildKit's radix-tree order. */
export class ContextTree {
  readonly byPath = new Map<string, ContextEntry>();
  readonly rootDigest: string;
  private ordered: string[] | null = null;

  constructor(index: Pick<ContextIndex, 'entries' | 'rootDigest'>) {
    for (const entry of index.entries) if (!entry.excluded) this.byPath.set(entry.path, entry);
    this.rootDigest = index.rootDigest;
  }

  /** Paths sorted as BuildKit's tree keys (`/` → `\0`), so a dir is directly followed by its contents. */
  radixOrder(): string[] {
    if (!this.ordered) {
      // Each key is made once, not twice per comparison (two new strings × n log n on a big context).
      const keyed = [...this.byPath.keys()].map((path) => ({ path, key: path.replaceAll('/', '\0') }));
      keyed.sort((a, b) => compareUtf8(a.key, b.key));
      this.ordered = keyed.map((k) => k.path);
    }
    return this.ordered;
  }

  /**
   * Resolve a source path as `checksumFollow` does: symlinks in any component, and the last one, are
   * followed (up to 255 links), relative to the link's directory. '' is the root.
   * Not verified against a real cache.db: from BuildKit's code only.
   */
  resolve(path: string): string | null {
    let pending = path === '' ? [] : path.split('/');
    let current = '';
    let links = 0;
    while (pending.length > 0) {
      const next = current === '' ? pending[0]! : current + '/' + pending[0]!;
      const entry = this.byPath.get(next);
      if (!entry) return null;
      if (entry.type === 'symlink') {
        if (++links > 255) return null;
        const target = entry.linkname.startsWith('/') ? entry.linkname : current + '/' + entry.linkname;
        const resolved = cleanPath('/' + target).slice(1);
        pending = [...(resolved === '' ? [] : resolved.split('/')), ...pending.slice(1)];
        current = '';
        continue;
      }
      current = next;
      pending = pending.slice(1);
    }
    return current;
  }

  /** The checksum of a resolved path: the root digest, a recursive dir digest, or an entry digest. */
  checksumOf(path: string): string | null {
    if (path === '') return this.rootDigest;
    const entry = this.byPath.get(path);
    return entry ? childDigest(entry) : null;
  }
}

export function hasWildcard(path: string): boolean {
  return /[*?[]/.test(path);
}

/** A compiled `path.Match` pattern. */
export interface PathMatcher {
  test(path: string): boolean;
}

/**
 * Go's `path.Match`: `*` any non-`/` run, `?` one non-`/`, `[…]`/`[^…]` classes, `\` escapes. Run as tokens
 * (glob-match.ts), not as a RegExp: Go's matcher never backtracks exponentially, a RegExp of several `*`
 * does (`COPY *a*a*a*a*a*a*b` against a long file name took minutes).
 */
export function goPathMatcher(pattern: string): PathMatcher {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') pushToken(tokens, { kind: 'star' });
    else if (ch === '?') tokens.push({ kind: 'one' });
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) return { test: () => false }; // malformed: matches nothing (Go returns ErrBadPattern)
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      tokens.push({ kind: 'class', test: new RegExp('^[' + (negate ? '^/' : '') + body.replace(/[\]\\]/g, (c) => '\\' + c) + ']$') });
      i = close;
    } else if (ch === '\\' && i + 1 < pattern.length) {
      tokens.push({ kind: 'lit', char: pattern[++i]! });
    } else tokens.push({ kind: 'lit', char: ch });
  }
  return { test: (path) => matchTokens(tokens, path) };
}

/** The selector BuildKit hashes for a source as written: `path.Join("/", src)`. */
export function selectorPath(source: string): string {
  return cleanPath('/' + source);
}

interface SelectorResult {
  checksum: string | null;
  /** Paths the selector covers (a dir stands for everything below it; '' is the root). */
  paths: string[];
}

/** §8: the v0.8.3 wildcard checksum. */
function wildcardChecksum(tree: ContextTree, selector: string, hasher: Sha256): SelectorResult {
  const matcher = goPathMatcher(selector);
  const matches: { path: string; digest: string }[] = [];
  const order = tree.radixOrder();
  for (let i = 0; i < order.length; i++) {
    const path = order[i]!;
    if (!matcher.test('/' + path)) continue;
    // A matched symlink is followed (FollowLinks; unverified), anything else hashes as itself.
    const resolved = tree.resolve(path);
    const digest = resolved === null ? null : tree.checksumOf(resolved);
    if (digest !== null) matches.push({ path, digest });
    if (tree.byPath.get(path)?.type === 'dir') {
      const prefix = path + '/';
      while (i + 1 < order.length && order[i + 1]!.startsWith(prefix)) i++; // contents are not matched separately
    }
  }
  if (matches.length === 0) return { checksum: null, paths: [] };
  const paths = matches.map((m) => m.path);
  if (matches.length === 1 && baseOf(selector) === baseOf(matches[0]!.path)) return { checksum: matches[0]!.digest, paths };
  const text = matches.map((m) => baseOf(m.path) + m.digest).join('\0');
  return { checksum: sha256Text(text, hasher), paths };
}

export function selectorChecksum(tree: ContextTree, selector: string, hasher: Sha256 = smallHasher): SelectorResult {
  if (hasWildcard(selector)) return wildcardChecksum(tree, selector, hasher);
  const resolved = tree.resolve(selector.slice(1));
  if (resolved === null) return { checksum: null, paths: [] };
  return { checksum: tree.checksumOf(resolved), paths: [resolved] };
}

/** BuildKit's `dedupePaths`: drop duplicates and plain paths nested in another plain path (unverified). */
function dedupeSelectors(selectors: string[]): string[] {
  const plain = [...new Set(selectors.filter((s) => !hasWildcard(s)))];
  const kept = plain.filter((p1) => !plain.some((p2) => p1 !== p2 && p1.startsWith(p2 + '/')));
  const wild = selectors.filter(hasWildcard);
  return [...kept, ...wild].sort((a, b) => compareUtf8(a, b));
}

/** True for a COPY/ADD whose sources come from the build context (not `--from`, not a URL). */
export function readsContext(step: PlanStep): boolean {
  return (step.keyword === 'COPY' || step.keyword === 'ADD') && !!step.copy && step.copy.from === null && !step.copy.remote && step.copy.paths.length > 0;
}

/** The content key of one COPY/ADD step against one context. */
export function stepContentKey(tree: ContextTree, step: PlanStep, hasher: Sha256 = smallHasher): StepContentKey {
  const stepRef = { stage: step.stage, index: step.index };
  const sources = step.copy!.paths;
  const selectors: SourceChecksum[] = sources.map((source) => {
    const selector = selectorPath(source);
    const result = selectorChecksum(tree, selector, hasher);
    return { step: stepRef, selector, source, checksum: result.checksum, paths: result.paths, wildcard: hasWildcard(selector) };
  });
  const bySelector = new Map(selectors.map((s) => [s.selector, s]));
  const keyed = dedupeSelectors(selectors.map((s) => s.selector));
  const checksums = keyed.map((sel) => bySelector.get(sel)!.checksum);
  // A missing source fails the step in BuildKit (`"/x" not found`): there is no key to compare then.
  const missing = checksums.some((c) => c === null);
  const contentKey = missing ? '' : sha256Text(checksums.join('\0'), hasher);
  const uniquePaths = [...new Set(selectors.map((s) => s.selector))].sort((a, b) => compareUtf8(b, a));
  return {
    step: stepRef,
    instruction: step.instruction,
    content_key: contentKey,
    cache_db_key: missing ? '' : sha256Text(contentKey + '@-1', hasher),
    edge_selector: sha256Text(uniquePaths.join('\0'), hasher),
    selectors,
  };
}

/**
 * The content key of every COPY/ADD step of `plan` that reads the build context. `hasher` is only used
 * for small metadata strings; it defaults to the built-in synchronous SHA-256.
 */
export function contentKeys(index: ContextIndex, plan: BuildPlan, hasher: Sha256 = smallHasher): StepContentKey[] {
  const tree = new ContextTree(index);
  return plan.steps.filter(readsContext).map((step) => stepContentKey(tree, step, hasher));
}
