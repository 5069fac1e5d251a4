import { Worker } from 'node:worker_threads';
import { ConfideError } from '@confide/core';
import type { TopLevelSpec } from 'vega-lite';
import { renderChartWithModules, type ChartRenderingSetup, type RenderedChart } from './render-chart-in-process.js';

/** What the main thread posts to a chart worker: one spec to render. */
interface RenderRequest {
  id: number;
  spec: TopLevelSpec;
}

/** What a chart worker posts back: the rendered chart, or why rendering failed. */
type RenderReply = { kind: 'rendered'; id: number; chart: RenderedChart } | { kind: 'failed'; id: number; message: string };

/**
 * The worker's program. It imports vega and vega-lite (from their one-file bundle where the setup names one) and resvg
 * from the URLs it is given (a plain worker cannot load this package's TypeScript source, nor resolve packages from
 * it) as soon as it starts, then renders each spec it is sent with `renderChartWithModules` from that function's own
 * source text, one at a time.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const render = (${renderChartWithModules.toString()});
const { moduleUrls, fonts } = workerData;
const vegas = moduleUrls.vegaBundle
  ? import(moduleUrls.vegaBundle).then(({ vega, vegaLite }) => [vega, vegaLite])
  : Promise.all([import(moduleUrls.vega), import(moduleUrls.vegaLite)]);
const modules = Promise.all([vegas, import(moduleUrls.resvg)]).then(([[vega, vegaLite], resvg]) => ({ vega, vegaLite, resvg }));
modules.catch(() => {}); // a failed import is reported to each render request, not as an uncaught rejection
parentPort.on('message', async ({ id, spec }) => {
  try {
    const chart = await render(await modules, spec, fonts);
    parentPort.postMessage({ kind: 'rendered', id, chart });
  } catch (error) {
    parentPort.postMessage({ kind: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
});
`;

/** One chart to render, from its request to its promise's settling. */
interface ChartJob extends RenderRequest {
  name: string;
  resolve: (chart: RenderedChart) => void;
  reject: (error: Error) => void;
}

/** A worker thread (vega loaded or loading) and the job it is rendering, if any. */
interface ChartWorker {
  thread: Worker;
  job: ChartJob | null;
}

/**
 * Worker threads that render charts, so the thread that asks never loads vega, vega-lite or resvg, and the charts of
 * a report render side by side (up to `size` at once). `start()` starts the workers ahead of the first chart, so they
 * load vega while the caller computes; without it, `render()` starts one for each chart no worker is free for (up to
 * `size`). Jobs wait in one queue and go to whichever worker is free, in order.
 *
 * A worker keeps the process alive only while it renders: an idle one (loading, or done) is unref'd, so a command
 * that never renders, or has written its report, exits as before. A chart that fails rejects with its name in the
 * message; a worker that dies rejects its chart and is replaced for the charts still queued.
 */
export class ChartWorkerPool {
  readonly #workers: ChartWorker[] = [];
  readonly #queue: ChartJob[] = [];
  #nextId = 0;

  constructor(
    readonly size: number,
    readonly setup: ChartRenderingSetup,
  ) {}

  /** Starts the workers not yet running (they begin loading vega at once). */
  start(): void {
    while (this.#workers.length < this.size) this.#started();
  }

  /** Renders `spec` in a worker; `name` (the chart's file name, say) names it in an error. */
  render(spec: TopLevelSpec, name: string): Promise<RenderedChart> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, spec, name, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops every worker; a chart still queued or rendering rejects. */
  async stop(): Promise<void> {
    const workers = this.#workers.splice(0);
    const jobs = [...this.#queue.splice(0), ...workers.flatMap((worker) => (worker.job ? [worker.job] : []))];
    for (const job of jobs) job.reject(new ConfideError('CANCELLED', `chart "${job.name}": the chart renderer was stopped`));
    await Promise.all(workers.map((worker) => worker.thread.terminate()));
  }

  /** A new worker, in the pool. */
  #started(): ChartWorker {
    const thread = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: this.setup });
    const worker: ChartWorker = { thread, job: null };
    thread.on('message', (reply: RenderReply) => {
      const job = worker.job;
      if (job === null || job.id !== reply.id) return;
      worker.job = null;
      thread.unref();
      if (reply.kind === 'rendered') job.resolve(reply.chart);
      else job.reject(new Error(`chart "${job.name}": ${reply.message}`));
      this.#dispatch();
    });
    thread.on('error', (error) => this.#lose(worker, `failed: ${error.message}`));
    thread.on('exit', (code) => this.#lose(worker, `exited (code ${code})`));
    thread.unref(); // after the listeners: adding a 'message' listener refs the worker's port again
    this.#workers.push(worker);
    return worker;
  }

  /** A worker that died: out of the pool, its chart rejected; the charts still queued go on with a fresh one. */
  #lose(worker: ChartWorker, what: string): void {
    const at = this.#workers.indexOf(worker);
    if (at < 0) return; // stopped, or already lost ('error' comes before 'exit')
    this.#workers.splice(at, 1);
    const job = worker.job;
    worker.job = null;
    job?.reject(new ConfideError('SUBPROCESS_FAILED', `chart "${job.name}": the chart worker ${what}`));
    this.#dispatch();
  }

  /** Hands queued jobs to free workers, starting a worker for a job no worker is free for while there are fewer than `size`. */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#workers.find((candidate) => candidate.job === null) ?? (this.#workers.length < this.size ? this.#started() : undefined);
      if (worker === undefined) return;
      this.#send(worker, this.#queue.shift()!);
    }
  }

  /** Gives a free worker `job`: the worker keeps the process alive until the chart comes back. */
  #send(worker: ChartWorker, job: ChartJob): void {
    worker.job = job;
    worker.thread.ref();
    try {
      worker.thread.postMessage({ id: job.id, spec: job.spec } satisfies RenderRequest);
    } catch (error) {
      // a spec that cannot be copied to another thread (a function in it, say)
      worker.job = null;
      worker.thread.unref();
      job.reject(new Error(`chart "${job.name}": ${(error as Error).message}`));
    }
  }
}
