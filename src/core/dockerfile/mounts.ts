/**
 * `RUN --mount=…` options as facts. BuildKit's default mount type is `bind`, and a bind mount without
 * `from=` mounts the build context: `RUN --mount=target=/src make` reads the context as surely as a COPY.
 */

import type { RunMount } from '../model.ts';

/** `type=cache,target=/x,ro` → its options, names lower-cased (a bare flag like `ro` is `true`). */
export function parseMountOptions(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) out.set(part.trim().toLowerCase(), 'true');
    else out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';

/** The facts of one mount (model.ts `RunMount`). */
export type Mount = RunMount;

/** `--mount=type=cache,target=/x` or `type=cache,target=/x` → its options. */
export function parseMount(flag: string): Mount {
  const written = flag.startsWith('--mount=') ? flag : `--mount=${flag}`;
  const opts = parseMountOptions(written.slice('--mount='.length));
  return {
    type: opts.get('type') ?? 'bind',
    from: opts.get('from') ?? null,
    source: opts.get('source') ?? opts.get('src') ?? null,
    target: opts.get('target') ?? opts.get('dst') ?? opts.get('destination') ?? null,
    id: opts.get('id') ?? null,
    written,
  };
}

export function mountReadsContext(mount: Mount): boolean {
  return mount.type === 'bind' && mount.from === null;
}

/** The `--mount=…` flags written in a RUN instruction's text (as a log prints it). */
export function mountsInText(instruction: string): Mount[] {
  return [...instruction.matchAll(/--mount=(\S+)/g)].map((m) => parseMount(m[1] as string));
}
