/**
 * Image reference normalisation, as BuildKit prints it in the FROM vertex name
 * (`reference.ParseNormalizedNamed` + `TagNameOnly`): `lab/base:1` → `docker.io/lab/base:1`,
 * `ubuntu` → `docker.io/library/ubuntu:latest`. Hand-written because it is ten lines and the Go
 * reference library has no JS twin; we only need the printed form, not validation.
 */

const DIGEST_RE = /@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})$/;

export interface ImageRefParts {
  /** `docker.io`, `127.0.0.1:5000`, `ghcr.io`. */
  domain: string;
  /** `library/ubuntu`, `lab/base`. */
  path: string;
  tag: string | null;
  digest: string | null;
}

/** Splits a reference; null when it is not one (empty, spaces, a variable left unexpanded). */
export function parseImageRef(ref: string): ImageRefParts | null {
  if (ref === '' || /\s|\$/.test(ref)) return null;
  let rest = ref;
  let digest: string | null = null;
  const d = DIGEST_RE.exec(rest);
  if (d) {
    digest = d[1] ?? null;
    rest = rest.slice(0, d.index);
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let domain = 'docker.io';
  let path = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash >= 0) {
    const head = rest.slice(0, firstSlash);
    if (head.includes('.') || head.includes(':') || head === 'localhost') {
      domain = head;
      path = rest.slice(firstSlash + 1);
    }
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = 'library/' + path;
  if (path === '' || (tag !== null && tag === '')) return null;
  return { domain, path, tag, digest };
}

/** The fully qualified form BuildKit prints; the input unchanged when it does not parse. */
export function normalizeImageRef(ref: string): string {
  const p = parseImageRef(ref);
  if (!p) return ref;
  const tag = p.tag ?? (p.digest ? null : 'latest');
  return `${p.domain}/${p.path}${tag !== null ? ':' + tag : ''}${p.digest ? '@' + p.digest : ''}`;
}

/**
 * One key per image for comparing two references as logs, Dockerfiles and build records write them:
 * BuildKit adds `docker.io/` (and `library/`), appends the digest it resolved, and may not show
 * `:latest`, so all of that is dropped (`docker.io/library/alpine:3@sha256:…` and `alpine:3` → `alpine:3`).
 */
export function imageRefKey(ref: string): string {
  let r = ref.trim();
  r = r.replace(/@sha256:[0-9a-f]{64}$/i, '');
  r = r
    .replace(/^docker\.io\//, '')
    .replace(/^index\.docker\.io\//, '')
    .replace(/^library\//, '');
  const lastSegment = r.split('/').pop() ?? r;
  if (!lastSegment.includes(':')) r += ':latest';
  return r;
}

/** The reference without its `@sha256:` digest (what a log's FROM shows before resolution). */
export function stripDigest(ref: string): string {
  return ref.replace(DIGEST_RE, '');
}
