/**
 * Build-argument facts the Dockerfile frontend applies before any ARG is read.
 */

/**
 * The proxy build args BuildKit accepts without an ARG (HTTP_PROXY, HTTPS_PROXY, FTP_PROXY, NO_PROXY,
 * ALL_PROXY, in any case). It passes them to RUN through `llb.WithProxy`, and the exec op's cache map
 * drops the proxy env, so changing them never changes a cache key, unless the Dockerfile declares
 * `ARG HTTP_PROXY`, which makes the value ordinary env of later RUNs (and then it is keyed).
 */
export function isPredefinedProxyArg(name: string): boolean {
  return /^(http|https|ftp|no|all)_proxy$/i.test(name);
}

/**
 * Args BuildKit defines itself from the build's platforms. Their values are known to the builder, not to
 * us, so a FROM or step that uses one cannot be expanded from the Dockerfile alone.
 */
export const PLATFORM_ARGS: readonly string[] = [
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
];

export function isPlatformArg(name: string): boolean {
  return PLATFORM_ARGS.includes(name);
}

/** `BUILDKIT_INLINE_CACHE=1` as a build arg asks BuildKit to embed cache metadata in the image (inline cache export). */
export function isInlineCacheArg(name: string, value: string | null): boolean {
  return name === 'BUILDKIT_INLINE_CACHE' && value !== null && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
