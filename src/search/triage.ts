/**
 * `explain`: why the problem rows of a search failed, within a request allowance. Problem rows
 * (failed, quarantined, filteredAsSpam, pending) are grouped into clusters that probably share a
 * cause: status × recipient domain × sender domain. Status, because a bounce and a quarantine never
 * share a cause; the recipient domain, because most delivery failures belong to the destination
 * (its DNS, its mailboxes, its policy); the sender domain, because authentication failures (SPF,
 * DKIM, DMARC) and spam verdicts belong to the sender. One representative per cluster, largest
 * cluster first, is read with getDetailsByRecipient and decoded by the same explainer as
 * get_trace_details. Clusters left unread are reported as not explained, never guessed.
 */
import * as z from 'zod';
import { TraceError } from '../errors.js';
import type { GraphClient, WaitAllowance, WaitInfo } from '../graph/client.js';
import { getTraceDetails } from '../graph/message-traces.js';
import type { MessageTraceRow } from '../graph/types.js';
import { domainOf, type AddressRenderer } from '../output/addresses.js';
import { shownTraceId } from '../output/plain-values.js';
import { truncateText } from '../output/untrusted.js';

export const MAX_EXPLAIN = 10;
/** Detail requests in flight at once: a tenant's quota is small and shared (graph-api.md §4.4). */
export const DETAIL_CONCURRENCY = 3;
/** Clusters tracked; rows of further clusters are counted as problem rows, never explained. */
const MAX_CLUSTERS = 10_000;
const MAX_EXAMPLES = 3;

/** One cause in search_traces' answer (part of its output schema). */
export const causeOutput = z.object({
  /** The enhanced status code (5.7.509), or a stable name: quarantine:phish, spam:junk, deferred:4.4.316, unknown. */
  code: z.string(),
  meaning: z.string(),
  fixOwner: z.string(),
  fix: z.string(),
  retryHelps: z.boolean(),
  /** Fetched representatives that showed this cause. */
  sampled: z.number(),
  /** Rows in the clusters those representatives stand for: an estimate. */
  estimatedRows: z.number(),
  examples: z.array(z.object({ traceId: z.string(), recipientAddress: z.string() })),
});
/** Detail requests spent, problem rows counted, problem rows in sampled (explained) clusters. */
export const explainedOutput = z.object({ requests: z.number(), problemRows: z.number(), coveredRows: z.number() });

export type Cause = z.output<typeof causeOutput>;
export type Explained = z.output<typeof explainedOutput>;

interface Cluster {
  key: string;
  count: number;
  /** The newest row: the most current evidence of the cluster's cause. */
  row: MessageTraceRow;
  time: number;
}

/** Problem rows grouped as they stream in; holds one row per cluster. */
/** The cluster a problem row belongs to: status × recipient domain × sender domain. */
export function clusterKey(row: Pick<MessageTraceRow, 'recipientAddress' | 'senderAddress'>, status: string): string {
  return `${status}|${domainOf(row.recipientAddress)}|${domainOf(row.senderAddress)}`;
}

export class ProblemClusters {
  private readonly clusters = new Map<string, Cluster>();
  problemRows = 0;

  add(row: MessageTraceRow, status: string): void {
    this.problemRows++;
    const key = clusterKey(row, status);
    const time = Date.parse(row.receivedDateTime) || 0;
    const known = this.clusters.get(key);
    if (known) {
      known.count++;
      if (time > known.time) {
        known.row = row;
        known.time = time;
      }
    } else if (this.clusters.size < MAX_CLUSTERS) {
      this.clusters.set(key, { key, count: 1, row, time });
    }
  }

  /** Largest first; ties: the newest first. */
  ranked(): Cluster[] {
    return [...this.clusters.values()].sort((a, b) => b.count - a.count || b.time - a.time);
  }
}

type Explainer = typeof import('../details/explain.js');
type Explanation = ReturnType<Explainer['explainDetails']>;

/** A stable name for a cause that has no enhanced status code. */
function spamKind(cat: string | undefined): string {
  const c = (cat ?? '').toUpperCase();
  if (c.includes('PHSH') || c.includes('SPOOF') || c.includes('IMP')) return 'phish';
  if (c.includes('MALW')) return 'malware';
  if (c.includes('BULK')) return 'bulk';
  if (c.includes('SPM')) return 'spam';
  return 'other';
}

function causeOf(x: Explanation): Omit<Cause, 'sampled' | 'estimatedRows' | 'examples'> {
  const d = x.diagnosis;
  const state = x.outcome.state;
  let code: string;
  if (d?.code && (state === 'deferred' || state === 'pending')) code = `deferred:${d.code}`;
  else if (d?.code) code = d.code;
  else if (state === 'quarantined') code = `quarantine:${spamKind(x.spam?.cat)}`;
  else if (state === 'filteredAsSpam') code = /junk/i.test(x.outcome.folder ?? '') ? 'spam:junk' : `spam:${spamKind(x.spam?.cat)}`;
  else if (state === 'delivered') code = 'delivered';
  else code = d ? `${state}:no-code` : 'unknown';
  if (d) return { code, meaning: d.meaning, fixOwner: d.fixOwner, fix: d.fix, retryHelps: d.retryHelps };
  return {
    code,
    meaning: state === 'delivered' ? 'The sampled row has since been delivered (it was still in progress when listed).' : `The details end in the state "${state}" with no reason recorded.`,
    fixOwner: 'nobody',
    fix: 'Nothing to fix from the sample; call get_trace_details on an example for its full story.',
    retryHelps: false,
  };
}

export interface ExplainOptions {
  /** The most detail requests this call may spend. */
  allowance: number;
  signal: AbortSignal;
  wait: WaitAllowance;
  onWait?: (info: WaitInfo) => void;
  addresses: AddressRenderer;
}

/**
 * The cause found for one sampled cluster, for the result set's export: the row that was read
 * (its trace id and recipient) and the cause its details showed.
 */
export interface ClusterCause {
  traceId: string;
  recipientAddress: string;
  code: string;
  meaning: string;
  fixOwner: string;
}

export interface TriageOutcome {
  causes: Cause[];
  explained: Explained;
  notes: string[];
  /** By clusterKey: the cause each sampled cluster's representative showed. */
  clusterCauses: Map<string, ClusterCause>;
}

/**
 * Read one representative per cluster, largest first, at most `allowance` requests and never
 * more than the budget has free, DETAIL_CONCURRENCY at a time. A failed request leaves its
 * cluster unexplained (noted); a cancelled call stops them all.
 */
export async function explainProblems(client: GraphClient, clusters: ProblemClusters, opts: ExplainOptions): Promise<TriageOutcome> {
  const ranked = clusters.ranked();
  const wanted = Math.min(opts.allowance, ranked.length);
  const notes: string[] = [];
  const free = client.requestsAvailable();
  const spend = Math.min(wanted, free);
  if (spend < wanted) {
    notes.push(
      `The request budget had ${free} request${free === 1 ? '' : 's'} free, so only ${spend} of the ${wanted} detail requests explain allowed were spent (the tenant shares 100 requests per 5 minutes); ask again in a few minutes to explain more clusters.`,
    );
  }
  const { explainDetails } = await import('../details/explain.js');
  const results: Array<{ cluster: Cluster; cause: ReturnType<typeof causeOf> } | undefined> = [];
  const failed: Array<{ cluster: Cluster; error: string }> = [];
  let requests = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < spend) {
      const i = next++;
      const cluster = ranked[i] as Cluster;
      try {
        const details = await getTraceDetails(client, cluster.row.id, cluster.row.recipientAddress, {
          signal: opts.signal,
          allowance: opts.wait,
          // One page, no retry: a throttled or failing request costs its cluster, not more quota.
          maxRequests: 1,
          maxAttempts: 1,
          onSend: () => requests++,
          ...(opts.onWait ? { onWait: opts.onWait } : {}),
        });
        if (details.events.length === 0) {
          failed.push({ cluster, error: 'Graph returned no detail events for it' });
          continue;
        }
        const x = explainDetails({ events: details.events, recipientAddress: cluster.row.recipientAddress, status: cluster.row.status, format: 'concise' });
        results[i] = { cluster, cause: causeOf(x) };
      } catch (err) {
        if (err instanceof TraceError && err.kind === 'cancelled') throw err;
        failed.push({ cluster, error: err instanceof TraceError ? err.message : 'an unexpected error' });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, spend) }, worker));

  const byCode = new Map<string, Cause>();
  const clusterCauses = new Map<string, ClusterCause>();
  let coveredRows = 0;
  for (const r of results) {
    if (!r) continue;
    coveredRows += r.cluster.count;
    const { code, meaning, fixOwner } = r.cause;
    clusterCauses.set(r.cluster.key, { traceId: r.cluster.row.id, recipientAddress: r.cluster.row.recipientAddress, code, meaning, fixOwner });
    // The same code can have different owners (a rule on the sending or the receiving side):
    // those are different causes for the person who must act.
    const key = `${r.cause.code}|${r.cause.fixOwner}`;
    let cause = byCode.get(key);
    if (!cause) {
      cause = { ...r.cause, sampled: 0, estimatedRows: 0, examples: [] };
      byCode.set(key, cause);
    }
    cause.sampled++;
    cause.estimatedRows += r.cluster.count;
    if (cause.examples.length < MAX_EXAMPLES) {
      cause.examples.push({ traceId: shownTraceId(r.cluster.row.id), recipientAddress: opts.addresses.address(r.cluster.row.recipientAddress) });
    }
  }
  if (failed.length > 0) {
    const rows = failed.reduce((s, f) => s + f.cluster.count, 0);
    notes.push(
      `${failed.length} sampled cluster${failed.length === 1 ? '' : 's'} (${rows} problem row${rows === 1 ? '' : 's'}) could not be explained: ${truncateText(failed[0]!.error, 200)}${failed.length > 1 ? ' (and others)' : ''}. Their rows are counted above, just not explained.`,
    );
  }
  const unsampled = ranked.length - spend;
  const uncoveredRows = clusters.problemRows - coveredRows - failed.reduce((s, f) => s + f.cluster.count, 0);
  if (unsampled > 0 || uncoveredRows > 0) {
    notes.push(
      `${uncoveredRows} problem row${uncoveredRows === 1 ? '' : 's'} in ${unsampled} smaller cluster${unsampled === 1 ? '' : 's'} (status × recipient domain × sender domain) were not sampled, so they are not explained; raise explain (up to ${MAX_EXPLAIN}) or narrow the search to explain them.`,
    );
  }
  const causes = [...byCode.values()].sort((a, b) => b.estimatedRows - a.estimatedRows || b.sampled - a.sampled);
  return { causes, explained: { requests, problemRows: clusters.problemRows, coveredRows }, notes, clusterCauses };
}

/** The summary's lead for a "why" question: the biggest causes, with who must act. */
export function causesSentence(t: TriageOutcome): string {
  if (t.causes.length === 0) return '';
  const n = (v: number) => v.toLocaleString('en-US');
  const firstSentence = (s: string) => truncateText(s.split(/(?<=[.;])\s/)[0] ?? s, 140).replace(/[.;]$/, '');
  const parts = t.causes.slice(0, 3).map((c) => `about ${n(c.estimatedRows)}: ${firstSentence(c.meaning)} (${c.code}; ${c.fixOwner} must act)`);
  const more = t.causes.length > 3 ? `; ${t.causes.length - 3} more cause(s) in causes` : '';
  return `${n(t.explained.problemRows)} problem rows. Why (estimated from ${n(t.explained.requests)} sampled row${t.explained.requests === 1 ? '' : 's'}, covering ${n(t.explained.coveredRows)} of ${n(t.explained.problemRows)} problem rows): ${parts.join('; ')}${more}.`;
}
