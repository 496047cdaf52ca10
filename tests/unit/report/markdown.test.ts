import { describe, expect, it } from 'vitest';
import { toMarkdown } from '../../../src/core/report/index.ts';
import { code, prose } from '../../../src/core/report/markdown.ts';
import { sampleReport } from './sample.ts';

describe('toMarkdown', () => {
  const md = toMarkdown(sampleReport());

  it('starts with the verdict', () => {
    expect(md).toContain('**Verdict:** Step \\[3/4\\] `COPY app.conf /etc/app.conf` missed because `app.conf` changed');
  });

  it('has one table row per step with a column per build', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| [') || l.startsWith('| \\['));
    expect(rows).toHaveLength(4);
    expect(rows[2]).toContain('| cached | **built** | **root miss** |');
    expect(rows[3]).toContain('cascade of [3/4]');
  });

  it('names the root miss, the cascade, the cause, its evidence, files, hash note and suggestions', () => {
    // The verdict names the first miss and what it dragged along; no second summary line repeats it.
    expect(md).not.toContain('**First miss:**');
    expect(md).toContain('1. **context-changed** (high confidence) at `[3/4]`');
    expect(md).toContain('   - `#7 [3/4] COPY app.conf /etc/app.conf`');
    // The evidence quotes the file and its field, so the file is not listed a second time.
    expect(md).toContain('   - `app.conf: content 11 B → 10 B`');
    expect(md).not.toContain('changed file `app.conf`');
    expect(md).toContain('### What the hashes of `[3/4]` mean');
    expect(md).toContain('### Suggestions');
  });

  it('escapes pipes, backticks and HTML from the inputs', () => {
    const report = sampleReport();
    report.diagnosis!.steps[1]!.instruction = 'RUN echo `a` | tee <script>alert(1)</script>';
    report.diagnosis!.causes[0]!.evidence = ['``` fence'];
    report.diagnosis!.causes[0]!.summary = 'a *bold* <img src=x> and `ok` name';
    const out = toMarkdown(report);
    const row = out.split('\n').find((l) => l.includes('tee'))!;
    expect(row).toContain('``RUN echo `a` \\| tee <script>alert(1)</script>``');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(7); // 5 cells + the two outer pipes
    expect(out).toContain('- ```` ``` fence ````');
    expect(out).toContain('a \\*bold\\* \\<img src=x\\> and `ok` name');
  });

  it('without a diagnosis prints a table per build', () => {
    const report = sampleReport();
    report.diagnosis = null;
    const out = toMarkdown(report);
    expect(out).toContain('**a.log** (buildkit-plain)');
    expect(out).toContain('Nothing to compare');
  });
});

describe('code spans', () => {
  it.each([
    ['plain', '`plain`'],
    ['a`b', '``a`b``'],
    ['`edge', '`` `edge ``'],
    ['two\nlines', '`two lines`'],
  ])('%j → %s', (input, expected) => expect(code(input)).toBe(expected));

  it('prose keeps spans and escapes the rest', () => {
    expect(prose('x_y `a_b` [link](u)')).toBe('x\\_y `a_b` \\[link\\](u)');
  });
});
