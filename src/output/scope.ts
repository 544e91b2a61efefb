/**
 * The output scope of one tool call or resource read: which address redaction applies while its
 * answer is built. Text is cut in many places (subjects, descriptions, facts, error texts); each
 * cut must see the text already redacted, or a cut through an address leaves part of it behind
 * ("john.smith@…(+15 chars)"). Rather than hand the redactor to every function that fences or
 * cuts text, the scope travels with the call's async context, and `truncateText` and the final
 * output pass ask it (see untrusted.ts and guard.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Masks every address in a text (AddressRenderer, when redaction is on). */
export interface TextRedactor {
  readonly redact: boolean;
  redactText(text: string): string;
}

const scope = new AsyncLocalStorage<TextRedactor>();

/** Run `fn` (and everything it awaits) with `redactor` as the output scope. */
export function withOutputScope<T>(redactor: TextRedactor, fn: () => T): T {
  return scope.run(redactor, fn);
}

/** The redactor of the current scope, when it redacts. */
export function activeRedactor(): TextRedactor | undefined {
  const r = scope.getStore();
  return r?.redact ? r : undefined;
}
