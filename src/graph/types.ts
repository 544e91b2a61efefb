/**
 * Shapes of the Microsoft Graph message trace API as documented
 * (https://learn.microsoft.com/en-us/graph/api/resources/exchangemessagetrace,
 *  https://learn.microsoft.com/en-us/graph/api/resources/exchangemessagetracedetail).
 * Shared by the Graph client, the simulator and the trace explainers.
 */

/** Delivery statuses Graph returns (v1.0; `recalled` only with `Prefer: include-unknown-enum-members`). */
export const TRACE_STATUSES = [
  'gettingStatus',
  'pending',
  'failed',
  'delivered',
  'expanded',
  'quarantined',
  'filteredAsSpam',
  'recalled',
] as const;

export type TraceStatus = (typeof TRACE_STATUSES)[number];

/**
 * The statuses of mail that has not reached an inbox (yet): blocked, held, junked by policy or
 * still being retried. These are the rows an admin looks at first; every count of "problems"
 * and every text that lists them comes from here.
 */
export const PROBLEM_STATUSES = ['failed', 'quarantined', 'filteredAsSpam', 'pending'] as const satisfies readonly TraceStatus[];
const PROBLEM_SET: ReadonlySet<string> = new Set(PROBLEM_STATUSES);

/** True for a problem status, given in Graph's spelling (see normaliseStatus). */
export function isProblemStatus(status: string): boolean {
  return PROBLEM_SET.has(status);
}

/** The problem statuses by their Graph names, for tool descriptions and prompts. */
export const PROBLEM_STATUS_NAMES = PROBLEM_STATUSES.join(', ');

/** The problem statuses in words, for answers. */
export const PROBLEM_STATUSES_IN_WORDS = 'failed, quarantined, spam-filtered or pending';

/** One row of `GET /admin/exchange/tracing/messageTraces`: one message × one recipient. */
export interface MessageTraceRow {
  /** The message trace id: shared by every recipient row of one message. */
  id: string;
  messageId: string;
  senderAddress: string;
  recipientAddress: string;
  /** ISO 8601, UTC. */
  receivedDateTime: string;
  subject: string;
  size: number;
  fromIP: string;
  /** Blank for mail coming into Exchange Online. */
  toIP: string;
  /** As Graph sent it; compare case-insensitively (beta has sent `Delivered`). */
  status: string;
}

/** A Graph field as text: absent or null is empty, anything else as String() gives it. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}

/** Bytes; a larger (or negative) size from Graph is shown as 0. */
const MAX_PLAUSIBLE_SIZE = 2 ** 40;

/** Coerce one raw Graph row into our shape; undefined when it lacks the key fields. */
export function toRow(raw: unknown): MessageTraceRow | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const id = str(r.id);
  const recipientAddress = str(r.recipientAddress);
  if (!id || !recipientAddress) return undefined;
  const size = typeof r.size === 'number' ? r.size : Number(r.size);
  return {
    id,
    messageId: str(r.messageId),
    senderAddress: str(r.senderAddress),
    recipientAddress,
    receivedDateTime: str(r.receivedDateTime),
    subject: str(r.subject),
    // Exchange Online caps a message at 150 MB; a size beyond 1 TB (9.5e+301) is not real.
    size: Number.isFinite(size) && size >= 0 && size <= MAX_PLAUSIBLE_SIZE ? size : 0,
    fromIP: str(r.fromIP),
    toIP: str(r.toIP),
    status: str(r.status),
  };
}

/**
 * Where a row's JSON lies in the page Graph sent: `bytes[start, end)`, UTF-8. Lets the result
 * store copy a row as bytes instead of encoding the row object again. Valid while the page is:
 * once the page is released its bytes read as empty (`bytes.byteLength` 0).
 */
export interface RowJson {
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;
}

/** One event of `getDetailsByRecipient(recipientAddress='…')`. */
export interface MessageTraceDetailEvent {
  /** Equals the parent trace id in every published example. */
  id: string;
  messageId: string;
  /** ISO 8601, UTC. */
  dateTime: string;
  /** Free text: "Receive", "Deliver", "Fail", "TRANSFER", "Spam Diagnostics", … */
  event: string;
  action: string | null;
  description: string | null;
  /** `<root><MEP Name="…" String|Integer|Long|Blob|DateTime="…"/>…</root>` */
  data: string | null;
}

/** The canonical status for a Graph status string, or undefined when it is not one we know. */
export function normaliseStatus(raw: unknown): TraceStatus | undefined {
  if (typeof raw !== 'string') return undefined;
  // Called for every row of a search: exact spellings first, then a case-insensitive look-up.
  return STATUS_BY_SPELLING.get(raw) ?? STATUS_BY_SPELLING.get(raw.toLowerCase());
}

const STATUS_BY_SPELLING = new Map<string, TraceStatus>(TRACE_STATUSES.flatMap((s) => [[s, s], [s.toLowerCase(), s]] as const));
