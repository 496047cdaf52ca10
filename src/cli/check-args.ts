/** The flags of `cachewhy check` (the gate); parseArgs hands each argument it does not know to this. */

export interface CheckFlags {
  allowMiss: string[];
  maxLostSeconds: number | null;
  sameInputs: boolean;
  reportFile: string | null;
  junitFile: string | null;
  github: boolean;
}

export function emptyCheckFlags(): CheckFlags {
  return { allowMiss: [], maxLostSeconds: null, sameInputs: false, reportFile: null, junitFile: null, github: false };
}

/** How many arguments the flag at `argv[i]` took (0: not a check flag), or what is wrong with it. */
export function parseCheckFlag(argv: string[], i: number, flags: CheckFlags): number | { error: string } {
  const arg = argv[i]!;
  if (arg === '--same-inputs') return ((flags.sameInputs = true), 1);
  if (arg === '--github') return ((flags.github = true), 1);
  const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
  if (!['--allow-miss', '--max-lost-seconds', '--report', '--junit'].includes(flag)) return 0;
  const value = inline ?? argv[i + 1];
  const took = inline === undefined ? 2 : 1;
  if (value === undefined || value === '') return { error: `${flag} needs a value (see cachewhy --help)` };
  switch (flag) {
    case '--allow-miss':
      flags.allowMiss.push(value);
      return took;
    case '--max-lost-seconds': {
      const n = Number(value);
      if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n))
        return { error: `--max-lost-seconds needs a number of seconds, e.g. 30 (got ${JSON.stringify(value)})` };
      flags.maxLostSeconds = n;
      return took;
    }
    case '--report':
      flags.reportFile = value;
      return took;
    default:
      flags.junitFile = value;
      return took;
  }
}
