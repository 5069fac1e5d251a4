import { parseArgs } from 'node:util';
import { startHubStandIn } from './hub-stand-in.js';

/**
 * Runs the hub stand-in from the command line:
 *   node --import tsx tools/hub-stand-in/src/main.ts --root <folder> [--port 0] [--token hf_x ...] [--private datasets/o/n ...]
 * Prints `listening <url>` on stdout once it accepts requests, and one line per request on stderr.
 */
const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    token: { type: 'string', multiple: true, default: [] },
    private: { type: 'string', multiple: true, default: [] },
    'page-size': { type: 'string', default: '1000' },
  },
});
if (values.root === undefined) {
  console.error('usage: main.ts --root <folder> [--host 127.0.0.1] [--port 0] [--token hf_...] [--private datasets/<owner>/<name>]');
  process.exit(2);
}
const standIn = await startHubStandIn({
  root: values.root,
  host: values.host,
  port: Number(values.port),
  tokens: values.token,
  privateRepos: values.private,
  treePageSize: Number(values['page-size']),
});
let logged = 0;
setInterval(() => {
  for (; logged < standIn.requests.length; logged++) {
    const request = standIn.requests[logged]!;
    console.error(`${request.status} ${request.method} ${request.path}`);
  }
}, 200).unref();
console.log(`listening ${standIn.url}`);
const stop = () => void standIn.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
