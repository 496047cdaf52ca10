/** The installed `cachewhy` bin (node + tsx) runs the same CLI as main(): one real subprocess. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.ts';

const ROOT = join(import.meta.dirname, '../../..');
const CASE = join(ROOT, 'tests/fixtures/lab/copy-file-content');

describe('bin/cachewhy', () => {
  it('node src/cli/cachewhy.js --json prints the same report as main()', async () => {
    const files = ['a.log', 'b.log', 'Dockerfile', 'context-a.tar', 'context-b.tar'].map((f) => join(CASE, f));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, 'src/cli/cachewhy.js'), '--json', ...files], { cwd: ROOT });
    expect(stderr).toBe('');
    const inProcess = await runCli(['--json', ...files]);
    expect(JSON.parse(stdout)).toEqual(JSON.parse(inProcess.stdout));
    expect(JSON.parse(stdout).diagnosis.causes[0].files).toEqual([expect.objectContaining({ path: 'app.conf', change: 'content' })]);
  });
});
