#!/usr/bin/env node
// A stand-in `vllm` executable for tests: records its arguments, listens on --port after a delay, answers /health
// with 503 until it is "loaded", then 200, and /v1/models with the base model and the --lora-modules names, like
// vLLM's OpenAI-compatible server. Behaviour is chosen with variables:
//   FAKE_VLLM_ARGS_FILE       write the arguments there (JSON)
//   FAKE_VLLM_EXIT_CODE       print an error and exit with this code at once
//   FAKE_VLLM_LISTEN_AFTER_MS start listening after this long
//   FAKE_VLLM_READY_AFTER_MS  /health answers 503 until this long after the start
//   FAKE_VLLM_SERVES          list only this model id
//   FAKE_VLLM_IGNORE_TERM     ignore SIGTERM (to test SIGKILL after the grace period)
//   FAKE_VLLM_STOPPED_FILE    written on a clean SIGTERM shutdown
const http = require('node:http');
const fs = require('node:fs');
const args = process.argv.slice(2);
const env = process.env;
if (env.FAKE_VLLM_ARGS_FILE) fs.writeFileSync(env.FAKE_VLLM_ARGS_FILE, JSON.stringify(args));
if (env.FAKE_VLLM_EXIT_CODE) {
  console.error('ValueError: LoRA rank 16 is greater than max_lora_rank 8');
  process.exit(Number(env.FAKE_VLLM_EXIT_CODE));
}
const option = (name) => { const index = args.indexOf(name); return index < 0 ? undefined : args[index + 1]; };
const models = [args[1], ...(option('--lora-modules') ? [option('--lora-modules').split('=')[0]] : [])];
if (env.FAKE_VLLM_SERVES) models.splice(0, models.length, env.FAKE_VLLM_SERVES);
const started = Date.now();
const server = http.createServer((request, response) => {
  const loaded = Date.now() - started >= Number(env.FAKE_VLLM_READY_AFTER_MS || 0);
  if (request.url === '/health') { response.writeHead(loaded ? 200 : 503); response.end(); return; }
  if (request.url === '/v1/models' && loaded) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'vllm' })) }));
    return;
  }
  response.writeHead(404); response.end();
});
setTimeout(() => server.listen(Number(option('--port')), option('--host')), Number(env.FAKE_VLLM_LISTEN_AFTER_MS || 0));
process.on('SIGTERM', () => {
  if (env.FAKE_VLLM_IGNORE_TERM) { console.log('INFO: ignoring SIGTERM'); return; }
  console.log('INFO: Shutting down');
  if (env.FAKE_VLLM_STOPPED_FILE) fs.writeFileSync(env.FAKE_VLLM_STOPPED_FILE, 'stopped');
  server.close(() => process.exit(0));
});
// Announced only once the SIGTERM handler is in place, so a test that stops it on this line cannot race it.
console.log('INFO: Starting vLLM API server on ' + option('--host') + ':' + option('--port'));
