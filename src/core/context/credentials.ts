/**
 * What names a credential, the one rule for each question (issue 13: each was written twice, and the two
 * copies matched different sets):
 * - a file in the build context (`credentialKind`, while a context is indexed) or a source a COPY/ADD names
 *   (`namesCredentials`, on the Dockerfile's text): well-known secret files by name, and every file in a
 *   folder that only holds credentials. The union of both former lists: the context side used to miss
 *   `credentials(.json)`, `.ssh/`, `.gnupg/`, `.config/gcloud/` and `.azure/` files other than `id_*` keys; the
 *   COPY side missed `.env` files, `*.pem|key|p12|pfx`, `id_dsa`/`id_ecdsa` and `kubeconfig`. Public keys
 *   (`*.pub`) and `known_hosts` are no secret, in either.
 * - a variable or build-arg name that announces a secret (`isSecretName`, for the warning about secret
 *   build args and for redaction): the union as well, which was the redaction's own list — the warning
 *   used to miss `pwd`, `auth` (`NPM_AUTH`), `apikey` and dashed forms (`api-key`). Redaction prefers a
 *   word too many over a leaked one, and a build arg the report hides as a secret is one worth warning of.
 * Only names are kept, never contents; `.npmrc` counts only when it carries auth, which is checked on the
 * bytes while they stream past.
 */

/** Files whose name alone says they hold secrets. */
const CREDENTIAL_FILES: RegExp[] = [
  /(^|\/)\.aws\/(credentials|config)$/,
  /(^|\/)\.aws\/(cli|sso)\/cache\/[^/]+$/,
  /(^|\/)\.env$/,
  /(^|\/)\.env\.(?!(example|sample|template|dist|defaults)$)[^/]+$/,
  /(^|\/)[^/]+\.env$/,
  /(^|\/)id_(rsa|dsa|ecdsa|ed25519)[^/]*$/,
  /\.(pem|key|p12|pfx)$/,
  /(^|\/)\.git-credentials$/,
  /(^|\/)\.docker\/config\.json$/,
  /(^|\/)\.netrc$/,
  /(^|\/)\.pypirc$/,
  /(^|\/)\.kube\/config$/,
  /(^|\/)kubeconfig(\.ya?ml)?$/,
  /\.kubeconfig$/,
  /(^|\/)credentials(\.json)?$/,
];

/** Folders that hold nothing but credentials: every file in them counts, and copying the folder does. */
// gcloud's is `~/.config/gcloud`: a bare `gcloud/` is as often a source folder (`pkg/gcloud/client.go`).
const CREDENTIAL_DIRS = /(^|\/)(\.aws|\.ssh|\.kube|\.gnupg|\.config\/gcloud|\.azure)(\/|$)/;

/** Not secrets although they sit with them. */
const NOT_SECRET = /(\.pub|(^|\/)known_hosts)$/;

/** All of CREDENTIAL_FILES as one regexp: one test per path instead of fifteen. */
const CREDENTIAL_FILE = new RegExp(CREDENTIAL_FILES.map((re) => `(?:${re.source})`).join('|'));

export function isNpmrc(path: string): boolean {
  return path === '.npmrc' || path.endsWith('/.npmrc');
}

/** A context file: 'always': the name alone says it holds secrets; 'npmrc': only if the content has auth. */
export function credentialKind(path: string): 'always' | 'npmrc' | null {
  if (isNpmrc(path)) return 'npmrc';
  if (NOT_SECRET.test(path)) return null;
  return CREDENTIAL_FILE.test(path) || CREDENTIAL_DIRS.test(path) ? 'always' : null;
}

/**
 * A COPY/ADD source as written (`.aws/`, `./secrets/id_rsa`, `.npmrc`): a credential file or a folder of
 * them. `.npmrc` counts here: the Dockerfile's text cannot tell whether it carries auth.
 */
export function namesCredentials(source: string): boolean {
  const path = source.replace(/^\.\//, '').replace(/\/$/, '');
  return isNpmrc(path) || credentialKind(path) === 'always';
}

/**
 * Key names that announce a secret value. `auth` catches `_auth`, `_authToken`, `authorization`, but not
 * `author` (`AUTHOR`, `AUTHORS_FILE` are common build args that hold no secret).
 */
export const SECRET_NAME = String.raw`[A-Za-z0-9_.-]*(?:passw(?:or)?d|passwd|pwd|token|secret|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth(?!or(?!i[sz]ation))|credential)[A-Za-z0-9_.-]*`;

const SECRET_NAME_ALONE = new RegExp(`^${SECRET_NAME}$`, 'i');

/** Whether a variable name announces a secret (`DB_PASSWORD`, `NPM_TOKEN`, `aws_secret_access_key`). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME_ALONE.test(name);
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
