/**
 * What the app takes each input for. The sniffer (core/ingest/sniff.ts) guesses from content; the user
 * can correct it on the chip. A folder is never sniffed: it can only be a build context.
 */
import type { InputKind } from '../../core/ingest/sniff.ts';

/** The sniffer's answer. */
export type SniffedKind = InputKind;

/** The role an input plays in the analysis (what the chip's select offers). */
export type InputRole = 'log' | 'build-record' | 'history-json' | 'dockerfile' | 'dockerignore' | 'context' | 'commands' | 'report-json' | 'ignore';

export const ROLE_CHOICES: { role: InputRole; label: string }[] = [
  { role: 'log', label: 'build log' },
  { role: 'build-record', label: 'build record (.dockerbuild)' },
  { role: 'history-json', label: 'build record (history inspect)' },
  { role: 'dockerfile', label: 'Dockerfile' },
  { role: 'dockerignore', label: '.dockerignore' },
  { role: 'context', label: 'build context' },
  { role: 'commands', label: 'build commands' },
  { role: 'report-json', label: 'saved report' },
  { role: 'ignore', label: 'not used' },
];

export function roleOfSniffed(kind: SniffedKind): InputRole {
  switch (kind) {
    case 'context-tar':
    case 'context-tar-gz':
      return 'context';
    case 'unknown':
      return 'ignore';
    default:
      return kind;
  }
}

/** The chip text: "log of build 2", "context of build 1", "Dockerfile". `ordinal` is 1-based among its role. */
export function describeRole(role: InputRole, ordinal: number, countOfRole: number): string {
  switch (role) {
    case 'log':
      return `log of build ${ordinal}`;
    case 'build-record':
      return `record of build ${ordinal}`;
    case 'history-json':
      return `history of build ${ordinal}`;
    case 'context':
      return `context of build ${ordinal}`;
    case 'dockerfile':
      return countOfRole > 1 ? `Dockerfile of build ${ordinal}` : 'Dockerfile';
    case 'dockerignore':
      return countOfRole > 1 ? `.dockerignore of build ${ordinal}` : '.dockerignore';
    case 'commands':
      return 'build commands';
    case 'report-json':
      return 'saved report';
    case 'ignore':
      return 'not used';
  }
}
