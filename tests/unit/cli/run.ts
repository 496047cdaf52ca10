/** Runs the CLI in-process with captured stdout/stderr. */
import { main } from '../../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `stdin` feeds the FILE `-`; without it, reading `-` fails (a test must never wait on the real stdin). */
export async function runCli(argv: string[], stdin?: string | Uint8Array): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const readStdin = async (): Promise<Uint8Array> => {
    if (stdin === undefined) throw new Error('no standard input in this test');
    return typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin;
  };
  const code = await main(argv, { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), stdin: readStdin });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
