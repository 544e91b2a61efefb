/**
 * What get_trace_details answers (its output schema, structuredContent). Kept apart from
 * explain.ts, which is loaded on the first details call: the schema is needed at start-up.
 */
import * as z from 'zod';

const outcomeShape = z.object({ state: z.string(), folder: z.string().optional(), at: z.string().optional(), normal: z.boolean().optional() });
const diagnosisShape = z.object({
  code: z.string().nullable(),
  meaning: z.string(),
  fixOwner: z.string(),
  fix: z.string(),
  learnMoreUrl: z.string(),
  retryHelps: z.boolean(),
  case: z.string().optional().describe("Which of the code's documented cases the event shows, when the owner or fix depends on it"),
  fallback: z.literal(true).optional().describe('No entry documents this exact code: general guidance for its class'),
});

/** One recipient's story (traceId or messageId with recipientAddress), or every recipient's (messageId alone). */
export const getTraceDetailsOutput = z.object({
  // A few plain sentences: what happened, where and when it stopped or landed, why, what to do and by whom.
  summary: z.string(),
  // One recipient
  traceId: z.string().optional(),
  recipientAddress: z.string().optional(),
  status: z.string().optional().describe('The search row\'s status for this recipient when it differs from outcome.state (looked up when only traceId was given).'),
  statusMeaning: z.string().optional(),
  outcome: outcomeShape.optional(),
  diagnosis: diagnosisShape.optional(),
  spam: z.object({ scl: z.string().optional(), sfv: z.string().optional(), cat: z.string().optional(), summary: z.string() }).optional(),
  rules: z
    .array(z.object({ kind: z.enum(['transport', 'dlp']), name: z.string().optional(), id: z.string().optional(), action: z.string().optional(), explanation: z.string() }))
    .optional(),
  events: z
    .array(
      z.object({
        dateTime: z.string(),
        event: z.string(),
        // Fenced. In concise format, an event with a decoded status shows the decoded status instead of the raw text.
        description: z.string(),
        elapsedSeconds: z.number(),
        gapSeconds: z.number(),
        slowHop: z.literal(true).optional(),
        // Concise format: this entry stands for `repeated` consecutive events of the same kind and reason…
        repeated: z.number().optional(),
        // …the last of which happened at `until`.
        until: z.string().optional(),
        // Only in detailed format: the decoded data of the event (strings fenced).
        facts: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
  totalSeconds: z.number().optional(),
  otherTraces: z.array(z.object({ traceId: z.string(), receivedDateTime: z.string(), status: z.string() })).optional(),
  // Every recipient (messageId alone)
  message: z
    .object({ messageId: z.string(), senderAddress: z.string(), subject: z.string(), receivedDateTime: z.string(), traces: z.number() })
    .optional(),
  window: z.object({ start: z.string(), end: z.string() }).optional(),
  byStatus: z.record(z.string(), z.number()).optional(),
  recipients: z
    .array(
      z.object({
        recipientAddress: z.string(),
        traceId: z.string(),
        status: z.string(),
        outcome: outcomeShape,
        summary: z.string(),
        diagnosis: diagnosisShape.omit({ learnMoreUrl: true }).optional(),
      }),
    )
    .optional(),
  notExplained: z.array(z.object({ recipientAddress: z.string(), traceId: z.string(), status: z.string() })).optional(),
  notListed: z.number().optional(),
  nextSteps: z.array(z.string()).optional(),
  notes: z.array(z.string()),
  dataNotice: z.string(),
  graphRequests: z.number(),
});

/**
 * The answer's two forms, derived from the schema above (never written out again), so that a
 * change to the schema is a type error where an answer is built. The schema is one object with
 * optional fields (one output schema per tool); each form names the fields it always has.
 */
type DetailsAnswer = z.output<typeof getTraceDetailsOutput>;
/** `Pick<T, K>` with the fields in R present (no longer optional). */
type Having<K extends keyof DetailsAnswer, R extends K> = Pick<DetailsAnswer, Exclude<K, R>> & { [P in R]-?: NonNullable<DetailsAnswer[P]> };

type ExplanationKey = 'summary' | 'outcome' | 'diagnosis' | 'spam' | 'rules' | 'events' | 'totalSeconds' | 'notes';
/** One recipient's delivery story, as explain.ts builds it from the detail events. */
export type DetailsExplanation = Having<ExplanationKey, 'outcome' | 'events' | 'totalSeconds'>;
export type ExplainedEvent = DetailsExplanation['events'][number];
/** The answer for one recipient: the story, plus the trace and what the search row said. */
export type DetailsResult = Having<
  ExplanationKey | 'traceId' | 'recipientAddress' | 'status' | 'statusMeaning' | 'otherTraces' | 'dataNotice' | 'graphRequests',
  'outcome' | 'events' | 'totalSeconds' | 'traceId' | 'recipientAddress'
>;
/** The answer for a whole message (Message-ID alone): every recipient's outcome. */
export type MessageAnswer = Having<
  'summary' | 'message' | 'window' | 'byStatus' | 'recipients' | 'notExplained' | 'notListed' | 'nextSteps' | 'notes' | 'dataNotice' | 'graphRequests',
  'message' | 'window' | 'byStatus' | 'recipients' | 'notExplained' | 'notListed' | 'nextSteps'
>;
/** One recipient explained from its detail events. */
export type ExplainedRecipient = MessageAnswer['recipients'][number];
