/**
 * How many Graph requests one tool call sent (retries included), for the audit line. Tool calls
 * run concurrently over one shared client, so the count follows the call's async context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<{ requests: number }>();

/** Run `fn`, counting the Graph requests it sends; `counter.requests` is live while it runs. */
export function countGraphRequests<T>(counter: { requests: number }, fn: () => T): T {
  return current.run(counter, fn);
}

/** Called by the Graph client for every request it sends. */
export function noteGraphRequest(): void {
  const counter = current.getStore();
  if (counter) counter.requests++;
}
