/**
 * The application's error: every failure a user can hit becomes a `TraceError` with what
 * happened, why, and the exact fix, written for an admin reading it in chat. The tools turn it
 * into an isError result; nothing lets a stack trace through.
 */
import { shownRequestId } from './output/plain-values.js';

export type TraceErrorKind =
  | 'config'
  | 'auth'
  | 'servicePrincipal'
  | 'consent'
  | 'badRequest'
  | 'notFound'
  | 'throttled'
  | 'server'
  | 'network'
  | 'timeout'
  | 'protocol'
  | 'unsafeUrl'
  | 'cancelled'
  | 'input';

export class TraceError extends Error {
  readonly kind: TraceErrorKind;
  readonly why: string;
  readonly fix: string;
  readonly requestId: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    kind: TraceErrorKind;
    what: string;
    why: string;
    fix: string;
    requestId?: string | undefined;
    status?: number | undefined;
    retryAfterSeconds?: number | undefined;
  }) {
    super(init.what);
    this.name = 'TraceError';
    this.kind = init.kind;
    this.why = init.why;
    this.fix = init.fix;
    // A header value from Graph (or whatever answered): shown only in its GUID shape, else fenced.
    this.requestId = init.requestId === undefined ? undefined : shownRequestId(init.requestId);
    this.status = init.status;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The text shown to the user: what, why, fix, and Graph's request id for a support case. */
  describe(): string {
    const lines = [`${this.message}`, `Why: ${this.why}`, `Fix: ${this.fix}`];
    if (this.requestId) lines.push(`Graph request-id: ${this.requestId} (quote it if you open a support case).`);
    return lines.join('\n');
  }
}
