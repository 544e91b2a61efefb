/**
 * Each delivery status in one line, for the input schema and for answers where a status is
 * easily misread (an `expanded` row is not a delivery; a fresh `gettingStatus` is not a fault).
 * Shared by search and details; the longer explanations are in details/knowledge/statuses.ts,
 * which loads with the knowledge base on the first details call. Facts: the -Status values of
 * Get-MessageTraceV2 (https://learn.microsoft.com/powershell/module/exchangepowershell/get-messagetracev2)
 * and the modern EAC's wording (https://learn.microsoft.com/en-us/exchange/monitoring/trace-an-email-message/message-trace-modern-eac),
 * as in test/fixtures/trace-statuses.json; the 15 minutes is the 5-10 minute reporting lag with
 * room for a slow hop.
 */
import type { TraceStatus } from './types.js';

/** How long gettingStatus is normal processing, not a problem. */
export const NORMAL_PROCESSING_MINUTES = 15;

export const STATUS_IN_BRIEF: Readonly<Record<TraceStatus, string>> = {
  delivered: 'reached the mailbox (the folder may be Junk Email)',
  failed: 'not delivered: delivery failed (the sender got an NDR) or a filter or rule stopped it',
  pending: 'not delivered yet: deferred and still being retried',
  quarantined: 'held in quarantine (spam, bulk, phishing or malware)',
  filteredAsSpam: 'rejected or blocked as spam (not quarantined)',
  expanded: 'a distribution group, expanded to its members: no delivery itself; each member has its own row',
  gettingStatus: `received moments ago, no status yet: normal processing within about ${NORMAL_PROCESSING_MINUTES} minutes, not a problem`,
  recalled: 'the sender recalled the message (Message Recall)',
};

/** Statuses whose meaning an answer states, because they are easily misread. */
export const STATUSES_TO_EXPLAIN: readonly TraceStatus[] = ['gettingStatus', 'expanded', 'pending', 'recalled'];

/** "status (meaning)" for each status, as one sentence for a schema description. */
export function statusList(): string {
  return (Object.entries(STATUS_IN_BRIEF) as Array<[TraceStatus, string]>).map(([s, m]) => `${s} (${m})`).join('; ');
}
