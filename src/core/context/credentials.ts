/**
 * Well-known secret files that a COPY/ADD would bake into a layer. Only names are kept, never contents;
 * `.npmrc` counts only when it carries auth, which is checked on the bytes while they stream past.
 */

const ALWAYS: RegExp[] = [
  /(^|\/)\.aws\/(credentials|config)$/,
  /(^|\/)\.aws\/(cli|sso)\/cache\/[^/]+$/,
  /(^|\/)\.env$/,
  /(^|\/)\.env\.(?!(example|sample|template|dist|defaults)$)[^/]+$/,
  /(^|\/)[^/]+\.env$/,
  /(^|\/)id_(rsa|dsa|ecdsa|ed25519)$/,
  /\.(pem|key|p12|pfx)$/,
  /(^|\/)\.git-credentials$/,
  /(^|\/)\.docker\/config\.json$/,
  /(^|\/)\.netrc$/,
  /(^|\/)\.pypirc$/,
  /(^|\/)\.kube\/config$/,
  /(^|\/)kubeconfig(\.ya?ml)?$/,
  /\.kubeconfig$/,
];

/** All of ALWAYS as one regexp: one test per path instead of fourteen. */
const ALWAYS_ONE = new RegExp(ALWAYS.map((re) => `(?:${re.source})`).join('|'));

export function isNpmrc(path: string): boolean {
  return path === '.npmrc' || path.endsWith('/.npmrc');
}

/** 'always': the name alone says it holds secrets; 'npmrc': only if the content has auth. */
export function credentialKind(path: string): 'always' | 'npmrc' | null {
  if (isNpmrc(path)) return 'npmrc';
  return ALWAYS_ONE.test(path) ? 'always' : null;
}

const AUTH_MARKERS = ['_auth', 'password'];
const TAIL = Math.max(...AUTH_MARKERS.map((m) => m.length)) - 1;

/** Looks for `_auth`/`_authToken`/`_password`/`password` in `.npmrc` bytes, across chunk boundaries. */
export class NpmrcAuthScanner {
  found = false;
  private tail = '';

  feed(bytes: Uint8Array): void {
    if (this.found) return;
    let text = this.tail;
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
    if (AUTH_MARKERS.some((m) => text.includes(m))) this.found = true;
    this.tail = text.slice(-TAIL);
  }
}
