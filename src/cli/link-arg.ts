/**
 * A share link given on the command line instead of files: `cachewhy --json '<url#r=…>'` prints the
 * report the link carries, so a helper can read a link in a terminal and a script can check one. Any
 * format ever written opens (decodeShareLink keeps every decoder).
 */
import { stat } from 'node:fs/promises';
import type { InputProblem, Report } from '../core/model.ts';
import { decodeShareLink } from '../core/report/index.ts';

/** `…#r=3.…`, `#r=1.…`, `r=2.…`: what a share link or its fragment looks like. */
const LINK_SHAPE = /(^|[#&])r=\d+\./;

export interface LinkArguments {
  links: string[];
  /** The other arguments, in the order given. */
  files: string[];
}

/** Splits the arguments into share links and files. A file that exists is a file, whatever its name. */
export async function splitLinkArguments(args: readonly string[]): Promise<LinkArguments> {
  const out: LinkArguments = { links: [], files: [] };
  for (const arg of args) {
    const link =
      LINK_SHAPE.test(arg) &&
      !(await stat(arg).then(
        () => true,
        () => false,
      ));
    (link ? out.links : out.files).push(arg);
  }
  return out;
}

export type LinkReport = { ok: true; report: Report } | { ok: false; problem: InputProblem };

/** The report a link carries, or why it cannot be read (the decoder's own words). */
export async function readLinkArgument(link: string): Promise<LinkReport> {
  const decoded = await decodeShareLink(link);
  return decoded.ok ? { ok: true, report: decoded.value } : { ok: false, problem: decoded.problem };
}

/** The other arguments given with a link: each is said and left out, as a saved report's are. */
export function unusedBesideLink(given: LinkArguments): InputProblem[] {
  const others = [...given.links.slice(1), ...given.files];
  return others.map((input) => ({ input, message: 'is not used: a share link is printed alone (give one link, or files)' }));
}
