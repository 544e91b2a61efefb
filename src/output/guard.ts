/**
 * The last pass over everything the server hands out (tool results, error texts, log lines): every
 * string, and every object key, loses registered secrets and credential-shaped parts, and, with
 * MESSAGE_TRACE_REDACT=addresses, every address, with the pseudonyms of the current output scope
 * (so the text, the structured result and the exports agree). Values that were cut earlier were
 * already redacted before the cut (truncateText); this pass catches the rest.
 */
import { activeRedactor, type TextRedactor } from './scope.js';
import { scrubSecrets } from './secrets.js';

/** One string as it may be shown. */
export function guardText(text: string, redactor: TextRedactor | undefined = activeRedactor()): string {
  const clean = scrubSecrets(text);
  return redactor?.redact ? redactor.redactText(clean) : clean;
}

/** A deep copy of `value` with every string and key through guardText. */
export function guardOutput<T>(value: T, redactor: TextRedactor | undefined = activeRedactor()): T {
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return guardText(v, redactor);
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [guardText(k, redactor), visit(x)]));
    return v;
  };
  return visit(value) as T;
}
