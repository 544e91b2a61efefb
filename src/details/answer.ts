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
        description: z.string(),
        elapsedSeconds: z.number(),
        gapSeconds: z.number(),
        slowHop: z.literal(true).optional(),
        repeated: z.number().optional(),
        until: z.string().optional(),
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
