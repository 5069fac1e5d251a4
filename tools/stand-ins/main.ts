/**
 * Starts a stand-in server from the command line and prints its URL on stdout, e.g.
 *   node --import tsx tools/stand-ins/main.ts openai --latency-ms 200 --fault-rate 0.3
 * Runs until killed. `openai` serves OpenAI's and vLLM's chat completions at <url>/v1; `gemini` the Gemini API at <url>.
 */
import { parseArgs } from 'node:util';
import { defaultResponder } from './default-responder.js';
import { spreadFaults } from './fault-plan.js';
import { startGeminiStandIn } from './gemini-stand-in.js';
import { startOpenAIStandIn } from './openai-stand-in.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'latency-ms': { type: 'string', default: '0' },
    'fault-rate': { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    'api-key': { type: 'string' },
  },
});
const protocol = positionals[0];
if (protocol !== 'openai' && protocol !== 'gemini') {
  process.stderr.write('usage: main.ts openai|gemini [--latency-ms N] [--fault-rate R] [--seed S] [--api-key K]\n');
  process.exit(2);
}
const options = {
  responder: defaultResponder({ thinking: protocol === 'gemini' }),
  latencyMs: Number(values['latency-ms']),
  faults: { rates: spreadFaults(Number(values['fault-rate'])), seed: Number(values.seed), retryAfterSeconds: 1, timeoutHoldMs: 30_000 },
  ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
};
const server = protocol === 'openai' ? await startOpenAIStandIn(options) : await startGeminiStandIn(options);
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => {
  process.stderr.write(`stand-in: ${server.billing.requests} requests, ${server.billing.entries.length} billed, at most ${server.peakInFlight()} at once\n`);
  void server.close().then(() => process.exit(0));
});
