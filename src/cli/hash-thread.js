// A hashing thread of the CLI's pool (src/cli/hash-pool.ts). Plain JavaScript so worker_threads can start
// it without a loader; it registers tsx, as cachewhy.js does, to load the TypeScript that does the work.
import { register } from 'tsx/esm/api';

register();
await import('./hash-thread-main.ts');
