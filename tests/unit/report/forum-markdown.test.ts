/**
 * Issue 12: the built-in example's Markdown fits a forum post (≤ 3,000 characters), still names the file,
 * the field and the fix, folds the cascade into one row, and renders as GitHub-flavoured Markdown
 * (marked, GFM: tables, <details>). `--full` keeps every section, the full table in <details>.
 */
import { join } from 'node:path';
import { marked, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { FORUM_MARKDOWN_LIMIT } from '../../../src/core/report/markdown.ts';
import { runCli } from '../cli/run.ts';

const SEED = join(import.meta.dirname, '../../fixtures/lab/seed-replica');
const FILES = ['a.log', 'b.jenkins.log', 'Dockerfile', 'commands.txt', 'context-a.tar', 'context-b.tar'].map((f) => join(SEED, f));
const ADDED = 'model/Dockerfile/om-datasci-base/.aws/cli/cache/5c8e2f0d1a9b7c3e4f6a8b0d2e4f6a8c0e2d4f6a.json';

function tables(tokens: Token[]): Tokens.Table[] {
  return tokens.filter((t): t is Tokens.Table => t.type === 'table');
}

const cellText = (c: Tokens.TableCell) => c.text;

describe('the built-in example as a forum post', async () => {
  const r = await runCli(['--markdown', ...FILES]);
  const md = r.stdout;
  const tokens = marked.lexer(md, { gfm: true });

  it(`is at most ${FORUM_MARKDOWN_LIMIT} characters (it was 8,335)`, () => {
    expect(r.code, r.stderr).toBe(0);
    expect(md.length).toBeLessThanOrEqual(3000);
  });

  it('names the file, the field and the fix, and the time lost', () => {
    const verdict = tokens.find((t) => t.type === 'paragraph' && t.raw.startsWith('**Verdict:**'))!;
    expect(verdict.raw).toContain(ADDED);
    expect(verdict.raw).toContain('appeared in the context');
    expect(verdict.raw).toMatch(/That rebuild took \d+(\.\d)? s in b\.jenkins\.log\./);
    const headings = tokens.filter((t): t is Tokens.Heading => t.type === 'heading').map((h) => h.text);
    expect(headings).toEqual(expect.arrayContaining(['Causes', 'Suggestions']));
    expect(headings.some((h) => h.startsWith('What the hashes of'))).toBe(true);
    expect(md).toContain(`\`${ADDED}: added\``);
    expect(md).toMatch(/to \.dockerignore/);
    expect(md).toContain('RUN --mount=type=secret');
  });

  it('folds the 32 cascade steps into one table row and says what it left out', () => {
    const [table] = tables(tokens);
    expect(table!.header.map(cellText)).toEqual(['Step', 'Instruction', '1: a.log', '2: b.jenkins.log', 'Why']);
    expect(table!.rows).toHaveLength(3);
    expect(table!.rows[1]!.map(cellText)[4]).toBe('**root miss**');
    expect(table!.rows[2]!.map(cellText)).toEqual(['[3/34]–[34/34]', '32 steps', 'cached', '**built**', 'rebuilt because [2/34] missed']);
    expect(md).toMatch(/Left out to fit a forum post: [^<]*full step table/);
  });

  it('--full: every section, the full table in a <details> block GitHub renders', async () => {
    const full = await runCli(['--markdown', '--full', ...FILES]);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout.length).toBeGreaterThan(FORUM_MARKDOWN_LIMIT);
    expect(full.stdout).not.toContain('Left out');
    const html = await marked.parse(full.stdout, { gfm: true });
    const details = /<details><summary>All 34 steps<\/summary>([\s\S]*?)<\/details>/.exec(html);
    expect(details).not.toBeNull();
    // Markdown inside <details> must still become a table: it needs the blank lines around it.
    expect(details![1]).toMatch(/<table>[\s\S]*<td>\[34\/34\]<\/td>[\s\S]*<\/table>/);
    expect(html).toContain('CREDENTIALS IN THE IMAGE');
  });
});
