// Loads the TypeScript worker entry when Confide runs from source (tsx or vitest): a worker thread does not inherit
// the TypeScript loader of the thread that starts it, so it registers tsx itself before importing the entry.
import { workerData } from 'node:worker_threads';

const entry = workerData.entry;
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
