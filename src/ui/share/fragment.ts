/**
 * The page's fragment is its only state: `#r=<format>.<payload>` (every format, see core/report/share.ts) carries a report, `#example` asks for the
 * built-in example. The fragment never reaches a server, which is the point.
 */

export type FragmentRequest = { kind: 'report'; fragment: string } | { kind: 'example' } | { kind: 'none' };

export function readFragment(hash = location.hash): FragmentRequest {
  // location.hash is used as-is: our payload is base64url, so no percent-decoding questions arise.
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  if (body === 'example' || body === 'example=seed-replica') return { kind: 'example' };
  if (body.startsWith('r=')) return { kind: 'report', fragment: body };
  return { kind: 'none' };
}

/** Replaces the fragment without a history entry (a link per keystroke would flood the back button). */
export function writeFragment(fragment: string | null): void {
  const url = new URL(location.href);
  url.hash = fragment ? (fragment.startsWith('#') ? fragment : `#${fragment}`) : '';
  const next = fragment ? url.href : url.href.replace(/#$/, '');
  if (next !== location.href) history.replaceState(history.state, '', next);
}

/** The full URL a fragment makes on this page. */
export function linkFor(fragment: string): string {
  const url = new URL(location.href);
  url.hash = fragment.startsWith('#') ? fragment : `#${fragment}`;
  return url.href;
}
