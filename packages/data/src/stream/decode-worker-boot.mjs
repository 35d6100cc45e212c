// Worker entry in plain JavaScript: a worker thread does not get a parent's module hooks, and
// `--import tsx` in a worker's execArgv does not cover its entry module (ERR_UNKNOWN_FILE_EXTENSION
// under vitest), so the worker registers tsx itself and then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./decode-worker.ts');
