/** A record's build-arg values are redacted like any build arg; its Dockerfile text and LLB never leave. */
import { describe, expect, it } from 'vitest';
import { decodeShareLink } from '../../../src/core/report/index.ts';
import { runCli } from '../cli/run.ts';
import { file } from './lab2026.ts';

const records = [file('arg-used', 'a.dockerbuild'), file('arg-used', 'b.dockerbuild')];

describe('records and privacy', () => {
  it('JSON: arg values redacted, no Dockerfile text, no LLB', async () => {
    const run = await runCli(['--json', ...records]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.commands.map((c: { command: { build_args: object } }) => c.command.build_args)).toEqual([{ V: '<redacted A>' }, { V: '<redacted B>' }]);
    expect(report.dockerfile).toBeUndefined();
    expect(run.stdout).not.toMatch(/V=[12]\b/);
    // `echo "V=$V"` is how only the LLB and the Dockerfile write the command.
    expect(run.stdout).not.toMatch(/V=\$V/);
    expect(report.diagnosis.causes[0].exact).toBe(true);
  });

  it('Markdown: arg values redacted', async () => {
    const run = await runCli(['--markdown', ...records]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/V=[12]\b/);
    expect(run.stdout).not.toMatch(/V=\$V/);
  });

  it('link: arg values redacted, no Dockerfile text', async () => {
    const run = await runCli(['--link', ...records]);
    expect(run.code).toBe(0);
    const decoded = await decodeShareLink(run.stdout.trim());
    if (!decoded.ok) throw new Error(decoded.problem.message);
    const text = JSON.stringify(decoded.value);
    expect(decoded.value.dockerfile ?? null).toBeNull();
    expect(text).not.toMatch(/V=[12]\b/);
    expect(text).not.toMatch(/V=\$V/);
  });
});
