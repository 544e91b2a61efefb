/**
 * The `--http` entry of dist/ (src/http/serve.ts) for the load benchmark, with one change: Graph
 * quota pacing is lifted (the tenant's 100 requests per 5 minutes would make 100 searches a
 * measure of the quota, not of the server). Settings come from the environment, as for
 * `message-trace-mcp --http`.
 */
import { loadConfig } from '../dist/config.js';
import { RequestBudget } from '../dist/graph/budget.js';
import { exitOnSignals, serveHttp } from '../dist/http/serve.js';
import { createLogger } from '../dist/log.js';

const log = createLogger('info');
const serving = await serveHttp({
  demo: false,
  log,
  graph: async () => ({ config: loadConfig(process.env) }),
  server: { budget: new RequestBudget(1_000_000) },
});
if (serving) exitOnSignals(serving, log);
