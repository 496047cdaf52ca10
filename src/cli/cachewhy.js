#!/usr/bin/env node
// The `cachewhy` command. The CLI is TypeScript (it shares src/core with the web app); tsx compiles it
// on the fly so `npx cachewhy` works straight after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
