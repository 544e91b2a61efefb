/**
 * Turns the detail events of one recipient into an ordered, decoded timeline.
 *
 * Ordering: Graph does not document an order, and events written in the same second can come
 * back in any order (a Fail before the rule event that caused it). The timeline therefore sorts by
 * 1. the second of `dateTime` (events whose time cannot be read go last),
 * 2. within one second, the processing stage of the event (`stageRank`: submission, receipt,
 *    inspection — spam/malware/rules —, routing/expansion, transfer/send, other, terminal
 *    Deliver/Fail/Drop/Defer last),
 * 3. then the millisecond time, the event name, the description, the action and the data,
 * so the result never depends on the order of the response.
 *
 * Times: `elapsedSeconds` is measured from the first entry and never decreases along the timeline
 * (a stage reorder inside one second can put an event whose clock is slightly earlier after
 * another: it gets the same elapsed time as its predecessor); `gapSeconds` is the increase over
 * the previous entry, never negative.
 *
 * Slow hop: the entry with the largest gap (the first one on a tie) gets `slowHop: true` when that
 * gap is at least {@link SLOW_HOP_MIN_SECONDS} seconds AND at least {@link SLOW_HOP_MIN_SHARE} of
 * the total elapsed time, i.e. one wait explains most of the delay.
 */
import type { MessageTraceDetailEvent } from '../graph/types.js';
import { decodeCustomData, type CustomData } from './decode/custom-data.js';
import { explainDeliveryFolder, explainEvent, stageRank } from './knowledge/index.js';
import { parseMepData, type MepFact } from './decode/mep.js';
import { decodeRecipientStatus, type RecipientStatus } from './decode/recipient-status.js';

export const SLOW_HOP_MIN_SECONDS = 60;
export const SLOW_HOP_MIN_SHARE = 0.5;

type EventInfo = ReturnType<typeof explainEvent>;
export type EventStage = EventInfo['stage'];
export type EventOutcome = NonNullable<EventInfo['outcome']>;

export interface RuleFacts {
  kind: 'transport' | 'dlp';
  name?: string;
  id?: string;
  dlpPolicy?: string;
  dlpPolicyId?: string;
  action?: string;
  mode?: string;
  severity?: string;
}

export interface LatencyFacts {
  totalSeconds?: number;
  e2eSeconds?: number;
  externalSendSeconds?: number;
  deliverySeconds?: number;
}

/** What one event's description and data say, decoded. All strings are untrusted text. */
export interface TimelineFacts {
  /** From the RecipientStatus MEP, else from the description's `Reason: […]`. */
  recipientStatus?: RecipientStatus;
  /** Plain `S:key=value` CustomData entries. */
  customData?: Record<string, string>;
  /** CustomData agent blobs (SFA spam filter, AMA anti-malware, TRA transport rule, …). */
  agents?: CustomData['agents'];
  /** 'TLS1.2', 'NONE', … (CustomData tlsversion or the description). */
  tlsVersion?: string;
  tlsCipher?: string;
  connector?: string;
  clientIp?: string;
  clientName?: string;
  serverHost?: string;
  firstForestHop?: string;
  returnPath?: string;
  recipientCount?: number;
  deliveryPriority?: string;
  sourceContext?: string;
  recipientReference?: string;
  relatedRecipient?: string;
  outboundProxyTargetIp?: string;
  outboundProxyTargetHost?: string;
  latency?: LatencyFacts;
  /** Where a Deliver event put the message (Inbox, Junk Email, quarantine). */
  deliveryFolder?: { folder: string; meaning: string };
  /** Anti-spam stamps (SCL, SFV, CAT, PCL, BCL, SFS, DI, IPV, …) from the SFA agent, MEPs or the description. */
  spam?: Record<string, string>;
  /** A transport (mail flow) or DLP rule match. */
  rule?: RuleFacts;
  malware?: { name?: string; file?: string; action?: string };
  sequenceNumber?: number | string;
  /** MEP facts not mapped above, by name. */
  other?: Record<string, string | number>;
}

export interface TimelineEntry {
  /** As Graph sent it. */
  dateTime: string;
  /** Milliseconds since the epoch; undefined when `dateTime` could not be read. */
  time?: number;
  event: string;
  action?: string;
  /** The raw description (untrusted). */
  description?: string;
  stage: EventStage;
  terminal: boolean;
  outcome?: EventOutcome;
  elapsedSeconds: number;
  gapSeconds: number;
  slowHop?: true;
  /** The parsed `data` MEPs. */
  mep: MepFact[];
  /** Why the `data` could not be read, when it could not. */
  dataError?: string;
  /** MEP elements skipped as malformed. */
  skippedMeps?: number;
  facts: TimelineFacts;
  /** Position in the response (for diagnostics only; never used for ordering). */
  inputIndex: number;
}

const SPAM_KEYS = new Set([
  'SCL', 'SFV', 'CAT', 'PCL', 'BCL', 'SFS', 'DI', 'IPV', 'SRV', 'CTRY', 'LANG', 'CIP', 'H', 'PTR', 'SFTY', 'DIR', 'SFP', 'ASF', 'SCORE',
]);

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : value === null || value === undefined ? undefined : String(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = value.trim();
  return t === '' ? undefined : t;
}

function toSeconds(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  return Number.isFinite(n) && String(value).trim() !== '' ? n : undefined;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** `Transport rule: '<name>', ID: ('<guid>'), DLP policy: '<name>', ID: (<guid>).` */
function parseRuleDescription(description: string, event: string): RuleFacts | undefined {
  const m =
    /(?:Transport|Mail flow|DLP)\s+rule:\s*'(.*?)',\s*ID:\s*\(\s*'?([^')]*?)'?\s*\)(?:,\s*DLP policy:\s*'(.*?)',\s*ID:\s*\(\s*'?([^')]*?)'?\s*\))?/i.exec(
      description,
    );
  if (!m) return undefined;
  const [, name, id, dlpPolicy, dlpPolicyId] = m;
  const zeroGuid = (g: string | undefined) => !g || /^[0-]+$/.test(g.trim());
  const isDlp = /dlp/i.test(event) || (!!nonEmpty(dlpPolicy) && !zeroGuid(dlpPolicyId)) || /^\s*DLP rule:/i.test(description);
  const rule: RuleFacts = { kind: isDlp ? 'dlp' : 'transport' };
  if (nonEmpty(name)) rule.name = name!.trim();
  if (nonEmpty(id)) rule.id = id!.trim();
  if (nonEmpty(dlpPolicy)) rule.dlpPolicy = dlpPolicy!.trim();
  if (!zeroGuid(dlpPolicyId)) rule.dlpPolicyId = dlpPolicyId!.trim();
  return rule;
}

type TextFact = 'connector' | 'clientIp' | 'clientName' | 'serverHost' | 'firstForestHop' | 'returnPath' | 'deliveryPriority' | 'sourceContext' | 'recipientReference' | 'relatedRecipient' | 'outboundProxyTargetIp' | 'outboundProxyTargetHost' | 'tlsVersion';

/**
 * MEPs whose text is a fact as it stands (the first one wins), by lower-case name. Maps, not
 * object literals: a MEP's name is mail data, and 'constructor' must not find Object's.
 */
const TEXT_FACTS = new Map<string, TextFact>(Object.entries({
  connectorid: 'connector',
  clientip: 'clientIp',
  clientname: 'clientName',
  serverhostname: 'serverHost',
  firstforesthop: 'firstForestHop',
  returnpath: 'returnPath',
  deliverypriority: 'deliveryPriority',
  sourcecontext: 'sourceContext',
  recipientreference: 'recipientReference',
  reference: 'recipientReference',
  relatedrecipient: 'relatedRecipient',
  relatedrecipientaddress: 'relatedRecipient',
  outboundproxytargetipaddress: 'outboundProxyTargetIp',
  outboundproxytargetip: 'outboundProxyTargetIp',
  outboundproxytargethostname: 'outboundProxyTargetHost',
  tlsversion: 'tlsVersion',
} satisfies Record<string, TextFact>));

/** Latency MEPs and CustomData keys (the first one wins), by lower-case name. */
const LATENCY_FACTS = new Map<string, keyof LatencyFacts>([
  ['totallatency', 'totalSeconds'],
  ['e2elatency', 'e2eSeconds'],
  ['externalsendlatency', 'externalSendSeconds'],
  ['deliverylatency', 'deliverySeconds'],
]);

/** What one event's facts are gathered into, before the maps become plain objects. */
interface Gathered {
  facts: TimelineFacts;
  other: Map<string, string | number>;
  spam: Map<string, string>;
  latency: LatencyFacts;
  statusFromMep: string | undefined;
  agentEntries: CustomData['agentEntries'];
}

function gatherMep(g: Gathered, name: string, value: string | number): void {
  const { facts } = g;
  const key = name.toLowerCase();
  const text = String(value);
  const textFact = TEXT_FACTS.get(key);
  const latencyFact = LATENCY_FACTS.get(key);
  if (textFact) {
    facts[textFact] ??= text;
  } else if (latencyFact) {
    g.latency[latencyFact] ??= toSeconds(value);
  } else if (key === 'recipientstatus') {
    g.statusFromMep ??= text;
  } else if (key === 'customdata') {
    const decoded = decodeCustomData(text);
    g.agentEntries.push(...decoded.agentEntries);
    facts.customData = { ...decoded.values, ...(facts.customData ?? {}) };
    if (decoded.agentEntries.length > 0) facts.agents = { ...decoded.agents, ...(facts.agents ?? {}) };
  } else if (key === 'rcptcount' || key === 'recipientcount') {
    if (facts.recipientCount === undefined && typeof value === 'number') facts.recipientCount = value;
    else if (facts.recipientCount === undefined) g.other.set(name, value);
  } else if (key === 'sequencenumber') {
    facts.sequenceNumber ??= value;
  } else if (SPAM_KEYS.has(name.toUpperCase())) {
    if (!g.spam.has(name.toUpperCase())) g.spam.set(name.toUpperCase(), text);
  } else if (!g.other.has(name)) {
    g.other.set(name, value);
  }
}

/** CustomData keys that carry the same facts as MEPs. */
function gatherCustomData(g: Gathered): void {
  for (const [k, v] of Object.entries(g.facts.customData ?? {})) {
    const key = k.toLowerCase();
    const latencyFact = LATENCY_FACTS.get(key);
    if (key === 'tlsversion') g.facts.tlsVersion ??= v;
    else if (latencyFact) g.latency[latencyFact] ??= toSeconds(v);
  }
}

/** Agents: the spam filter's stamps (SFA) and anti-malware's finding (AMA). */
function gatherAgents(g: Gathered): void {
  const sfa = g.facts.agents?.SFA;
  if (sfa) {
    for (const [k, v] of Object.entries(sfa)) {
      if (k === 'kind') continue;
      const key = k.toUpperCase();
      if (!g.spam.has(key)) g.spam.set(key, v);
    }
  }
  const amaEntries = g.agentEntries.filter((a) => a.agent === 'AMA');
  if (amaEntries.length > 0) {
    const malware: NonNullable<TimelineFacts['malware']> = {};
    for (const { fields } of amaEntries) {
      if (nonEmpty(fields['name'])) malware.name ??= fields['name']!.trim();
      if (nonEmpty(fields['file'])) malware.file ??= fields['file']!.trim();
      if (nonEmpty(fields['action'])) malware.action ??= fields['action']!.trim();
    }
    if (Object.keys(malware).length > 0) g.facts.malware = malware;
  }
}

/** Rules: the description of a 'Transport rule' / 'DLP rule' event, or the TRA agent. */
function gatherRule(g: Gathered, desc: string, event: string, action: string | undefined): void {
  const ruleFromText = parseRuleDescription(desc, event);
  const tra = g.facts.agents?.TRA;
  if (!ruleFromText && !tra) return;
  const rule: RuleFacts = ruleFromText ?? { kind: /dlp/i.test(event) ? 'dlp' : 'transport' };
  if (tra) {
    if (!rule.id && nonEmpty(tra['ruleId'])) rule.id = tra['ruleId']!.trim();
    if (nonEmpty(tra['action'])) rule.action = tra['action']!.trim();
    if (nonEmpty(tra['mode'])) rule.mode = tra['mode']!.trim();
    if (nonEmpty(tra['sev'])) rule.severity = tra['sev']!.trim();
  }
  if (!rule.action && nonEmpty(action)) rule.action = action!.trim();
  g.facts.rule = rule;
}

/** What the description says of malware ('Malware: "ZipBomb" was detected in attachment file.zip') and TLS. */
function gatherMalwareAndTls(facts: TimelineFacts, desc: string): void {
  const mal = /Malware:\s*"([^"]*)"(?:\s+was detected in attachment\s+(.+?))?\.?\s*$/i.exec(desc);
  if (mal) {
    facts.malware = { ...(facts.malware ?? {}) };
    if (nonEmpty(mal[1])) facts.malware.name ??= mal[1]!;
    if (nonEmpty(mal[2])) facts.malware.file ??= mal[2]!;
  }
  // 'Message received by: X using TLS1.2 with AES256'.
  const tls = /\b(TLS\s?1\.[0-3]|SSL\s?3(?:\.0)?)(?:\s+with\s+([A-Za-z0-9_-]+))?/i.exec(desc);
  if (tls) {
    if (!facts.tlsVersion || facts.tlsVersion.toUpperCase() === 'NONE') facts.tlsVersion = tls[1]!.replace(/\s+/g, '');
    if (tls[2]) facts.tlsCipher = tls[2];
  }
}

/**
 * RecipientStatus: the MEP first, else the description when it carries a Reason / LED block or
 * the event is an outcome that normally has one.
 */
function gatherRecipientStatus(facts: TimelineFacts, statusFromMep: string | undefined, desc: string, info: EventInfo): void {
  const outcomeEvent = info.outcome === 'failed' || info.outcome === 'deferred' || info.outcome === 'dropped';
  let status = statusFromMep !== undefined ? decodeRecipientStatus(statusFromMep) : undefined;
  if (!status && (/LED=|Reason:/i.test(desc) || (outcomeEvent && desc !== ''))) status = decodeRecipientStatus(desc);
  if (!status) return;
  facts.recipientStatus = status;
  // The description's trailer names the next hop even when the MEP does not.
  if (statusFromMep !== undefined && /OutboundProxyTarget/i.test(desc)) {
    const fromDesc = decodeRecipientStatus(desc);
    facts.outboundProxyTargetIp ??= fromDesc?.attributes['OutboundProxyTargetIP'];
    facts.outboundProxyTargetHost ??= fromDesc?.attributes['OutboundProxyTargetHostName'];
  }
  facts.outboundProxyTargetIp ??= status.attributes['OutboundProxyTargetIP'];
  facts.outboundProxyTargetHost ??= status.attributes['OutboundProxyTargetHostName'];
  if (facts.outboundProxyTargetIp === undefined) delete facts.outboundProxyTargetIp;
  if (facts.outboundProxyTargetHost === undefined) delete facts.outboundProxyTargetHost;
}

/** The facts of one event, from its MEPs (first), then its CustomData, agents and description. */
function extractFacts(
  event: string,
  action: string | undefined,
  description: string | undefined,
  mep: MepFact[],
  info: EventInfo,
): TimelineFacts {
  const g: Gathered = { facts: {}, other: new Map(), spam: new Map(), latency: {}, statusFromMep: undefined, agentEntries: [] };
  const { facts } = g;
  for (const { name, value } of mep) gatherMep(g, name, value);
  gatherCustomData(g);
  gatherAgents(g);

  const desc = description ?? '';
  // Spam verdict in the description: 'Spam confidence level: 9'.
  const sclText = /Spam confidence level:\s*(-?\d+)/i.exec(desc);
  if (sclText && !g.spam.has('SCL')) g.spam.set('SCL', sclText[1]!);
  if (g.spam.size > 0) facts.spam = Object.fromEntries(g.spam);

  gatherRule(g, desc, event, action);
  gatherMalwareAndTls(facts, desc);
  gatherRecipientStatus(facts, g.statusFromMep, desc, info);

  // Where a Deliver event put the message.
  if (info.outcome === 'delivered' || info.outcome === 'quarantined' || /^deliver/i.test(event)) {
    // The description names the folder; some event names do too ("Delivered to Junk").
    const folder = explainDeliveryFolder(desc) ?? explainDeliveryFolder(event);
    if (folder) facts.deliveryFolder = folder;
  }

  const lat = Object.fromEntries(Object.entries(g.latency).filter(([, v]) => v !== undefined)) as LatencyFacts;
  if (Object.keys(lat).length > 0) facts.latency = lat;
  if (g.other.size > 0) facts.other = Object.fromEntries(g.other);
  return facts;
}

interface Draft {
  entry: TimelineEntry;
  rank: number;
  data: string;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDrafts(a: Draft, b: Draft): number {
  const ta = a.entry.time;
  const tb = b.entry.time;
  if (ta === undefined || tb === undefined) {
    if (ta !== undefined) return -1;
    if (tb !== undefined) return 1;
  } else {
    const sa = Math.floor(ta / 1000);
    const sb = Math.floor(tb / 1000);
    if (sa !== sb) return sa - sb;
  }
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (ta !== undefined && tb !== undefined && ta !== tb) return ta - tb;
  return (
    compareStrings(a.entry.dateTime, b.entry.dateTime) ||
    compareStrings(a.entry.event, b.entry.event) ||
    compareStrings(a.entry.description ?? '', b.entry.description ?? '') ||
    compareStrings(a.entry.action ?? '', b.entry.action ?? '') ||
    compareStrings(a.data, b.data)
  );
}

/** Parse, decode and order the detail events of one recipient. Never throws on bad event data. */
export function buildTimeline(events: readonly MessageTraceDetailEvent[]): TimelineEntry[] {
  const drafts: Draft[] = (Array.isArray(events) ? events : []).map((raw, inputIndex) => {
    const e = (raw ?? {}) as Partial<MessageTraceDetailEvent>;
    const event = str(e.event)?.trim() ?? '';
    const dateTime = str(e.dateTime) ?? '';
    const parsedTime = Date.parse(dateTime);
    const description = str(e.description);
    const action = nonEmpty(str(e.action));
    const data = str(e.data) ?? '';
    const info = explainEvent(event);
    const parsed = parseMepData(data);
    const entry: TimelineEntry = {
      dateTime,
      event,
      stage: info.stage,
      terminal: info.terminal,
      elapsedSeconds: 0,
      gapSeconds: 0,
      mep: parsed.facts,
      facts: extractFacts(event, action, description, parsed.facts, info),
      inputIndex,
    };
    if (Number.isFinite(parsedTime)) entry.time = parsedTime;
    if (action !== undefined) entry.action = action;
    if (description !== undefined && description !== '') entry.description = description;
    if (info.outcome !== undefined) entry.outcome = info.outcome;
    if (parsed.error !== undefined) entry.dataError = parsed.error;
    if (parsed.skipped !== undefined) entry.skippedMeps = parsed.skipped;
    return { entry, rank: stageRank(info.stage), data };
  });

  drafts.sort(compareDrafts);
  const entries = drafts.map((d) => d.entry);

  const t0 = entries.find((e) => e.time !== undefined)?.time ?? 0;
  let previous = 0;
  entries.forEach((entry, i) => {
    const elapsed = entry.time === undefined ? previous : Math.max(previous, round3((entry.time - t0) / 1000));
    entry.elapsedSeconds = elapsed;
    entry.gapSeconds = i === 0 ? 0 : round3(elapsed - previous);
    previous = elapsed;
  });

  const total = entries.length > 0 ? entries[entries.length - 1]!.elapsedSeconds : 0;
  let slowest: TimelineEntry | undefined;
  for (const entry of entries) if (!slowest || entry.gapSeconds > slowest.gapSeconds) slowest = entry;
  if (slowest && slowest.gapSeconds >= SLOW_HOP_MIN_SECONDS && slowest.gapSeconds >= SLOW_HOP_MIN_SHARE * total) {
    slowest.slowHop = true;
  }
  return entries;
}
