/**
 * Keeps the page URL in step with the report on screen: after each analysis, the redacted report is
 * encoded into `#r=3.<payload>` (debounced, `history.replaceState`, no history entry per run).
 */
import type { Report } from '../../core/model.ts';
import { encodeShareLinkDetailed, SHARE_LINK_HARD_LIMIT, SHARE_LINK_SOFT_LIMIT } from '../../core/report/index.ts';
import { linkFor, writeFragment } from './fragment.ts';

export interface ShareLink {
  url: string;
  /** Characters of the whole URL (what a chat tool sees). */
  size: number;
  /** What redaction removed before encoding (kinds and places, never values). */
  redactions: string[];
  /** Longer than chat tools accept: offer the report file instead. */
  tooLongForChat: boolean;
  /** What the compact link leaves out (empty: the whole report is in the link). */
  omitted: string[];
}

const DEBOUNCE_MS = 300;

export class ShareState {
  link: ShareLink | null = $state.raw(null);
  error: string | null = $state(null);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #run = 0;

  /** A report made here (from inputs or a report file): encode it and put it in the URL. */
  publish(report: Report): void {
    clearTimeout(this.#timer);
    const run = ++this.#run;
    this.#timer = setTimeout(() => void this.#encode(report, run), DEBOUNCE_MS);
  }

  /** Encodes `report` for run `run`; a later publish or adopt makes the result moot. Never rejects. */
  async #encode(report: Report, run: number): Promise<void> {
    try {
      const encoded = await encodeShareLinkDetailed(report);
      if (run !== this.#run) return;
      const url = linkFor(encoded.fragment);
      this.link = {
        url,
        size: url.length,
        redactions: encoded.redactions,
        tooLongForChat: url.length > SHARE_LINK_SOFT_LIMIT,
        omitted: encoded.omitted,
      };
      this.error = null;
      // Past Chromium's URL limit the link would not even open: keep the page URL clean then.
      writeFragment(url.length <= SHARE_LINK_HARD_LIMIT ? encoded.fragment : null);
    } catch (e) {
      if (run !== this.#run) return;
      this.link = null;
      this.error = `The share link could not be made: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** A report opened from a link: the link is the page URL as it is. */
  adoptCurrent(report: Report): void {
    clearTimeout(this.#timer);
    this.#run++;
    const url = location.href;
    this.link = {
      url,
      size: url.length,
      redactions: report.redactions ?? [],
      tooLongForChat: url.length > SHARE_LINK_SOFT_LIMIT,
      omitted: report.link_omitted ?? [],
    };
    this.error = null;
  }

  /** Nothing on screen: no link, and the fragment is cleared. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#run++;
    this.link = null;
    this.error = null;
    writeFragment(null);
  }
}
