/**
 * Message trace detail events (`event` in Graph getDetailsByRecipient, `Event` in PowerShell),
 * explained and placed in the mail pipeline. Graph sends free text ("Receive", "TRANSFER",
 * "Transport rule", "Spam Diagnostics" …), so lookup ignores case, spaces, underscores and dashes.
 *
 * Facts: the message trace documentation (SRC.T1–T5) and Graph's event shape (SRC.G1); wording is ours.
 */
import { SRC } from './sources.js';

export type PipelineStage = 'submission' | 'receipt' | 'inspection' | 'routing' | 'transfer' | 'terminal' | 'other';

export type EventOutcome = 'delivered' | 'failed' | 'dropped' | 'deferred' | 'quarantined' | 'expanded';

export interface EventExplanation {
  name: string;
  meaning: string;
  stage: PipelineStage;
  terminal: boolean;
  outcome?: EventOutcome;
  sourceUrl: string;
}

interface EventEntry {
  name: string;
  /** Extra spellings (normalised: lower case, letters and digits only). */
  aliases?: readonly string[];
  meaning: string;
  stage: PipelineStage;
  outcome?: EventOutcome;
  sourceUrl: string;
}

const NOT_DOCUMENTED = 'Microsoft does not describe this as a message trace event, so treat the reading as approximate.';

const EVENTS: readonly EventEntry[] = [
  // submission
  {
    name: 'Submit',
    meaning:
      'The sender\'s mailbox handed the message to the transport service for sending. It shows for mail that starts in a mailbox of this organization.',
    stage: 'submission',
    sourceUrl: SRC.T4,
  },
  {
    name: 'ClientSubmission',
    meaning: 'A message was submitted from the Outbox of a mailbox.',
    stage: 'submission',
    sourceUrl: SRC.T4,
  },
  {
    name: 'NotifyMapi',
    meaning: 'Transport noticed a new message waiting in the Outbox of a mailbox.',
    stage: 'submission',
    sourceUrl: SRC.T4,
  },
  {
    name: 'SubmitDefer',
    meaning: 'Handing the message from the mailbox to the transport service was postponed; it will be tried again.',
    stage: 'submission',
    sourceUrl: SRC.T4,
  },
  {
    name: 'SubmitFail',
    meaning: 'Handing the message from the mailbox to the transport service failed.',
    stage: 'submission',
    sourceUrl: SRC.T4,
  },
  // receipt
  {
    name: 'Receive',
    aliases: ['received'],
    meaning:
      'The service received the message (from a mail client, another server, or another part of Exchange Online). The description names the receiving server and often the TLS version used.',
    stage: 'receipt',
    sourceUrl: SRC.T1,
  },
  // inspection
  {
    name: 'Spam',
    meaning: 'The spam filter recorded its verdict; the description gives the spam confidence level (SCL).',
    stage: 'inspection',
    sourceUrl: SRC.T3,
  },
  {
    name: 'Spam Diagnostics',
    aliases: ['spamdiagnostic'],
    meaning: 'Details of the spam filter\'s verdict for this message (spam confidence level and related values).',
    stage: 'inspection',
    sourceUrl: SRC.T3,
  },
  {
    name: 'Malware',
    aliases: ['malwarediagnostics', 'antimalware'],
    meaning:
      'The malware filter found malware (the description names it and the attachment) and blocked the message or replaced the attachments.',
    stage: 'inspection',
    sourceUrl: SRC.T2,
  },
  {
    name: 'Phish',
    aliases: ['phishing', 'phishdiagnostics'],
    meaning: `A phishing verdict was recorded for the message. ${NOT_DOCUMENTED}`,
    stage: 'inspection',
    sourceUrl: SRC.H1,
  },
  {
    name: 'AgentInfo',
    meaning:
      'A transport agent logged what it found; the data carries spam-filter (S:SFA), malware-filter (S:AMA) or mail flow rule (S:TRA) values.',
    stage: 'inspection',
    sourceUrl: SRC.T1,
  },
  {
    name: 'Transport rule',
    aliases: ['mailflowrule', 'transportrules', 'mailflowrules', 'etr', 'exchangetransportrule'],
    meaning:
      'A mail flow (transport) rule matched the message. The description names the rule and its ID; an ID of -1 means the rule has since been deleted.',
    stage: 'inspection',
    sourceUrl: SRC.T2,
  },
  {
    name: 'DLP rule',
    aliases: ['dlp', 'dlppolicy', 'dlppolicyrule', 'datalossprevention'],
    meaning: 'A data loss prevention (DLP) rule matched the message. A match is logged even when the rule took no action.',
    stage: 'inspection',
    sourceUrl: SRC.T1,
  },
  {
    name: 'Sensitivity label',
    aliases: ['label', 'sensitivitylabels'],
    meaning:
      'A sensitivity label was applied on the server side (auto-labelling, or a label set in Outlook on the web or mobile). Labels set in Outlook desktop are not logged here.',
    stage: 'inspection',
    sourceUrl: SRC.T1,
  },
  {
    name: 'Safe Links',
    aliases: ['safelink'],
    meaning: `Microsoft Defender for Office 365 checked the links in the message. ${NOT_DOCUMENTED}`,
    stage: 'inspection',
    sourceUrl: SRC.H1,
  },
  {
    name: 'Safe Attachments',
    aliases: ['safeattachment'],
    meaning: `Microsoft Defender for Office 365 checked the attachments in the message. ${NOT_DOCUMENTED}`,
    stage: 'inspection',
    sourceUrl: SRC.H1,
  },
  // routing
  {
    name: 'Expand',
    aliases: ['expanded', 'expanddl', 'expandgroup'],
    meaning:
      'The message went to a distribution group, which was expanded into its members. Each member then gets rows of its own after this one; the group itself receives nothing.',
    stage: 'routing',
    outcome: 'expanded',
    sourceUrl: SRC.T1,
  },
  {
    name: 'DuplicateExpand',
    meaning: 'While a group was expanded, a recipient already on the list turned up again, so no second copy was made.',
    stage: 'routing',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Resolve',
    aliases: ['resolved'],
    meaning:
      'A directory lookup rewrote the recipient address (for example a proxy address to the primary address). The original address appears on a separate row.',
    stage: 'routing',
    sourceUrl: SRC.T1,
  },
  {
    name: 'Redirect',
    aliases: ['redirected'],
    meaning:
      'A directory lookup (or a rule or spam action) sent the message on to a different recipient instead. Trace the new recipient separately to follow it.',
    stage: 'routing',
    sourceUrl: SRC.T4,
  },
  {
    name: 'DuplicateRedirect',
    meaning: 'The alternative recipient was already a recipient of the message, so no extra copy was made.',
    stage: 'routing',
    sourceUrl: SRC.T4,
  },
  {
    name: 'SetRoute',
    meaning: `A routing decision was recorded for the message (an extended-trace value that Microsoft does not describe).`,
    stage: 'routing',
    sourceUrl: SRC.I4,
  },
  {
    name: 'RecipientInfo',
    meaning: `Extra information about a recipient was logged (an extended-trace value that Microsoft does not describe).`,
    stage: 'routing',
    sourceUrl: SRC.I4,
  },
  {
    name: 'InitMessageCreated',
    meaning: 'The message is for a moderated recipient, so it went to the arbitration mailbox to wait for a moderator\'s decision.',
    stage: 'routing',
    sourceUrl: SRC.T4,
  },
  {
    name: 'ModeratorApprove',
    meaning: 'A moderator approved the message, so it goes on to the recipients.',
    stage: 'routing',
    sourceUrl: SRC.T4,
  },
  // transfer
  {
    name: 'Send',
    aliases: ['sent'],
    meaning: 'The service passed the message on over SMTP, between its own transport services or onward (description "Message transferred.").',
    stage: 'transfer',
    sourceUrl: SRC.T1,
  },
  {
    name: 'Send external',
    aliases: ['sendexternal', 'sentexternal'],
    meaning: 'The message left Exchange Online for a mail server outside the organization.',
    stage: 'transfer',
    sourceUrl: SRC.I3,
  },
  {
    name: 'Transfer',
    aliases: ['transferred'],
    meaning:
      'Some recipients were moved to a split-off copy of the message (for content conversion, recipient limits or transport agents). The copy continues on its own rows.',
    stage: 'transfer',
    sourceUrl: SRC.T1,
  },
  // other (bookkeeping, redundancy, notifications)
  {
    name: 'DSN',
    aliases: ['ndr', 'deliverystatusnotification'],
    meaning: 'A delivery status notification (for example a non-delivery report) was generated for the message.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'HAReceive',
    meaning: 'Another server received a backup (shadow) copy of the message for redundancy.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'HARedirect',
    meaning: 'A backup (shadow) copy of the message was created on another server for redundancy.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'HARedirectFail',
    meaning: 'Creating a backup (shadow) copy of the message failed; delivery itself carries on.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'HADiscard',
    meaning: 'The backup (shadow) copy was thrown away because the main copy had moved on to the next hop.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'NotifyShadow',
    meaning: 'Bookkeeping between the server holding the message and the server holding its backup (shadow) copy; no effect on delivery.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Resubmit',
    meaning: 'The message was sent again automatically from Safety Net (copies of recently processed mail that transport keeps).',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'ResubmitDefer',
    meaning: 'Sending the message again from Safety Net was postponed.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'ResubmitFail',
    meaning: 'Sending the message again from Safety Net failed.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Load',
    meaning: 'The message was loaded from the queue when the transport service started up.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Process',
    meaning: 'The message was processed successfully.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'ProcessMeetingMessage',
    meaning: 'A meeting request or response was processed when it was delivered to the mailbox.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Throttle',
    aliases: ['throttled'],
    meaning: 'The message was slowed down by throttling.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Suppressed',
    meaning: 'Sending of the message was suppressed.',
    stage: 'other',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Journal',
    aliases: ['journaling', 'journalreport'],
    meaning: `A journal report (a copy kept for compliance) was made for the message. ${NOT_DOCUMENTED}`,
    stage: 'other',
    sourceUrl: SRC.T1,
  },
  {
    name: 'Quarantine release',
    aliases: ['quarantinereleased', 'releasedfromquarantine', 'release'],
    meaning: `The message was released from quarantine, so delivery goes on (released mail carries SFV:SKQ). ${NOT_DOCUMENTED}`,
    stage: 'other',
    sourceUrl: SRC.H1,
  },
  // terminal
  {
    name: 'Deliver',
    aliases: ['delivered', 'delivery'],
    meaning:
      'The message was placed in the recipient\'s mailbox. The description says where: "successfully delivered" (Inbox), the Junk Email folder, or quarantine.',
    stage: 'terminal',
    outcome: 'delivered',
    sourceUrl: SRC.T1,
  },
  {
    name: 'Delivered to Junk',
    aliases: ['delivertojunk', 'deliveredtojunkemail', 'delivertojunkemail', 'junk', 'junkemail'],
    meaning: 'The message was delivered, but to the Junk Email folder rather than the Inbox.',
    stage: 'terminal',
    outcome: 'delivered',
    sourceUrl: SRC.I2,
  },
  {
    name: 'DuplicateDeliver',
    meaning:
      'A second copy reached the same recipient (for example through nested groups); the mailbox discards the duplicate, so the recipient has the message once.',
    stage: 'terminal',
    outcome: 'delivered',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Fail',
    aliases: ['failed', 'failure'],
    meaning:
      'Delivery failed and will not be retried; the sender normally gets an NDR. The reason (LED=…) holds the status code and the error text.',
    stage: 'terminal',
    outcome: 'failed',
    sourceUrl: SRC.T1,
  },
  {
    name: 'DeliverFail',
    meaning: 'An agent tried to deliver the message to a mailbox folder that does not exist.',
    stage: 'terminal',
    outcome: 'failed',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Drop',
    aliases: ['dropped'],
    meaning:
      'This copy was dropped without an NDR: for example a finished moderation request, spam dropped silently, an out-of-office reply meant for an outside address, or a group\'s own copy after expansion. A 250 2.1.5 code in the reason means it was normal.',
    stage: 'terminal',
    outcome: 'dropped',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Defer',
    aliases: ['deferred', 'deferral'],
    meaning:
      'Delivery was postponed and will be retried. The reason holds the error and, for outbound mail, the next-hop server it tried.',
    stage: 'terminal',
    outcome: 'deferred',
    sourceUrl: SRC.T1,
  },
  {
    name: 'Quarantine',
    aliases: ['quarantined', 'quarantinedmessage', 'messagequarantined'],
    meaning: 'The message was held in quarantine (as spam, bulk, phishing or malware) instead of reaching the mailbox.',
    stage: 'terminal',
    outcome: 'quarantined',
    sourceUrl: SRC.T1,
  },
  {
    name: 'ModeratorReject',
    meaning: 'A moderator rejected the message; the sender is told and the recipients do not get it.',
    stage: 'terminal',
    outcome: 'failed',
    sourceUrl: SRC.T4,
  },
  {
    name: 'ModerationExpire',
    meaning: 'No moderator approved or rejected the message in time, so it expired undelivered.',
    stage: 'terminal',
    outcome: 'failed',
    sourceUrl: SRC.T4,
  },
  {
    name: 'ModeratorsAllNdr',
    meaning: 'Every approval request sent to the moderators bounced, so the message could not be approved and was not delivered.',
    stage: 'terminal',
    outcome: 'failed',
    sourceUrl: SRC.T4,
  },
  {
    name: 'Badmail',
    meaning: 'A message dropped into the Pickup or Replay folder could neither be delivered nor returned to the sender.',
    stage: 'terminal',
    outcome: 'failed',
    sourceUrl: SRC.T4,
  },
  {
    name: 'PoisonMessage',
    aliases: ['poison', 'poisonqueue'],
    meaning:
      'The message was put into, or taken out of, the poison queue, where transport parks messages it suspects of crashing it.',
    stage: 'terminal',
    sourceUrl: SRC.T4,
  },
];

/** Lower case, letters and digits only: "Transport_rule" → "transportrule". */
export function normaliseEventName(event: string): string {
  return event.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const BY_KEY = new Map<string, EventEntry>();
for (const entry of EVENTS) {
  BY_KEY.set(normaliseEventName(entry.name), entry);
  for (const alias of entry.aliases ?? []) BY_KEY.set(alias, entry);
}

function byName(name: string): EventEntry {
  const entry = BY_KEY.get(normaliseEventName(name));
  if (!entry) throw new Error(`event table lacks ${name}`);
  return entry;
}

/** Free-text wordings that are not in the table as such ("Delivered to Junk Email folder", "Spam filtered", …). */
const FUZZY: readonly [RegExp, string][] = [
  [/junk/, 'Delivered to Junk'],
  [/quarantin.*releas|releas.*quarantin/, 'Quarantine release'],
  [/quarantin/, 'Quarantine'],
  [/^(transport|mailflow)rule|^etr/, 'Transport rule'],
  [/^dlp|datalossprevention/, 'DLP rule'],
  [/sensitivitylabel/, 'Sensitivity label'],
  [/^spamdiag/, 'Spam Diagnostics'],
  [/^spam|antispam/, 'Spam'],
  [/^malware|antimalware/, 'Malware'],
  [/phish/, 'Phish'],
  [/^expand/, 'Expand'],
  [/^sendexternal/, 'Send external'],
  [/^deliverfail/, 'DeliverFail'],
  [/^deliver/, 'Deliver'],
];

const UNKNOWN_MEANING = 'An event the service recorded; no explanation is on file.';

function toExplanation(entry: EventEntry): EventExplanation {
  const out: EventExplanation = {
    name: entry.name,
    meaning: entry.meaning,
    stage: entry.stage,
    terminal: entry.stage === 'terminal',
    sourceUrl: entry.sourceUrl,
  };
  if (entry.outcome) out.outcome = entry.outcome;
  return out;
}

/** Explain a trace event name. Case-insensitive and tolerant of spacing; never throws. */
export function explainEvent(event: string): EventExplanation {
  const raw = typeof event === 'string' ? event : String(event ?? '');
  const key = normaliseEventName(raw);
  const exact = key ? BY_KEY.get(key) : undefined;
  if (exact) return toExplanation(exact);
  if (key) {
    for (const [pattern, name] of FUZZY) {
      if (pattern.test(key)) return toExplanation(byName(name));
    }
  }
  return { name: raw, meaning: UNKNOWN_MEANING, stage: 'other', terminal: false, sourceUrl: SRC.T1 };
}

/** True when the event is one the knowledge base has an explanation for. */
export function isKnownEvent(event: string): boolean {
  return explainEvent(event).meaning !== UNKNOWN_MEANING;
}

const STAGE_RANK: Record<PipelineStage, number> = {
  submission: 0,
  receipt: 1,
  inspection: 2,
  routing: 3,
  transfer: 4,
  other: 5,
  terminal: 6,
};

/** Order of stages, used to break ties between events logged in the same second. */
export function stageRank(stage: PipelineStage): number {
  return STAGE_RANK[stage] ?? STAGE_RANK.other;
}

/** The names the event table explains, for tests and docs. */
export const KNOWN_EVENT_NAMES: readonly string[] = EVENTS.map((e) => e.name);
