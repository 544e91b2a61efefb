/**
 * The delivery status of a message trace row (Graph `exchangeMessageTraceStatus`), explained.
 * Facts: Graph's status list (SRC.G1) and the message trace pages (SRC.T3, SRC.T6, SRC.T8); wording is ours.
 */
import { fenceUntrusted } from '../../output/untrusted.js';
import { isProblemStatus } from '../../graph/types.js';
import { SRC } from './sources.js';

export interface TraceStatusExplanation {
  /** The canonical Graph spelling when recognised, else the input as given. */
  status: string;
  meaning: string;
  /** True when the admin should look closer: not delivered (yet), blocked, held or rejected. */
  isProblem: boolean;
  sourceUrl: string;
}

interface StatusEntry {
  status: string;
  meaning: string;
  /** Only for values outside Graph's list; Graph's own statuses take it from PROBLEM_STATUSES. */
  isProblem?: boolean;
  sourceUrl: string;
}

const STATUSES: readonly StatusEntry[] = [
  {
    status: 'delivered',
    meaning:
      'The message reached the recipient\'s mailbox. That does not have to mean the Inbox: it may be in the Junk Email folder, and the Deliver event\'s description says which.',
    sourceUrl: SRC.T6,
  },
  {
    status: 'expanded',
    meaning:
      'The recipient was a distribution group, which was expanded into its members; nothing is delivered to the group itself. Each member\'s own row shows whether they got it.',
    sourceUrl: SRC.T6,
  },
  {
    status: 'failed',
    meaning:
      'The message was not delivered: delivery was tried and failed (an NDR normally went to the sender), or it was stopped by a filter or a mail flow rule. The Fail event gives the reason and status code.',
    sourceUrl: SRC.T1,
  },
  {
    status: 'pending',
    meaning:
      'Not delivered yet: delivery is under way, or it was deferred and is being retried. If it stays pending, the Defer events show why.',
    sourceUrl: SRC.T6,
  },
  {
    status: 'quarantined',
    meaning: 'The message was held in quarantine (as spam, bulk, phishing or malware) instead of reaching the mailbox.',
    sourceUrl: SRC.T1,
  },
  {
    status: 'filteredAsSpam',
    meaning: 'The message was identified as spam and rejected or blocked rather than quarantined, so the recipient did not get it.',
    sourceUrl: SRC.T1,
  },
  {
    status: 'gettingStatus',
    meaning: 'The message arrived very recently and no status is available yet; check again in a few minutes.',
    sourceUrl: SRC.T1,
  },
  {
    status: 'recalled',
    meaning: 'The sender recalled the message (Message Recall). Graph returns this value only when asked for newer enum members.',
    sourceUrl: SRC.G1,
  },
  {
    status: 'unknownFutureValue',
    meaning: 'Graph returned a status newer than this server knows about; read the trace detail events to see what happened.',
    sourceUrl: SRC.G1,
  },
  // PowerShell-era values, in case a caller passes them through.
  {
    status: 'None',
    meaning:
      'An older cmdlet value: the message was rejected, or redirected to someone else, so it has no delivery status of its own. Graph does not use it.',
    isProblem: true,
    sourceUrl: SRC.T8,
  },
  {
    status: 'Unknown',
    meaning: 'A classic admin center value: the status is not known and there are no details.',
    isProblem: false,
    sourceUrl: SRC.T3,
  },
];

const BY_KEY = new Map<string, StatusEntry>(
  STATUSES.map((s) => [s.status.toLowerCase(), s] as const),
);

/** Explain a message trace status. Case-insensitive; accepts "Filtered as spam"/"Getting status". */
export function explainTraceStatus(status: string): TraceStatusExplanation {
  const raw = typeof status === 'string' ? status : String(status ?? '');
  const key = raw.toLowerCase().replace(/[^a-z]/g, '');
  const entry = BY_KEY.get(key);
  if (entry) return { ...entry, isProblem: entry.isProblem ?? isProblemStatus(entry.status) };
  return {
    status: raw,
    meaning: `The status ${fenceUntrusted(raw, 60)} is not one this server knows; read the trace detail events to see what happened.`,
    isProblem: false,
    sourceUrl: SRC.G1,
  };
}
