import { InvalidConfigError } from '@confide/core';
import { inspectAiFormat } from './formats/inspect-ai.js';
import { lmEvalFormat } from './formats/lm-eval.js';
import { openAiEvalsFormat } from './formats/openai-evals.js';
import { openRouterBenchFormat } from './formats/openrouterbench.js';
import { promptfooFormat } from './formats/promptfoo.js';
import { routerArenaFormat } from './formats/router-arena.js';
import { routerBenchWideFormat } from './formats/routerbench-wide.js';
import { routerArenaPredictionsFormat } from './router-arena-predictions.js';
import type { PeerLogFormat } from './peer-log-format.js';

/** Every log format Confide reads, in the order detection tries them: adding a format is a file and a line here. */
export const PEER_LOG_FORMATS: readonly PeerLogFormat[] = [inspectAiFormat, lmEvalFormat, routerArenaFormat, routerArenaPredictionsFormat, openAiEvalsFormat, promptfooFormat, openRouterBenchFormat, routerBenchWideFormat];

/** The format `--format` names; an unknown name lists the known ones. */
export function peerLogFormat(name: string): PeerLogFormat {
  const format = PEER_LOG_FORMATS.find((candidate) => candidate.name === name);
  if (format === undefined) throw new InvalidConfigError(`--format ${name}: unknown log format (formats: ${PEER_LOG_FORMATS.map((known) => known.name).join(', ')})`);
  return format;
}

/** The first format that recognises the path, or undefined (the generic table importer then reads it). */
export async function detectPeerLogFormat(path: string): Promise<PeerLogFormat | undefined> {
  for (const format of PEER_LOG_FORMATS) if (await format.detect(path)) return format;
  return undefined;
}
