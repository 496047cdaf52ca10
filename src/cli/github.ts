/**
 * `cachewhy check --github`: what GitHub Actions shows without a plugin — the forum-sized Markdown in the
 * job summary (`$GITHUB_STEP_SUMMARY`), step outputs (`$GITHUB_OUTPUT`: first-miss, cause, time-lost,
 * link) and a `::warning` annotation on the Dockerfile line of each root miss that counts. The action
 * at the repository root (action.yml) runs this.
 */
import { appendFile } from 'node:fs/promises';
import { label, type GateResult } from '../core/gate/index.ts';
import type { Report } from '../core/model.ts';
import { encodeShareLinkDetailed, SHARE_LINK_HARD_LIMIT, toMarkdown } from '../core/report/index.ts';

export interface GithubEnv {
  GITHUB_STEP_SUMMARY?: string;
  GITHUB_OUTPUT?: string;
  /** The Dockerfile's path in the repository, for annotations (the report keeps only its name). */
  CACHEWHY_DOCKERFILE?: string;
  [name: string]: string | undefined;
}

export async function githubOutputs(report: Report, gate: GateResult, env: GithubEnv, stdout: (text: string) => void, base: string): Promise<void> {
  const name = label(report);
  const counted = gate.misses.filter((m) => m.allowedBy === null);
  const file = env.CACHEWHY_DOCKERFILE ?? report.dockerfile?.source ?? null;
  for (const miss of counted) {
    const why = miss.cause ? `${miss.cause.kind}: ${miss.cause.summary}` : 'the inputs do not show what changed';
    const where = file && miss.line ? `file=${property(file)},line=${miss.line},` : '';
    stdout(`::warning ${where}title=${property(`cache miss at ${name(miss.root)}`)}::${data(why)}\n`);
  }
  if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, toMarkdown(report));
  if (!env.GITHUB_OUTPUT) return;
  const first = gate.misses.find((m) => m.allowedBy === null) ?? gate.misses[0] ?? null;
  const link = await shareLink(report, base);
  const outputs: Record<string, string> = {
    verdict: gate.verdict,
    'first-miss': first ? `${name(first.root)} ${first.root.instruction ?? ''}`.trim() : '',
    cause: first?.cause ? `${first.cause.kind}: ${first.cause.summary}` : '',
    'time-lost': gate.countedSeconds === null ? '' : String(gate.countedSeconds),
    link,
  };
  await appendFile(
    env.GITHUB_OUTPUT,
    Object.entries(outputs)
      .map(([k, v]) => `${k}=${v.replace(/[\r\n]+/g, ' ')}\n`)
      .join(''),
  );
}

async function shareLink(report: Report, base: string): Promise<string> {
  const url = `${base.split('#')[0]}#${(await encodeShareLinkDetailed(report)).fragment}`;
  return url.length > SHARE_LINK_HARD_LIMIT ? '' : url;
}

/** Workflow-command escaping (actions/toolkit `escapeData` / `escapeProperty`). */
function data(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(value: string): string {
  return data(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
