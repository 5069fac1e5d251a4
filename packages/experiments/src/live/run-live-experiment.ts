import { readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import {
  InvalidConfigError,
  isFailedRecord,
  RunRecord,
  TokenConfidenceOptions,
  type PipelineCheck,
  type Evaluator,
  type PluginContext,
  type PluginRegistry,
  type PluginUse,
  type Problem,
  type RouteDecision,
  type RunLookup,
} from '@confide/core';
import {
  datasetLabel,
  entryKey,
  gitState,
  hasLogprobsSidecar,
  loadProblems,
  LOGPROBS_FOLDER,
  LogprobsSidecarWriter,
  MANIFEST_FILE,
  packageVersions,
  PRICE_TABLE_FILE,
  PROBLEMS_FILE,
  RECORDS_FILE,
  resolvePriceTable,
  RUN_CONFIG_FILE,
  RunStore,
  readLogprobsSidecar,
  STAGES_FOLDER,
  writeFileAtomic,
  writeLogprobsSidecar,
  writeProblemsFile,
  writeRunDirectory,
  type HubConnection,
  type RunDirectoryToWrite,
} from '@confide/data';
import { cascade, delegate, type CostLedger } from '@confide/routing';
import { Budget, canonicalJson, isLiveModelClient, type LiveModelClient, type ScheduledModelClient } from '@confide/inference';
import type { StopReason } from '../outcome.js';
import { RunClients } from '../run-folder/run-clients.js';
import { stopReasonOf } from '../run-folder/stop-reason.js';
import { liveSource, type LiveSource } from './live-source.js';
import { LoggedDecision, loggedRouter } from './logged-router.js';
import { RunProgress } from './run-progress.js';
import { COST_ACCOUNTING } from '@confide/metrics';
import { runFolderMode, withRunFolder, type RunFolderFlags } from '../run-folder/open-run-folder.js';
import { resolveRouterChoice, type RouterChoice } from '../run-folder/routing-policy-file.js';
import { StageLog } from '../run-folder/stage-log.js';
import { liveRoutingOf, type LiveExperiment, type LiveRouting, type ModelSlot, type OrchestratorSlot } from './live-experiment.js';
import { summariseLiveRun, type LiveRunSummary } from './live-run-summary.js';
import { liveRunReport } from './live-run-report.js';
import { runIdentity, SHARD_MANIFEST_FILE, shardManifest, writeShardManifest } from '../shard/shard-manifest.js';
import { shardOf, type ShardSpec } from '../shard/shard-partition.js';

/** The plugin context of a live run: routers that call a model (a live orchestrator) find their client here. */


export interface LiveRunOptions extends RunFolderFlags {
  experiment: LiveExperiment;
  registry: PluginRegistry;
  /** The run directory: stage logs while it runs; manifest, records and report when it completes. */
  outFolder: string;
  /** Set by a pipeline whose model is a tiny random one: every reader of the run says it is not a result. */
  pipelineCheck?: PipelineCheck | null;
  /** Hard cap in US dollars on the run's ledger. */
  budgetUsd?: number;
  /** SQLite file of the response cache; null for none. */
  cachePath?: string | null;
  /** Stops new requests (first Ctrl-C): what is in flight finishes and is written. */
  stopSignal?: AbortSignal;
  /** Cancels requests in flight too (second Ctrl-C). */
  abortSignal?: AbortSignal;
  /** Progress and messages, on stderr in the CLI. */
  write?: (text: string) => void;
  interactive?: boolean;
  problems?: readonly Problem[];
  /** The experiment's folder: a dataset file it names is relative to it. */
  baseFolder?: string;
  /** The command's run store, relative to the experiment's folder: core/replay and core/recorded read runs through it. */
  runs?: RunLookup;
  /** The command that resumes this run, for the message of a stopped run. */
  resumeCommand?: string;
  /** Where a hub dataset (`dataset: "hf://datasets/…"`) comes from: the hub connection and the cache folder. */
  hub?: { connection?: HubConnection; cacheFolder?: string; offline?: boolean };
  /**
   * Run one shard of the problems (`--shard i/n`): its share in sha256(problem id) order, with `shard.json` (which
   * shard, its ids' hash, the run's identity) written at the start. `confideVersion` is part of that identity.
   */
  shard?: { spec: ShardSpec; confideVersion: string; experimentFolder?: string };
  /** A merge of shards: every answer is in the stage logs already, and nothing may be sent (the budget is their cost). */
  recordedOnly?: boolean;
}

interface LiveRunFigures {
  /** What happened, in a line: the score and cost of a complete run; why a stopped run stopped, with what to do next. */
  message: string;
  spentUsd: number;
  estimateUpperUsd: number;
  files: string[];
}

/** How a live run ended: complete with its summary, or stopped for a typed reason (it resumes with --resume). */
export type LiveRunResult = ({ status: 'complete'; summary: LiveRunSummary } | { status: 'stopped'; reason: StopReason }) & LiveRunFigures;

/** Sub-folders where a complete live run writes each model's graded answers as a run directory of its own. */
export const SIDE_RUN_FOLDERS = { small: 'small', large: 'large' } as const;
/** Where a K-model run writes each listed model's graded answers: `models/<label>`. */
export const MODEL_RUN_FOLDER = 'models';

/** One model that answers problems in the run: a pair's side or a listed model, with its log, lane and run folder. */
interface AnswerModel {
  label: string;
  slot: ModelSlot;
  /** Where the slot is in the experiment file, for errors. */
  slotName: string;
  /** Its scheduler lane and progress name (`small`, `large`, `model:<label>`); also its source's label. */
  lane: string;
  logFile: string;
  sideFolder: string;
}

function answerModelsOf(routing: LiveRouting): AnswerModel[] {
  if (routing.form === 'pair') {
    return (['small', 'large'] as const).map((side) => ({ label: side, slot: routing[side], slotName: side, lane: side, logFile: `${side}.jsonl`, sideFolder: SIDE_RUN_FOLDERS[side] }));
  }
  return routing.models.map((entry, index) => ({
    label: entry.label,
    slot: entry.model,
    slotName: `models.${index}.model`,
    lane: `model:${entry.label}`,
    logFile: `model-${entry.label}.jsonl`,
    sideFolder: join(MODEL_RUN_FOLDER, entry.label),
  }));
}

function createLiveClient(registry: PluginRegistry, slotName: string, slot: ModelSlot | OrchestratorSlot, context: PluginContext) {
  const created = registry.create('model', slot.client.id, slot.client.options, context);
  if (!isLiveModelClient(created.instance)) {
    throw new InvalidConfigError(`${slotName}.client: "${slot.client.id}" is not a live model client`);
  }
  return { client: created.instance, use: created.use };
}

/**
 * Runs a live experiment: generate → grade → route → delegate → metrics → report, through the same delegation
 * engine as the offline paper job. Every answer is appended to a stage log as it completes; a stopped or killed run
 * resumes from them without sending a finished request again. The budget is reserved before each request.
 */
export async function runLiveExperiment(options: LiveRunOptions): Promise<LiveRunResult> {
  liveRoutingOf(options.experiment); // keys that do not go together fail before a folder is made
  // a start that produced nothing (a missing key, a bad option, an unreachable server) leaves no folder to trip on
  return withRunFolder(
    {
      folder: options.outFolder,
      mode: runFolderMode(options),
      kind: 'live run',
      command: options.command ?? `confide run --out ${options.outFolder}`,
      configFile: RUN_CONFIG_FILE,
      carriedFiles: [PROBLEMS_FILE, PRICE_TABLE_FILE, ...(options.shard ? [SHARD_MANIFEST_FILE] : [])],
      finishedFile: MANIFEST_FILE,
      configText: canonicalJson(options.experiment),
      isEmpty: holdsNoAnswer,
      ...(options.breakLock ? { breakLock: true } : {}),
      ...(options.write ? { write: options.write } : {}),
    },
    (runFolder) => runLiveExperimentIn(options, runFolder.resuming),
  );
}

/** Where a stage log's answers keep their token logprobs: `stages/small.jsonl` → `stages/small.logprobs/`. */
export function stageSidecarFolder(logPath: string): string {
  return logPath.replace(/\.jsonl$/, '.logprobs');
}

/**
 * A side run's logprobs sidecar (`<side>/logprobs/`), written whole from its stage's with the answers of its records
 * only, in their order; null when the stage kept none (its client recorded no logprobs).
 */
function writeSideRunSidecar(stageFolder: string, runFolder: string, records: readonly RunRecord[]): string | null {
  if (!hasLogprobsSidecar(stageFolder)) return null;
  const source = readLogprobsSidecar(stageFolder, { unfinished: true })!;
  const byKey = new Map(source.entries.map((entry) => [entryKey(entry.problemId, entry.model), entry]));
  const copies = records.flatMap((record) => {
    const entry = byKey.get(entryKey(record.problemId, record.generation.model));
    return entry === undefined ? [] : [{ source, entry }];
  });
  return writeLogprobsSidecar(join(runFolder, LOGPROBS_FOLDER), copies);
}

/** A stage log counts as empty when it holds no answer: nothing, or only requests that failed (retried on a rerun). */
function holdsNoAnswer(path: string): boolean {
  if (statSync(path).size === 0) return true;
  if (!path.endsWith('.jsonl') || basename(path) === 'routes.jsonl') return false;
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .every((line) => {
      try {
        const parsed = RunRecord.safeParse(JSON.parse(line));
        return parsed.success && isFailedRecord(parsed.data);
      } catch {
        return false; // a line cut short by a kill: something was being written, keep it
      }
    });
}

async function runLiveExperimentIn(options: LiveRunOptions, resuming: boolean): Promise<LiveRunResult> {
  const { experiment, registry } = options;
  const write = options.write ?? (() => undefined);
  const prices = resolvePriceTable(experiment.priceTable, options.baseFolder);
  const loaded = options.problems
    ? { problems: [...options.problems], reference: datasetLabel(experiment.dataset) }
    : await loadProblems(experiment.dataset, { ...options.hub, ...(options.baseFolder ? { baseFolder: options.baseFolder } : {}) });
  const all = loaded.problems;
  const wholeRun = experiment.limit === undefined ? all : all.slice(0, experiment.limit);
  const problems = options.shard ? shardOf(wholeRun, options.shard.spec) : wholeRun;
  if (options.shard) write(`run: shard ${options.shard.spec.index}/${options.shard.spec.count}: ${problems.length} of ${wholeRun.length} problems\n`);

  // ---- run directory: opened (locked, fresh or resumed) by runLiveExperiment; the run's config, problems and prices
  const runConfig = canonicalJson(experiment);
  const configPath = join(options.outFolder, RUN_CONFIG_FILE);
  const stagesFolder = join(options.outFolder, STAGES_FOLDER);
  if (!resuming) {
    rmSync(stagesFolder, { recursive: true, force: true });
    writeFileAtomic(configPath, runConfig + '\n');
  }
  // what the run carries, written first so that even an unfinished run can be read anywhere
  const problemsPath = writeProblemsFile(options.outFolder, problems);
  writeFileAtomic(join(options.outFolder, PRICE_TABLE_FILE), JSON.stringify(prices, null, 2) + '\n');
  if (options.shard) {
    const identity = runIdentity({ experiment, prices, problems: wholeRun, confideVersion: options.shard.confideVersion });
    writeShardManifest(options.outFolder, shardManifest(options.shard.spec, problems, identity, options.shard.experimentFolder));
  }

  const routing = liveRoutingOf(experiment);
  const answerModels = answerModelsOf(routing);
  const answerLogs = answerModels.map((model) => new StageLog(join(stagesFolder, model.logFile), RunRecord));
  const routeLog = new StageLog(join(stagesFolder, 'routes.jsonl'), LoggedDecision);
  const usable = (records: RunRecord[]) => new Map(records.filter((record) => !isFailedRecord(record)).map((record) => [record.problemId, record]));
  const resumedAnswers = answerLogs.map((log) => usable(log.read()));
  const resumedRoutes = new Map<string, RouteDecision>(routeLog.read().map((entry) => [entry.problemId, entry.decision]));
  const escalationLogs = experiment.escalations.map((entry) => new StageLog(join(stagesFolder, `escalation-${entry.name}.jsonl`), RunRecord));
  const resumedEscalations = escalationLogs.map((log) => usable(log.read()));
  const peerLogs = Object.fromEntries(Object.keys(experiment.peers).map((name) => [name, new StageLog(join(stagesFolder, `peer-${name}.jsonl`), RunRecord)]));
  const resumedPeers = Object.fromEntries(Object.entries(peerLogs).map(([name, log]) => [name, usable(log.read())]));

  // ---- clients, scheduler, cache, budget ----------------------------------------------------------------------
  const runs = options.runs ?? new RunStore();
  const baseContext: PluginContext = { priceTable: prices, runs };
  const answerClients = answerModels.map((model) => createLiveClient(registry, model.slotName, model.slot, baseContext));
  const orchestrator = experiment.orchestrator ? createLiveClient(registry, 'orchestrator', experiment.orchestrator, baseContext) : undefined;
  const escalationClients = experiment.escalations.map((entry) => createLiveClient(registry, `escalations.${entry.name}`, entry.model, baseContext));
  const peerClients = Object.fromEntries(Object.entries(experiment.peers).map(([name, slot]) => [name, createLiveClient(registry, `peers.${name}`, slot, baseContext)]));
  const evaluatorUse = registry.create('evaluator', experiment.evaluator.id, experiment.evaluator.options, baseContext);
  const evaluator: Evaluator = evaluatorUse.instance;

  let priorSpent = 0;
  const priorBudget = new Budget(prices);
  for (const record of [...resumedAnswers, ...Object.values(resumedPeers), ...resumedEscalations].flatMap((log) => [...log.values()])) priorSpent += priorBudget.cost(record.generation.model, record.generation.usage);
  for (const decision of resumedRoutes.values()) {
    if (decision.routerModel !== undefined && decision.routerUsage !== undefined) priorSpent += priorBudget.cost(decision.routerModel, decision.routerUsage);
  }
  // The progress line is made once the estimate is known; the clients report to it from the start.
  const display: { progress?: RunProgress } = {};
  const runClients = new RunClients({
    prices,
    budgetUsd: options.recordedOnly ? priorSpent / 1e8 : options.budgetUsd,
    priorSpentUsd: priorSpent / 1e8,
    retry: experiment.retry,
    cachePath: options.cachePath,
    onSchedulerEvent: (event) => display.progress?.onScheduler(event),
  });
  const { budget, scheduler } = runClients;
  const laneOf = (slot: ModelSlot | OrchestratorSlot) => ({
    concurrency: slot.concurrency,
    ...(slot.requestsPerMinute !== undefined ? { requestsPerMinute: slot.requestsPerMinute } : {}),
    ...(slot.tokensPerMinute !== undefined ? { tokensPerMinute: slot.tokensPerMinute } : {}),
  });
  for (const model of answerModels) runClients.lane(model.lane, laneOf(model.slot));
  if (experiment.orchestrator) runClients.lane('orchestrator', laneOf(experiment.orchestrator));
  for (const [name, slot] of Object.entries(experiment.peers)) runClients.lane(`peer:${name}`, laneOf(slot));
  for (const entry of experiment.escalations) runClients.lane(`escalation:${entry.name}`, laneOf(entry.model));

  const scheduled = (side: string, client: LiveModelClient) => runClients.scheduleLive(side, client, (event) => display.progress?.onCall(side, event));
  const orchestratorClient = orchestrator ? scheduled('orchestrator', orchestrator.client) : undefined;

  // each stage log's logprobs sidecar (files only once a client records logprobs), resumed with the answers its log kept
  const summaryWindows = TokenConfidenceOptions.parse(experiment.tokenConfidence ?? {});
  const sidecars: LogprobsSidecarWriter[] = [];
  const sidecarOf = (log: StageLog<typeof RunRecord>, resumed: Map<string, RunRecord>) => {
    const sidecar = new LogprobsSidecarWriter(stageSidecarFolder(log.path), (entry) => resumed.get(entry.problemId)?.generation.model === entry.model);
    sidecars.push(sidecar);
    return sidecar;
  };
  const source = (label: string, slot: ModelSlot, client: ScheduledModelClient, log: StageLog<typeof RunRecord>, resumed: Map<string, RunRecord>): LiveSource =>
    liveSource({
      label,
      runId: experiment.name,
      client,
      evaluator,
      prompt: slot.prompt,
      parameters: {
        maxOutputTokens: slot.maxOutputTokens,
        ...(slot.temperature !== undefined ? { temperature: slot.temperature } : {}),
        ...(slot.seed !== undefined ? { seed: slot.seed } : {}),
      },
      log,
      resumed,
      logprobs: { sidecar: sidecarOf(log, resumed), summary: summaryWindows },
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });
  const answerSources = answerModels.map((model, index) => source(model.lane, model.slot, scheduled(model.lane, answerClients[index]!.client), answerLogs[index]!, resumedAnswers[index]!));
  const peerSources = Object.fromEntries(
    Object.entries(experiment.peers).map(([name, slot]) => [
      name,
      source(`peer:${name}`, slot, scheduled(`peer:${name}`, peerClients[name]!.client), peerLogs[name]!, resumedPeers[name]!),
    ]),
  );
  const createRouter = (choice: RouterChoice, context: PluginContext) => {
    const resolved = resolveRouterChoice(choice, options.baseFolder);
    return registry.create('router', resolved.id, resolved.options, context);
  };
  const escalationStages = experiment.escalations.map((entry, index) => ({
    source: source(`escalation:${entry.name}`, entry.model, scheduled(`escalation:${entry.name}`, escalationClients[index]!.client), escalationLogs[index]!, resumedEscalations[index]!),
    routerUse: createRouter(entry.router, { priceTable: prices, runs }),
  }));
  const recordedRoutes = experiment.recordedRoutes
    ? new Map(runs.records(experiment.recordedRoutes).flatMap((record) => (record.route ? [[record.problemId, record.route] as const] : [])))
    : undefined;

  const routerContext: PluginContext = { priceTable: prices, runs, modelClients: orchestratorClient ? { orchestrator: orchestratorClient } : {} };
  // the router (a cascade over listed models: its first stage's rule, logged like a pair cascade's) and later rules
  const routerUse = createRouter(routing.form === 'models-cascade' ? routing.rules[0]! : routing.router, routerContext);
  const laterRules = routing.form === 'models-cascade' ? routing.rules.slice(1).map((rule) => createRouter(rule, { priceTable: prices, runs })) : [];
  const router = loggedRouter(routerUse.instance, routeLog, resumedRoutes);

  // ---- estimate: the worst case from max tokens for what is left ---------------------------------------------
  // A problem whose logged route kept the small answer needs no large call (a cascade's stages decide anew: counted).
  // Among listed models, a router deciding before generation calls one model per problem: the dearest is counted.
  const oneModelPerProblem = routing.form === 'models' && routerUse.instance.capabilities.decides === 'before-generation';
  let upperBound = 0;
  for (const problem of problems) {
    const keptOnSmall = routing.form === 'pair' && escalationStages.length === 0 && resumedRoutes.get(problem.id)?.target === 'small';
    const costs = answerModels.map((_, index) =>
      resumedAnswers[index]!.has(problem.id) || (index > 0 && keptOnSmall) ? 0 : budget.cost(answerClients[index]!.client.model, answerClients[index]!.client.maxUsage(answerSources[index]!.request(problem))),
    );
    upperBound += oneModelPerProblem ? Math.max(...costs) : costs.reduce((sum, cost) => sum + cost, 0);
    for (const [name, peer] of Object.entries(peerClients)) {
      if (!resumedPeers[name]!.has(problem.id)) upperBound += budget.cost(peer.client.model, peer.client.maxUsage(peerSources[name]!.request(problem)));
    }
  }
  const estimateUpperUsd = budget.spentUsd + upperBound / 1e8;
  const recordedCounts =
    routing.form === 'pair' ? `${resumedAnswers[0]!.size} small and ${resumedAnswers[1]!.size} large` : answerModels.map((model, index) => `${resumedAnswers[index]!.size} ${model.label}`).join(', ');
  const answeredBy = routing.form === 'pair' ? 'both models' : oneModelPerProblem ? 'the dearest listed model' : `all ${answerModels.length} listed models`;
  write(
    `run: ${experiment.name}: ${problems.length} problems${resuming ? `, resuming (${recordedCounts} answers recorded)` : ''}; ` +
      `cost at most $${estimateUpperUsd.toFixed(6)} (${COST_ACCOUNTING.allCalls}: what is recorded, plus every problem left answered by ${answeredBy} at max tokens` +
      `${orchestrator !== undefined || escalationStages.length > 0 ? "; the orchestrator's and escalations' calls are not in this bound" : ''})` +
      (options.budgetUsd !== undefined ? `; budget $${options.budgetUsd.toFixed(6)}` : '') +
      '\n',
  );
  if (options.budgetUsd !== undefined && options.budgetUsd < estimateUpperUsd) {
    write(`run: the budget is below that bound: the run stops before a request could take the ledger past $${options.budgetUsd.toFixed(6)}\n`);
  }
  const progress = new RunProgress(problems.length, budget, upperBound / 1e8, write, options.interactive ?? false, 0);
  display.progress = progress;

  // ---- delegate ----------------------------------------------------------------------------------------------
  const stop = new AbortController();
  const onStop = () => {
    stop.abort();
    scheduler.stop();
  };
  options.stopSignal?.addEventListener('abort', onStop, { once: true });
  let records: RunRecord[] | undefined;
  let ledger: CostLedger | undefined;
  let failure: unknown;
  try {
    const routed = {
      runId: experiment.name,
      problems,
      router,
      peers: peerSources,
      ...(recordedRoutes ? { recordedRoutes } : {}),
      prices,
      concurrency: experiment.concurrency,
      signal: stop.signal,
      onProgress: (done: number) => progress.onProblemDone(done),
    };
    const result =
      routing.form === 'pair' && escalationStages.length > 0
        ? // with escalations the run is a cascade (small → each escalation → large, every stage's rule keeping or escalating)
          await cascade({
            runId: experiment.name,
            problems,
            stages: [
              { source: answerSources[0]!, router },
              ...escalationStages.map((stage) => ({ source: stage.source, router: stage.routerUse.instance })),
              { source: answerSources[1]! },
            ],
            prices,
          })
        : routing.form === 'pair'
          ? await delegate({ ...routed, small: answerSources[0]!, large: answerSources[1]! })
          : routing.form === 'models'
            ? await delegate({ ...routed, models: answerModels.map((model, index) => ({ label: model.label, source: answerSources[index]! })) })
            : // the listed models as a chain, in order: the first rule is `router`, then each later stage's own
              await cascade({
                runId: experiment.name,
                problems,
                stages: answerModels.map((model, index) => ({
                  source: answerSources[index]!,
                  label: model.label,
                  ...(index === 0 ? { router } : index < answerModels.length - 1 ? { router: laterRules[index - 1]!.instance } : {}),
                })),
                prices,
              });
    records = result.records;
    ledger = result.ledger;
  } catch (error) {
    failure = error;
    onStop();
  } finally {
    options.stopSignal?.removeEventListener('abort', onStop);
    // Whatever is in flight finishes and is written before we return.
    await Promise.all([
      ...answerSources.map((answerSource) => answerSource.settled()),
      ...Object.values(peerSources).map((peer) => peer.settled()),
      ...escalationStages.map((stage) => stage.source.settled()),
      runClients.close(),
    ]);
    progress.finish();
    for (const log of answerLogs) log.close();
    for (const sidecar of sidecars) sidecar.close();
    routeLog.close();
    for (const log of [...Object.values(peerLogs), ...escalationLogs]) log.close();
  }

  if (failure !== undefined || records === undefined || ledger === undefined) {
    const reason = stopReasonOf(failure);
    if (reason === undefined) throw failure;
    const stoppedBy =
      reason === 'budget'
        ? `stopped: ${(failure as Error).message}. Nothing past the budget was sent. Spent $${budget.spentUsd.toFixed(6)}.`
        : `stopped: cancelled. Requests in flight were finished and written. Spent $${budget.spentUsd.toFixed(6)}.`;
    const resume = options.resumeCommand ?? `confide run <experiment> --out ${options.outFolder} --resume${options.budgetUsd !== undefined ? ' --budget <more>' : ''}`;
    return {
      status: 'stopped',
      reason,
      message: `${stoppedBy} Continue with: ${resume}`,
      spentUsd: budget.spentUsd,
      estimateUpperUsd,
      files: [...answerLogs.map((log) => log.path), routeLog.path, ...[...Object.values(peerLogs), ...escalationLogs].map((log) => log.path)],
    };
  }

  // ---- metrics and report ------------------------------------------------------------------------------------
  const otherGrades: Array<{ use: PluginUse; evaluator: Evaluator }> = experiment.alsoGradeWith.map((choice) => {
    const created = registry.create('evaluator', choice.id, choice.options, baseContext);
    return { use: created.use, evaluator: created.instance };
  });
  const summary = await summariseLiveRun({
    experiment,
    records,
    ledger,
    otherGrades,
    spentUsd: budget.spentUsd,
    ...(routing.form === 'pair' ? {} : { labels: answerModels.map((model) => model.label) }),
  });
  await evaluator.close();
  for (const other of otherGrades) await other.evaluator.close();

  const plugins: PluginUse[] = [
    ...answerClients.map((client) => client.use),
    ...(orchestrator ? [orchestrator.use] : []),
    ...Object.values(peerClients).map((peer) => peer.use),
    ...escalationClients.map((client) => client.use),
    ...escalationStages.map((stage) => stage.routerUse.use),
    routerUse.use,
    ...laterRules.map((rule) => rule.use),
    evaluatorUse.use,
    ...otherGrades.map((other) => other.use),
  ];
  const replayOnly = plugins.filter((use) => use.kind === 'model').every((use) => use.id === 'core/replay');
  const manifest: RunDirectoryToWrite['manifest'] = {
    runId: experiment.name,
    description: experiment.title,
    dataset: loaded.reference,
    config: experiment as unknown as Record<string, unknown>,
    plugins,
    git: gitState(),
    packageVersions: packageVersions(),
    priceTable: prices,
    source: { kind: replayOnly ? 'replay' : 'live', origin: 'confide run', files: [] },
    pipelineCheck: options.pipelineCheck ?? null,
    records: records.length,
  };
  writeRunDirectory(options.outFolder, { manifest, records, problems: { path: basename(problemsPath) } });
  // Each model's graded answers as a run of its own, so another experiment can name `<run>/small` (an ablation's small
  // side, a replay client's run) like any recorded run.
  const sideFiles: string[] = [];
  for (const [index, model] of answerModels.entries()) {
    const sideRecords = answerLogs[index]!.read().filter((record) => !isFailedRecord(record));
    const folder = join(options.outFolder, model.sideFolder);
    writeRunDirectory(folder, {
      manifest: {
        ...manifest,
        runId: `${experiment.name}/${model.sideFolder}`,
        description: `${experiment.title}: the ${model.label} model's graded answers`,
        plugins: [answerClients[index]!.use, evaluatorUse.use, ...otherGrades.map((other) => other.use)],
        records: sideRecords.length,
      },
      records: sideRecords,
      problems: { path: relative(folder, problemsPath) },
    });
    sideFiles.push(join(folder, MANIFEST_FILE), join(folder, RECORDS_FILE));
    const logprobsFile = writeSideRunSidecar(stageSidecarFolder(answerLogs[index]!.path), folder, sideRecords);
    if (logprobsFile !== null) sideFiles.push(logprobsFile);
  }
  const reportPath = join(options.outFolder, 'report.md');
  const summaryPath = join(options.outFolder, 'summary.json');
  writeFileAtomic(reportPath, liveRunReport(summary));
  // summary.json names every plugin used as the manifest does (validated options; a user's module with its hash)
  writeFileAtomic(summaryPath, JSON.stringify({ ...summary, plugins }, null, 2) + '\n');
  return {
    status: 'complete',
    message: `${summary.accuracy.correct}/${summary.accuracy.total} correct, $${summary.costUsd.answers.toFixed(6)} (answers), $${summary.costUsd.allCalls.toFixed(6)} all calls`,
    summary,
    spentUsd: budget.spentUsd,
    estimateUpperUsd,
    files: [join(options.outFolder, MANIFEST_FILE), join(options.outFolder, RECORDS_FILE), reportPath, summaryPath, ...sideFiles],
  };
}
