/**
 * Which `.dockerignore` applies to which build context, the same rule for the CLI and the app: one given
 * `.dockerignore` applies to every context; several are taken in build order, the first to build 1's
 * context, the second to build 2's. A context with none of its own (more contexts than files) keeps the
 * `.dockerignore` it holds, as `docker build` would read it.
 */
export function dockerignoreOfBuild<T>(dockerignores: readonly T[], build: number): T | undefined {
  return dockerignores.length === 1 ? dockerignores[0] : dockerignores[build];
}
