/**
 * get_trace_details with a Message-ID alone: every recipient's outcome in one call. The rows are
 * found in the last 10 days, then in older 10-day slices (one request each) until found or the
 * 90-day edge, while the request budget allows; the first few recipients (problems first) are
 * explained from their detail events, the rest listed with their status.
 */
import { WaitAllowance, type WaitInfo } from '../graph/client.js';
import { TraceError } from '../errors.js';
import { getTraceDetails, listTraces } from '../graph/message-traces.js';
import { normaliseStatus, type MessageTraceRow } from '../graph/types.js';
import { earliestStart, resolveWindow, sliceWindow } from '../graph/window.js';
import { STATUS_IN_BRIEF, STATUSES_TO_EXPLAIN } from '../graph/status-meanings.js';
import type { AddressRenderer } from '../output/addresses.js';
import { shownDateTime, shownStatus, shownTraceId } from '../output/plain-values.js';
import { fenceUntrusted, UNTRUSTED_NOTICE } from '../output/untrusted.js';
import type { ToolCall, ToolDeps } from './context.js';
import type { GetTraceDetailsInput } from './get-trace-details.js';
import { notFound } from './row-status.js';
import type { ExplainedRecipient, MessageAnswer } from '../details/answer.js';

/** Recipients explained from their events (one detail request each). */
export const EXPLAINED_RECIPIENTS = 5;
/** Recipients listed by status beyond those. */
export const LISTED_RECIPIENTS = 50;
/** Requests left untouched for other callers when searching older slices or fetching details. */
const BUDGET_HEADROOM = 10;
const DAY = 86_400_000;

/** Problems first, then what may still change, then the settled good outcomes; groups last (no delivery of their own). */
const RANK: Record<string, number> = { failed: 0, filteredAsSpam: 1, quarantined: 2, pending: 3, gettingStatus: 4, recalled: 5, delivered: 6, expanded: 7 };

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function days(ms: number): string {
  const d = Math.round(ms / DAY);
  return `${d} day${d === 1 ? '' : 's'}`;
}

/** The rows of the message: in the given window, or the last 10 days and then further back. */
async function findRows(
  input: GetTraceDetailsInput,
  deps: ToolDeps,
  call: ToolCall,
  allowance: WaitAllowance,
  onWait: (info: WaitInfo) => void,
): Promise<{ rows: MessageTraceRow[]; window: { start: Date; end: Date }; searched: string; requests: number; notes: string[] }> {
  const now = deps.now();
  const given = input.startDateTime !== undefined || input.endDateTime !== undefined;
  const resolved = resolveWindow(input, now, 240);
  // Given a window, search all of it; else one 10-day slice at a time, newest first, to 90 days.
  const slices = given ? sliceWindow(resolved.start, resolved.end) : sliceWindow(earliestStart(now), resolved.end);
  const rows: MessageTraceRow[] = [];
  const notes = resolved.notes.filter((n) => !/No time range/.test(n));
  let requests = 0;
  let searchedFrom = resolved.end;
  let stoppedForBudget = false;
  for (const [i, slice] of slices.entries()) {
    if (!given && i > 0 && deps.graph().requestsLeft() <= BUDGET_HEADROOM) {
      stoppedForBudget = true;
      break;
    }
    const outcome = await listTraces(deps.graph(), [{ ...slice, messageId: input.messageId as string }], {
      signal: call.signal,
      allowance,
      maxRows: 1000,
      onRow: (r) => rows.push(r),
      onWait,
    });
    requests += outcome.requests;
    notes.push(...outcome.notes);
    searchedFrom = slice.start;
    if (rows.length > 0 && !given) break;
  }
  const window = { start: searchedFrom, end: resolved.end };
  const span = days(window.end.getTime() - window.start.getTime());
  const searched = given
    ? `Searched ${iso(window.start)} to ${iso(window.end)}.`
    : window.end.getTime() - window.start.getTime() <= 10 * DAY + 60_000
      ? `Searched the last 10 days (${iso(window.start)} to ${iso(window.end)}).`
      : `Searched back ${span} (${iso(window.start)} to ${iso(window.end)}), 10 days per request, until the message was found${rows.length ? '' : ' or history ran out'}.`;
  if (stoppedForBudget) notes.push(`Stopped searching older mail at ${iso(window.start)} to keep the tenant's request quota (100 per 5 minutes) for other callers; give startDateTime/endDateTime to search an older window.`);
  return { rows, window, searched, requests, notes };
}

export async function explainMessage(
  input: GetTraceDetailsInput,
  call: ToolCall,
  deps: ToolDeps,
  allowance: WaitAllowance,
  onWait: (info: WaitInfo) => void,
  progress: (message: string) => void,
  addr: AddressRenderer,
): Promise<MessageAnswer> {
  const found = await findRows(input, deps, call, allowance, onWait);
  if (found.rows.length === 0) {
    throw notFound(
      `No message with that Message-ID was found. ${found.searched}`,
      'Check the Message-ID (copy it from the message headers), give an older window with startDateTime/endDateTime (at most 90 days back), or search by sender and recipient with search_traces instead.',
    );
  }
  for (const r of found.rows) deps.recentRows?.remember(r);
  const rank = (r: MessageTraceRow) => RANK[normaliseStatus(r.status) ?? ''] ?? 4;
  const rows = [...found.rows].sort(
    (a, b) => rank(a) - rank(b) || a.recipientAddress.toLowerCase().localeCompare(b.recipientAddress.toLowerCase()) || b.receivedDateTime.localeCompare(a.receivedDateTime),
  );
  const { explainDetails } = await import('../details/explain.js');
  const notes = [...found.notes];
  const recipients: ExplainedRecipient[] = [];
  let requests = found.requests;
  let budgetShort = false;
  let failedDetails = 0;
  const now = deps.now().getTime();
  for (const row of rows.slice(0, EXPLAINED_RECIPIENTS)) {
    if (deps.graph().requestsLeft() <= BUDGET_HEADROOM / 2) {
      budgetShort = true;
      break;
    }
    progress(`reading the details of recipient ${recipients.length + 1}`);
    let events;
    try {
      const d = await getTraceDetails(deps.graph(), row.id, row.recipientAddress, { signal: call.signal, allowance: new WaitAllowance(Math.min(allowance.remainingMs, 10_000)), onWait });
      requests += d.requests;
      events = d.events;
    } catch (err) {
      if (err instanceof TraceError && err.kind === 'cancelled') throw err;
      requests += 1;
      failedDetails++;
      continue;
    }
    const age = (now - Date.parse(row.receivedDateTime)) / 60_000;
    const x = explainDetails({ events, recipientAddress: row.recipientAddress, status: row.status, format: 'concise', ...(Number.isFinite(age) ? { statusAgeMinutes: age } : {}) });
    const d = x.diagnosis;
    recipients.push({
      recipientAddress: addr.address(row.recipientAddress),
      traceId: shownTraceId(row.id),
      status: shownStatus(row.status),
      outcome: x.outcome,
      summary: x.summary,
      ...(d ? { diagnosis: { code: d.code, meaning: d.meaning, fixOwner: d.fixOwner, fix: d.fix, retryHelps: d.retryHelps } } : {}),
    });
  }
  const explainedKeys = new Set(recipients.map((r) => `${r.traceId}|${r.recipientAddress}`));
  const rest = rows.filter((r) => !explainedKeys.has(`${shownTraceId(r.id)}|${addr.address(r.recipientAddress)}`));
  const notExplained = rest.slice(0, LISTED_RECIPIENTS).map((r) => ({ recipientAddress: addr.address(r.recipientAddress), traceId: shownTraceId(r.id), status: shownStatus(r.status) }));
  if (budgetShort) notes.push('The tenant\'s request quota is nearly used up, so fewer recipients were explained; call again in a few minutes for the rest.');
  if (failedDetails > 0) notes.push(`The details of ${failedDetails} recipient(s) could not be read (Graph failed or was slow); they are listed by status only.`);

  const byStatus: Record<string, number> = {};
  for (const r of rows) byStatus[shownStatus(r.status)] = (byStatus[shownStatus(r.status)] ?? 0) + 1;
  const newest = [...found.rows].sort((a, b) => b.receivedDateTime.localeCompare(a.receivedDateTime))[0] as MessageTraceRow;
  const traces = new Set(found.rows.map((r) => r.id.toLowerCase())).size;
  if (traces > 1) notes.push(`That Message-ID matches ${traces} separate traces (the message was sent or resubmitted more than once); each recipient row names its traceId.`);
  const meanings = STATUSES_TO_EXPLAIN.filter((s) => byStatus[s]).map((s) => `${s}: ${STATUS_IN_BRIEF[s]}`);
  if (meanings.length > 0) notes.push(`Status meanings: ${meanings.join('; ')}.`);

  const counts = Object.entries(byStatus).sort((a, b) => b[1] - a[1]).map(([s, n]) => `${n} ${s}`).join(', ');
  const problems = rows.filter((r) => rank(r) <= 3).length;
  const summary =
    `Message ${fenceUntrusted(input.messageId, 120)} from ${addr.address(newest.senderAddress)}, subject ${fenceUntrusted(newest.subject, 80)}, received ${shownDateTime(newest.receivedDateTime)}: ` +
    `${rows.length} recipient row${rows.length === 1 ? '' : 's'} (${counts}). ` +
    (problems > 0 ? `${problems} did not reach the recipient (failed, spam-filtered, quarantined or pending). ` : 'None failed, was quarantined or is pending. ') +
    `${recipients.length < rows.length ? `The first ${recipients.length} (problems first) are explained below; the rest are listed with their status. ` : ''}${found.searched}`;
  const first = rest[0];
  const nextSteps = [
    first
      ? `For another recipient's full story: get_trace_details with traceId ${shownTraceId(first.id)} and recipientAddress ${addr.address(first.recipientAddress)}.`
      : recipients[0]
        ? `For one recipient's timeline: get_trace_details with traceId ${recipients[0].traceId} and recipientAddress ${recipients[0].recipientAddress}.`
        : '',
  ].filter((s) => s !== '');
  return {
    summary,
    message: {
      messageId: fenceUntrusted(input.messageId, 200),
      senderAddress: addr.address(newest.senderAddress),
      subject: fenceUntrusted(newest.subject, 120),
      receivedDateTime: shownDateTime(newest.receivedDateTime),
      traces,
    },
    window: { start: found.window.start.toISOString(), end: found.window.end.toISOString() },
    byStatus,
    recipients,
    notExplained,
    notListed: Math.max(0, rest.length - notExplained.length),
    nextSteps,
    notes,
    dataNotice: UNTRUSTED_NOTICE,
    graphRequests: requests,
  };
}
