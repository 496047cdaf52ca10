// Modules the bench page's Vite config resolves at build time to the real code when it exists, or to
// `null` while teammates' parts have not landed (see ../vite.config.ts).
declare module 'virtual:bench-ours' {
  import type { Sha256 } from '../../../../src/core/context/hasher.ts';
  /** `@rust-wasm/sha256`'s default export, or null when the package is not built yet. */
  const init: ((source?: unknown) => Promise<Sha256>) | null;
  export default init;
  /** Where it was resolved from (for the report), or null. */
  export const oursFrom: string | null;
  /** URL of the package's `sha256.wasm`, for calling its exports directly (kernel-only diagnostic). */
  export const oursWasmUrl: string | null;
}

declare module 'virtual:bench-index-context' {
  /** `indexContext` of src/core/context/index.ts, or null when it has not landed. */
  export const indexContext: typeof import('../../../../src/core/context/index.ts').indexContext | null;
  export const indexContextFrom: string | null;
  /** The streaming tar reader of src/core/context/tar.ts, or null. */
  export const TarParser: typeof import('../../../../src/core/context/tar.ts').TarParser | null;
}
