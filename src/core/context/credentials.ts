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

/** 'always': the name alone says it holds secrets; 'npmrc': only if the content has auth. */
export function credentialKind(path: string): 'always' | 'npmrc' | null {
  if (/(^|\/)\.npmrc$/.test(path)) return 'npmrc';
  return ALWAYS.some((re) => re.test(path)) ? 'always' : null;
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
