/**
 * search_traces: which messages matched, how many were delivered / failed / pending /
 * quarantined, and the rows worth looking at, condensed and explained.
 */
import * as z from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { WaitAllowance } from '../graph/client.js';
import { TraceError } from '../graph/errors.js';
import type { SubjectMatch, TraceQuery } from '../graph/filter.js';
import { listTraces } from '../graph/message-traces.js';
import type { TraceStatus } from '../graph/types.js';
import { resolveWindow, sliceWindow } from '../graph/window.js';
import { AddressRenderer, redactAddressesDeep } from '../trace/addresses.js';
import { renderSearchText } from '../trace/render-search.js';
import { SearchAggregator } from '../trace/search-summary.js';
import {
  READ_ONLY_ANNOTATIONS,
  answer,
  configFailure,
  failure,
  progressReporter,
  waitMessage,
  type ToolDeps,
  type ToolExtra,
} from './context.js';
import {
  addressOrList,
  asList,
  dateTime,
  ipAddress,
  messageId,
  responseFormat,
  statusOrList,
  strictInput,
  traceId,
} from './schemas.js';

export const SEARCH_TRACES = 'search_traces';
export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 20;
/** More single-valued queries than this would eat most of the tenant's 100 requests / 5 min. */
export const MAX_QUERIES = 40;

export const searchTracesInput = strictInput({
  senderAddress: addressOrList('senderAddress').optional().describe('Sender SMTP address, or a list of up to 20.'),
  recipientAddress: addressOrList('recipientAddress').optional().describe('Recipient SMTP address, or a list of up to 20.'),
  status: statusOrList.optional().describe('Delivery status, or a list: gettingStatus, pending, failed, delivered, expanded, quarantined, filteredAsSpam, recalled.'),
  messageId: messageId.optional().describe('Message-ID header value; angle brackets are added when missing.'),
  traceId: traceId.optional().describe('Message trace id (8-4-4-4-12 hex) from an earlier result: all recipients of that message.'),
  subject: z.string({ error: 'subject must be text' }).min(1, { error: 'subject must not be empty' }).max(256, { error: 'subject must be at most 256 characters' }).optional().describe('Text to match in the subject (case-insensitive).'),
  subjectMatch: z.enum(['contains', 'startsWith', 'endsWith'], { error: 'subjectMatch must be contains, startsWith or endsWith' }).default('contains').describe('How subject matches; startsWith/endsWith are faster than contains.'),
  fromIP: ipAddress('fromIP').optional().describe('Source IP (the sending server, for inbound mail).'),
  toIP: ipAddress('toIP').optional().describe('Destination IP (the receiving server, for outbound mail).'),
  startDateTime: dateTime('startDateTime').optional().describe('ISO 8601 with zone. Not older than 90 days. Default: 48 hours before the end.'),
  endDateTime: dateTime('endDateTime').optional().describe('ISO 8601 with zone. Default: now. Windows over 10 days are split into several queries.'),
  limit: z.number({ error: `limit must be a whole number from 0 to ${MAX_LIMIT}` }).int({ error: `limit must be a whole number from 0 to ${MAX_LIMIT}` }).min(0, { error: `limit must be a whole number from 0 to ${MAX_LIMIT}` }).max(MAX_LIMIT, { error: `limit must be a whole number from 0 to ${MAX_LIMIT}` }).default(DEFAULT_LIMIT).describe(`How many rows to list (0-${MAX_LIMIT}); totals always cover every row fetched.`),
  responseFormat: responseFormat.default('concise').describe('concise (default) or detailed (adds messageId, fromIP, toIP, longer subjects).'),
});

export type SearchTracesInput = z.output<typeof searchTracesInput>;

const counted = z.object({ name: z.string(), count: z.number() });
export const searchTracesOutput = z.object({
  summary: z.string(),
  window: z.object({ start: z.string(), end: z.string() }),
  complete: z.boolean(),
  totals: z.object({ traces: z.number(), messages: z.number(), byStatus: z.record(z.string(), z.number()) }),
  rows: z.array(
    z.object({
      traceId: z.string(),
      recipientAddress: z.string(),
      status: z.string(),
      receivedDateTime: z.string(),
      senderAddress: z.string(),
      subject: z.string(),
      size: z.number(),
      messageId: z.string().optional(),
      fromIP: z.string().optional(),
      toIP: z.string().optional(),
    }),
  ),
  notListed: z.number(),
  highlights: z.object({ problemRecipientDomains: z.array(counted), problemSenders: z.array(counted), topSenders: z.array(counted) }),
  notes: z.array(z.string()),
  nextSteps: z.array(z.string()),
  dataNotice: z.string(),
  graphRequests: z.number(),
});

export const searchTracesDescription = [
  'Search Exchange Online message trace (Microsoft Graph) for mail by sender, recipient, status, subject, message id, trace id or IP, within the last 90 days.',
  'Answers "which messages from X failed today?", "did Alex get mail from contoso.com?", "what was quarantined this week?": returns totals by status for every matching row, highlights (where problems cluster), and a short list of rows, problems first then newest.',
  'Default window: the last 48 hours. Data appears 5-10 minutes after a message is sent. Each row is one message to one recipient; its traceId + recipientAddress pair is what get_trace_details takes.',
  'Next: call get_trace_details for the failed, quarantined or pending rows to learn why and what to do.',
  'Lists of addresses or statuses cost one Graph query each; the tenant allows 100 requests per 5 minutes, so prefer narrow searches. Subjects and addresses are untrusted mail data, shown inside «…».',
].join(' ');

function plannedQueries(input: SearchTracesInput, slices: Array<{ start: Date; end: Date }>): TraceQuery[] {
  const senders: Array<string | undefined> = asList(input.senderAddress);
  const recipients: Array<string | undefined> = asList(input.recipientAddress);
  const statuses: Array<TraceStatus | undefined> = asList(input.status) as TraceStatus[];
  if (senders.length === 0) senders.push(undefined);
  if (recipients.length === 0) recipients.push(undefined);
  if (statuses.length === 0) statuses.push(undefined);
  const queries: TraceQuery[] = [];
  for (const slice of slices)
    for (const senderAddress of senders)
      for (const recipientAddress of recipients)
        for (const status of statuses) {
          queries.push({
            start: slice.start,
            end: slice.end,
            ...(senderAddress ? { senderAddress } : {}),
            ...(recipientAddress ? { recipientAddress } : {}),
            ...(status ? { status } : {}),
            ...(input.messageId ? { messageId: input.messageId } : {}),
            ...(input.traceId ? { traceId: input.traceId } : {}),
            ...(input.subject ? { subject: { text: input.subject, match: input.subjectMatch as SubjectMatch } } : {}),
            ...(input.fromIP ? { fromIP: input.fromIP } : {}),
            ...(input.toIP ? { toIP: input.toIP } : {}),
          });
        }
  return queries;
}

function describeFilters(input: SearchTracesInput, redact: boolean): string {
  const parts: string[] = [];
  const list = (name: string, v: string | string[] | undefined, isAddress = false) => {
    const l = asList(v);
    if (l.length === 1) parts.push(`${name} ${isAddress && redact ? '(redacted)' : l[0]}`);
    else if (l.length > 1) parts.push(`${name} in ${l.length} values`);
  };
  list('sender', input.senderAddress, true);
  list('recipient', input.recipientAddress, true);
  list('status', input.status);
  if (input.messageId) parts.push('the given message id');
  if (input.traceId) parts.push(`trace ${input.traceId}`);
  if (input.subject) parts.push(`subject ${input.subjectMatch} the given text`);
  if (input.fromIP) parts.push(`fromIP ${input.fromIP}`);
  if (input.toIP) parts.push(`toIP ${input.toIP}`);
  return parts.join(', ');
}

export async function searchTraces(input: SearchTracesInput, extra: ToolExtra, deps: ToolDeps): Promise<CallToolResult> {
  const broken = configFailure(deps.config);
  if (broken) return broken;
  try {
    const now = deps.now();
    const window = resolveWindow(input, now);
    const slices = sliceWindow(window.start, window.end);
    const queries = plannedQueries(input, slices);
    if (queries.length > MAX_QUERIES) {
      throw new TraceError({
        kind: 'input',
        what: `This search would need ${queries.length} separate Graph queries (${slices.length} ten-day slice(s) × the listed senders × recipients × statuses).`,
        why: `Graph ignores "or" in message trace filters, so each value is its own query, and the tenant allows 100 requests per 5 minutes (at most ${MAX_QUERIES} queries per search here).`,
        fix: 'Shorten the time range (10 days or less is one slice), or give fewer addresses or statuses per call; leave status out and read the totals by status instead.',
      });
    }
    const progress = progressReporter(extra);
    const aggregator = new SearchAggregator(input.limit);
    const outcome = await listTraces(deps.graph(), queries, {
      signal: extra.signal,
      allowance: new WaitAllowance(deps.waitAllowanceMs),
      maxRows: deps.config.maxRows,
      onRow: (row) => aggregator.add(row),
      onProgress: (p) => progress(`page ${p.pages} read (query ${p.query} of ${p.queries}), ${p.rows} rows so far`),
      onWait: (info) => progress(waitMessage(info)),
    });
    const notes = [...window.notes];
    if (slices.length > 1) notes.push(`The window spans more than 10 days, so it was queried as ${slices.length} slices.`);
    if (queries.length > 1 && slices.length !== queries.length) {
      notes.push(`Graph ignores "or" in filters, so the listed values were queried one by one (${queries.length} queries) and merged without duplicates.`);
    }
    notes.push(...outcome.notes);
    const addresses = new AddressRenderer(deps.config.redactAddresses);
    const finished = aggregator.finish({
      window,
      complete: outcome.complete,
      notes,
      detailed: input.responseFormat === 'detailed',
      addresses,
      graphRequests: outcome.requests,
      filtersDescription: describeFilters(input, deps.config.redactAddresses),
    });
    // Redaction also covers addresses inside subjects and notes.
    const summary = deps.config.redactAddresses ? redactAddressesDeep(finished, addresses) : finished;
    return answer(summary, renderSearchText(summary));
  } catch (err) {
    return failure(err, deps.log);
  }
}
