import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRecords, fixtureSource } from '../../tests/models-fixture.js';
import { pageModel, pageView } from '../page/page-model.js';
import { inlinePageSource } from '../page/page-source.js';
import { parseRoute } from '../page/route.js';
import { loadServedSource } from '../page/served-source.js';
import { decodeIndices, decodeProblems, decodeRun } from '../served-columns.js';
import { SERVED_DATA_PATHS, ServedProblem, ViewMeta } from '../served-data.js';
import type { ViewData } from '../view-data.js';
import { buildViewData, type RunViewSource } from './build-view-data.js';
import type { ServedView } from './serve-view.js';
import { serveViewData } from './serve-view-data.js';
import { servedViewDataOf } from './served-view.js';
import { CONTENT_SECURITY_POLICY, SERVED_CONTENT_SECURITY_POLICY } from './write-view-bundle.js';

let data: ViewData;
let served: ServedView;
const get = (path: string, init?: RequestInit) => fetch(new URL(path, served.url), init);
const bytes = async (path: string) => new Uint8Array(await (await get(path)).arrayBuffer());

beforeAll(async () => {
  data = await buildViewData(fixtureSource(), async (gold, response) => ({ correct: response.includes(`{${gold}}`), reason: 'fixture', gold: null, prediction: null }));
  served = await serveViewData(servedViewDataOf(data), '<!doctype html><div id="app"></div>');
});
afterAll(() => served?.close());

describe('a bundle served as columns', () => {
  it('serves the page with a policy that adds connect-src \'self\' and nothing else', async () => {
    const page = await get('/');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toBe(SERVED_CONTENT_SECURITY_POLICY);
    expect(SERVED_CONTENT_SECURITY_POLICY).toBe(`${CONTENT_SECURITY_POLICY}; connect-src 'self'`);
  });

  it('serves the meta, and every run as the columns the self-contained page computes', async () => {
    const meta = ViewMeta.parse(await (await get(SERVED_DATA_PATHS.meta)).json());
    expect(meta.problemCount).toBe(4);
    expect(meta.runs.map((run) => run.label)).toEqual(['small', 'mid', 'large']);
    expect(meta.lost?.map((entry) => entry.count)).toEqual([0, 1, 0]);
    const inline = inlinePageSource(data);
    const problems = decodeProblems(await bytes(SERVED_DATA_PATHS.problems), meta.problemCount);
    expect(Array.from({ length: 4 }, (_, index) => problems.id(index))).toEqual(['p4', 'p1', 'p2', 'p3']);
    for (let run = 0; run < meta.runs.length; run++) {
      const decoded = decodeRun(await bytes(SERVED_DATA_PATHS.run(run)), run, meta.problemCount, false);
      for (const [name, values] of Object.entries(inline.columns[run]!)) expect(Array.from(decoded.columns[name as keyof typeof decoded.columns] as ArrayLike<unknown>), `run ${run} column ${name}`).toEqual(Array.from(values as ArrayLike<unknown>));
      for (const [key, order] of Object.entries(decoded.orders)) expect(Array.from(order), `run ${run} order ${key}`).toEqual(Array.from(inline.sortOrder(run, key as keyof typeof decoded.orders)));
    }
    // the small model's P(c) (p4 has none) and its costs, as the fixture says
    const small = decodeRun(await bytes(SERVED_DATA_PATHS.run(0)), 0, 4, false).columns;
    expect(Array.from(small.pConfident).map((value) => (Number.isNaN(value) ? null : value))).toEqual([null, 0.9, 0.6, 0.3]);
    expect(Array.from(small.answerCost)).toEqual([10_000, 10_000, 10_000, 10_000]);
  });

  it('serves a problem with every answer, and a search as indices', async () => {
    const problem = ServedProblem.parse(await (await get(SERVED_DATA_PATHS.problem(1))).json());
    expect(problem.id).toBe('p1');
    expect(problem.question).toBe('What is p1?');
    expect(problem.answers.map((answer) => answer.record.grade.score)).toEqual([1, 0.5, 1]);
    expect(problem.answers[0]!.calls[0]!.costUsd).toBeCloseTo(0.0001, 12);
    expect(Array.from(decodeIndices(await bytes(SERVED_DATA_PATHS.search('WHAT IS P2')), 4))).toEqual([2]);
    expect(Array.from(decodeIndices(await bytes(SERVED_DATA_PATHS.search('boxed{0}')), 4))).toEqual([0, 3]);
    expect(Array.from(decodeIndices(await bytes(SERVED_DATA_PATHS.search('nothing like it')), 4))).toEqual([]);
  });

  it('answers 404 past the last problem or run, and 405 to anything but GET and HEAD', async () => {
    expect((await get(SERVED_DATA_PATHS.problem(4))).status).toBe(404);
    expect((await get(SERVED_DATA_PATHS.run(3))).status).toBe(404);
    expect((await get('/data/../package.json')).status).toBe(404);
    expect((await get(SERVED_DATA_PATHS.meta, { method: 'POST' })).status).toBe(405);
    expect((await get(SERVED_DATA_PATHS.meta, { method: 'HEAD' })).status).toBe(200);
  });

  it('reading refuses columns of the wrong type or length, naming them', async () => {
    const run = await bytes(SERVED_DATA_PATHS.run(0));
    expect(() => decodeRun(run, 0, 5, false)).toThrow('the served run 0: 4 rows, expected 5');
    expect(() => decodeRun(run, 0, 4, true)).toThrow('no column "threshold_score"');
    const problems = await bytes(SERVED_DATA_PATHS.problems);
    expect(() => decodeRun(problems, 0, 4, false)).toThrow('no column "level"');
    expect(() => ServedProblem.parse({ id: 'p1', question: null, answers: [{ record: {}, math: {}, calls: [] }] })).toThrow();
  });
});

describe('the page over a served run, in Node', () => {
  it('reads the columns a server sends and computes the numbers, sweeps and selections the inline page does', async () => {
    const models = fixtureSource();
    // a run bundle: the small run delegating to the large one on its P(c) (p4 has none: delegated at every threshold)
    const runSource: RunViewSource = {
      ...models,
      kind: 'run',
      run: { id: 'fixture-small', label: 'small', records: fixtureRecords('small') },
      large: { id: 'fixture-large', label: 'large', records: fixtureRecords('large') },
      score: { score: 'p-confident', direction: 'keep-high', label: 'P(c)' },
    };
    const grade = async () => ({ correct: true, reason: 'fixture', gold: null, prediction: null });
    for (const source of [models, runSource]) {
      const bundle = await buildViewData(source, grade);
      const server = await serveViewData(servedViewDataOf(bundle), '');
      try {
        const [inline, fromServer] = [pageModel(inlinePageSource(bundle)), pageModel(await loadServedSource(server.url.replace(/\/$/, '')))];
        expect(fromServer.meta).toEqual(inline.meta);
        expect(fromServer.means).toEqual(inline.means);
        expect(fromServer.summary).toEqual(inline.summary);
        expect(fromServer.scores).toEqual(inline.scores);
        const route = parseRoute('#/threshold');
        const [inlineView, servedView] = [pageView(inline, route), pageView(fromServer, route)];
        expect(servedView.threshold?.points).toEqual(inlineView.threshold?.points);
        expect(servedView.threshold?.points.length).toBeGreaterThan(1);
        for (let k = 0; k < inlineView.threshold!.points.length; k++) {
          for (let index = 0; index < 4; index++) expect(servedView.threshold!.delegated(index, k)).toBe(inlineView.threshold!.delegated(index, k));
        }
        // a served run offers no compare view: it holds no records to resample
        expect(servedView.comparison).toBeNull();
        expect(inlineView.comparison).not.toBeNull();
        // a problem and a search arrive later, then match the inline page's
        expect(fromServer.problem(2)).toEqual({ state: 'loading' });
        expect(fromServer.search('what is p3')).toEqual({ state: 'loading' });
        await new Promise<void>((done) => {
          const stop = fromServer.subscribe(() => {
            if (fromServer.problem(2).state !== 'loading' && fromServer.search('what is p3').state !== 'loading') {
              stop();
              done();
            }
          });
        });
        expect(fromServer.problem(2)).toEqual({ state: 'ready', value: JSON.parse(JSON.stringify(bundle.problems[2])) });
        expect(fromServer.search('what is p3')).toEqual(inline.search('what is p3'));
        expect(Array.from((inline.search('what is p3') as { value: Uint8Array }).value)).toEqual([0, 0, 0, 1]);
        expect(fromServer.problem(9)).toEqual({ state: 'loading' });
        await new Promise<void>((done) => fromServer.subscribe(done));
        expect(fromServer.problem(9)).toMatchObject({ state: 'failed', message: expect.stringContaining('404') });
      } finally {
        await server.close();
      }
    }
  });
});
