/**
 * The delivery story of one recipient, from the `getDetailsByRecipient` events: what happened,
 * where and when it stopped or landed, why, and who has to do what. Built on the timeline
 * (ordering, decoded data) and the knowledge base (status codes, events, spam stamps, rules).
 *
 * Everything that comes from mail data (addresses, descriptions, remote server text, rule names,
 * host names) is fenced with `fenceUntrusted`; the summary never quotes raw descriptions, only
 * short fenced fragments (the remote server's words, the domain, host names).
 */
import type { MessageTraceDetailEvent } from '../graph/types.js';
import { normaliseStatus, type TraceStatus } from '../graph/types.js';
import {
  explainCat,
  explainEvent,
  explainRuleMatch,
  explainSpamVerdict,
  explainStatusCode,
  explainTraceStatus,
  isKnownEvent,
  normaliseEventName,
  parseEnhancedCode,
} from './knowledge/index.js';
import { statusClass, type RecipientStatus } from './decode/recipient-status.js';
import { NORMAL_PROCESSING_MINUTES } from '../graph/status-meanings.js';
import { buildTimeline, SLOW_HOP_MIN_SECONDS, SLOW_HOP_MIN_SHARE, type TimelineEntry } from './timeline.js';
import { cleanText, fenceUntrusted, sanitizeText } from '../output/untrusted.js';
import { domainOf } from '../output/addresses.js';
import { formatDuration } from '../output/duration.js';
import { parseIsoInstant } from '../shapes.js';
import type { DetailsExplanation, ExplainedEvent } from './answer.js';

export type DeliveryState =
  | 'delivered'
  | 'failed'
  | 'pending'
  | 'deferred'
  | 'quarantined'
  | 'filteredAsSpam'
  | 'expanded'
  | 'dropped'
  | 'recalled'
  | 'unknown';

export interface ExplainDetailsInput {
  events: MessageTraceDetailEvent[];
  recipientAddress: string;
  /** The list row's status, if known. */
  status?: string;
  /** Minutes from the row's receivedDateTime to now: tells normal processing from a stuck gettingStatus. */
  statusAgeMinutes?: number;
  format: 'concise' | 'detailed';
}

/** Concise output lists at most this many (collapsed) events. */
export const CONCISE_MAX_EVENTS = 25;
/** Detailed output lists at most this many events (the first ones and the last five). */
export const DETAILED_MAX_EVENTS = 60;
/**
 * Detailed output: characters for every event's description and facts together, shared out
 * evenly, so a trace with hundreds of long events stays a readable answer (about 20,000 tokens
 * at most) while a normal trace keeps full descriptions.
 */
export const DETAILED_EVENTS_BUDGET = 40_000;
/** Most rules listed; more are counted in a note. */
export const MAX_RULES = 10;
const CONCISE_DESCRIPTION_CHARS = 300;
const DETAILED_DESCRIPTION_CHARS = 1000;
const DETAILED_FACTS_CHARS = 3000;
const FACT_CHARS = 300;

const QUARANTINE_URL = 'https://learn.microsoft.com/en-us/defender-office-365/quarantine-admin-manage-messages-files';
const ANTI_SPAM_URL = 'https://learn.microsoft.com/en-us/defender-office-365/anti-spam-protection-about';
/** A GUID, a rule id like -1, or another plain token that is safe to print unfenced. */
const PLAIN_ID = /^-?[0-9A-Za-z][0-9A-Za-z-]{0,63}$/;

// ---------------------------------------------------------------------------------------------
// Small formatting helpers

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** '2026-01-25 09:49:29 UTC' (or the raw text, fenced, when it is not a date). */
function when(dateTime: string | undefined): string {
  if (!dateTime) return 'an unknown time';
  const t = Date.parse(dateTime);
  if (!Number.isFinite(t)) return fenceUntrusted(dateTime, 40);
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** ISO 8601 of a Graph dateTime, when readable. */
function iso(dateTime: string | undefined): string | undefined {
  if (!dateTime) return undefined;
  const t = Date.parse(dateTime);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}


/**
 * An event time as Graph gave it when it is ISO 8601; another text Date can read is shown
 * normalised (Date.parse also reads "Jan 1 2026 (any words)", comment included); else fenced.
 */
function eventTime(entry: TimelineEntry): string {
  if (entry.time === undefined) return fenceUntrusted(entry.dateTime, 40);
  return parseIsoInstant(entry.dateTime) !== undefined ? entry.dateTime : new Date(entry.time).toISOString();
}

/** An event name the knowledge base knows by that name is shown plain; any other name is data, fenced. */
function eventName(event: string): string {
  const clean = cleanText(event, 40);
  if (clean === '') return '(no event name)';
  const known = isKnownEvent(clean) && normaliseEventName(explainEvent(clean).name) === normaliseEventName(clean);
  return known ? clean : fenceUntrusted(clean, 40);
}

/** A fenced description, or '' when there is nothing to show. */
function describedOrEmpty(description: string | null | undefined, maxChars: number): string {
  return sanitizeText(description ?? '') === '' ? '' : fenceUntrusted(description ?? '', maxChars);
}

function plainOrFenced(value: string): string {
  return PLAIN_ID.test(value) ? value : fenceUntrusted(value, 80);
}

function ownerWords(owner: string): string {
  switch (owner) {
    case 'sender':
      return 'the sender';
    case 'sender admin':
      return "the sender's email admin";
    case 'recipient admin':
      return "the recipient's email admin";
    case 'recipient':
      return 'the recipient';
    case 'group owner':
      return 'the group owner';
    case 'Microsoft':
      return 'Microsoft (support or delisting)';
    default:
      return owner;
  }
}

function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  return /[.!?»)]$/.test(t) ? t : `${t}.`;
}

/** The first sentence of a knowledge-base text (the rest stays in `diagnosis`). */
function firstSentence(text: string): string {
  const m = /^[\s\S]*?[.!?](?=\s+[A-Z"(]|$)/.exec(text.trim());
  return (m ? m[0] : text).trim();
}

/** End a sentence that may finish with a fenced quote: «…». or «….» both read fine; avoid «….». */
function closeSentence(text: string): string {
  return /[.!?]»$/.test(text) ? text : `${text}.`;
}

function codeLine(status: RecipientStatus): string {
  return [status.smtpCode, status.enhancedCode].filter(Boolean).join(' ');
}

/** A compact, fenced rendering of a decoded status: «550 5.4.310 DNS domain x does not exist» + remote host. */
function statusLine(status: RecipientStatus, maxChars: number): string {
  const parts = [codeLine(status), status.component ? `${status.component};` : '', status.text].filter((p) => p !== '');
  let line = parts.join(' ');
  const where = [status.remoteHost, status.remoteIp].filter((p): p is string => !!p);
  if (where.length > 0 && !line.includes(where[0]!)) line += ` (remote: ${where.join(' ')})`;
  else if (status.remoteIp) line += ` (remote IP ${status.remoteIp})`;
  return fenceUntrusted(line, maxChars);
}

// ---------------------------------------------------------------------------------------------
// Facts rendering (detailed format)

/** What is left of one event's facts budget (characters), and how many facts did not fit. */
interface FactsBudget {
  left: number;
  omitted: number;
}

/** A fact name: plain when it is a plain identifier (ClientIP, S:tlsversion), else fenced (MEP names are data too). */
function factKey(key: string): string {
  const clean = cleanText(key, 80);
  return /^[A-Za-z0-9_.:-]{1,80}$/.test(clean) ? clean : fenceUntrusted(clean, 80);
}

function fenceDeep(value: unknown, budget: FactsBudget, depth = 0): unknown {
  if (depth > 6) return undefined;
  // Codes, numbers, times and IPv4 addresses cannot carry words: left bare to save tokens.
  if (typeof value === 'string') {
    const out = /^[0-9][0-9.:TZ+-]{0,39}$/.test(value) ? value : fenceUntrusted(value, Math.max(20, Math.min(FACT_CHARS, budget.left)));
    budget.left -= out.length + 3;
    return out;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    budget.left -= 8;
    return value;
  }
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value)
    ? value.map((v) => [undefined, v])
    : value && typeof value === 'object'
      ? Object.entries(value)
      : [];
  if (entries.length === 0 && !(value && typeof value === 'object')) return undefined;
  const out: Array<[string | undefined, unknown]> = [];
  for (const [k, v] of entries) {
    if (v === undefined || v === null || typeof v === 'function') continue;
    if (budget.left <= 0) {
      budget.omitted += 1;
      continue;
    }
    const key = k === undefined ? undefined : factKey(k);
    budget.left -= (key?.length ?? 0) + 4;
    const fenced = fenceDeep(v, budget, depth + 1);
    if (fenced === undefined) budget.omitted += 1;
    else out.push([key, fenced]);
  }
  return Array.isArray(value) ? out.map(([, v]) => v) : Object.fromEntries(out);
}

function detailedFacts(entry: TimelineEntry, maxChars: number): Record<string, unknown> | undefined {
  const facts: Record<string, unknown> = { ...(entry.facts as Record<string, unknown>) };
  if (entry.action) facts['action'] = entry.action;
  if (entry.dataError) facts['dataError'] = entry.dataError;
  if (entry.skippedMeps) facts['skippedMeps'] = entry.skippedMeps;
  const budget: FactsBudget = { left: maxChars, omitted: 0 };
  const rendered = fenceDeep(facts, budget) as Record<string, unknown>;
  if (budget.omitted > 0) rendered['omittedFacts'] = budget.omitted;
  return Object.keys(rendered).length > 0 ? rendered : undefined;
}

// ---------------------------------------------------------------------------------------------
// Outcome

interface Outcome {
  state: DeliveryState;
  folder?: string;
  at?: string | undefined;
  normal?: boolean;
  /** The event that decided the state, if any. */
  decisive?: TimelineEntry;
  /** The event carrying the failure / deferral / drop reason. */
  statusEntry?: TimelineEntry;
  /** Recalled rows: what the events showed (the recall itself is no trace event). */
  beforeRecall?: { state: DeliveryState; folder?: string; at?: string | undefined };
}

function isQuarantineFolder(entry: TimelineEntry): boolean {
  const folder = entry.facts.deliveryFolder?.folder ?? '';
  return /quarantin/i.test(folder) || /quarantin/i.test(entry.description ?? '');
}

function isJunkFolder(folder: string | undefined): boolean {
  return !!folder && /junk/i.test(folder);
}

function isGroupExpansion(status: RecipientStatus | undefined): boolean {
  return !!status && (/RESOLVER\.GRP\.Expanded/i.test(status.component ?? '') || /distribution list expanded/i.test(status.text));
}

function decideOutcome(timeline: TimelineEntry[], rowStatus: TraceStatus | undefined, notes: string[], ageMinutes?: number): Outcome {
  let decisive: TimelineEntry | undefined;
  for (const entry of timeline) if (entry.outcome) decisive = entry;
  const hasExpand = timeline.some((e) => e.outcome === 'expanded');
  let out: Outcome;

  if (!decisive) {
    out = { state: 'unknown' };
  } else {
    const status = decisive.facts.recipientStatus;
    const base = { decisive, at: iso(decisive.dateTime) };
    switch (decisive.outcome) {
      case 'delivered':
      case 'quarantined': {
        const folder = decisive.facts.deliveryFolder?.folder;
        if (decisive.outcome === 'quarantined' || isQuarantineFolder(decisive)) {
          out = { ...base, state: 'quarantined', folder: folder ?? 'Quarantine' };
        } else {
          out = { ...base, state: 'delivered', normal: !isJunkFolder(folder), ...(folder ? { folder } : {}) };
        }
        break;
      }
      case 'failed':
        out = { ...base, state: 'failed', statusEntry: decisive };
        break;
      case 'deferred':
        out = { ...base, state: 'deferred', statusEntry: decisive };
        break;
      case 'expanded':
        out = { ...base, state: 'expanded', normal: true };
        break;
      case 'dropped': {
        if (isGroupExpansion(status) || (hasExpand && statusClass(status) !== 5 && statusClass(status) !== 4)) {
          const expand = [...timeline].reverse().find((e) => e.outcome === 'expanded');
          out = { ...base, state: 'expanded', normal: true, ...(expand ? { at: iso(expand.dateTime) } : {}) };
        } else if (statusClass(status) === 2) {
          out = { ...base, state: 'dropped', normal: true, statusEntry: decisive };
        } else {
          out = { ...base, state: 'dropped', normal: false, statusEntry: decisive };
        }
        break;
      }
      default:
        out = { ...base, state: 'unknown' };
    }
  }

  // The row status (from the list call) settles policy outcomes the events can hide, and fills in
  // when the events have no outcome yet.
  if (rowStatus) {
    const fromRow: Partial<Record<TraceStatus, DeliveryState>> = {
      delivered: 'delivered',
      failed: 'failed',
      pending: 'pending',
      expanded: 'expanded',
      quarantined: 'quarantined',
      filteredAsSpam: 'filteredAsSpam',
      recalled: 'recalled',
    };
    const rowState = fromRow[rowStatus];
    if (rowStatus === 'recalled') {
      const before = { state: out.state, ...(out.folder ? { folder: out.folder } : {}), at: out.at };
      out = { state: 'recalled', beforeRecall: before, at: out.at, ...(out.decisive ? { decisive: out.decisive } : {}) };
    } else if ((rowStatus === 'quarantined' || rowStatus === 'filteredAsSpam') && out.state !== rowStatus) {
      if (out.state !== 'unknown' && out.state !== 'delivered' && out.state !== 'pending') {
        notes.push(
          `The list row says ${rowStatus} while the events end with ${out.state}; the row status can lag 5–10 minutes behind the events.`,
        );
      }
      out = { ...out, state: rowStatus };
      delete out.normal;
    } else if (out.state === 'unknown') {
      if (rowStatus === 'gettingStatus') {
        notes.push(gettingStatusNote(ageMinutes));
      } else if (rowState) {
        out = { ...out, state: rowState };
        if (rowState === 'delivered' || rowState === 'expanded') out.normal = true;
        if (rowState === 'failed' || rowState === 'pending') {
          // The reason may sit on an earlier event (a Defer retrying, a Fail written before a Receive).
          const withStatus = [...timeline].reverse().find((e) => statusClass(e.facts.recipientStatus) === 5 || statusClass(e.facts.recipientStatus) === 4);
          if (withStatus) out.statusEntry = withStatus;
        }
      }
    } else if (rowStatus === 'pending' && out.state === 'deferred') {
      // Pending + a Defer event: deferred says more.
    } else if (rowState && rowState !== out.state && !(rowState === 'expanded' && out.state === 'dropped')) {
      notes.push(
        `The list row says ${rowStatus} while the events end with ${out.state}; the row status can lag 5–10 minutes behind the events, so the events are used here.`,
      );
    }
  }
  return out;
}

/** gettingStatus read right: normal processing while the message is fresh, worth a look after that. */
export function gettingStatusNote(ageMinutes: number | undefined): string {
  if (ageMinutes === undefined || !Number.isFinite(ageMinutes)) return sentence(explainTraceStatus('gettingStatus').meaning);
  const age = ageMinutes < 90 ? `${Math.max(0, Math.round(ageMinutes))} min` : formatDuration(ageMinutes * 60);
  return ageMinutes <= NORMAL_PROCESSING_MINUTES
    ? `Status gettingStatus: the message arrived ${age} ago; within about ${NORMAL_PROCESSING_MINUTES} minutes that is normal processing, not a problem. Check again in a few minutes.`
    : `Status gettingStatus ${age} after the message arrived: longer than normal processing (about ${NORMAL_PROCESSING_MINUTES} minutes); the events show how far it got.`;
}

// ---------------------------------------------------------------------------------------------
// Spam, rules

/**
 * An anti-spam stamp value as the knowledge base may quote it: stamps are codes (SPM, HPHSH, 9,
 * 470454002,349001, 1.2.3.4); anything else is data written into the header, fenced.
 */
function spamValue(value: string): string {
  const t = value.trim();
  return /^[A-Za-z0-9.,:_-]{1,64}$/.test(t) ? t : fenceUntrusted(t, 40);
}

function collectSpam(timeline: TimelineEntry[]): DetailsExplanation['spam'] {
  const facts = new Map<string, string>();
  for (const entry of timeline) {
    // A blank stamp (SRV= with no value) carries nothing: leave it out rather than print «».
    for (const [k, v] of Object.entries(entry.facts.spam ?? {})) if (!facts.has(k) && v.trim() !== '') facts.set(k, spamValue(v));
  }
  if (facts.size === 0) return undefined;
  const verdict = explainSpamVerdict(Object.fromEntries(facts));
  const spam: NonNullable<DetailsExplanation['spam']> = { summary: verdict.summary };
  if (verdict.scl !== undefined) spam.scl = verdict.scl;
  if (verdict.sfv !== undefined) spam.sfv = verdict.sfv;
  if (verdict.cat !== undefined) spam.cat = verdict.cat;
  return spam;
}

function spamCategory(timeline: TimelineEntry[]): { cat?: string; scl?: number } {
  let cat: string | undefined;
  let scl: number | undefined;
  for (const entry of timeline) {
    const s = entry.facts.spam;
    if (!s) continue;
    if (s['CAT'] !== undefined && s['CAT'].trim() !== '') cat ??= spamValue(s['CAT']);
    if (scl === undefined && s['SCL'] !== undefined && /^-?\d+$/.test(s['SCL'])) scl = Number(s['SCL']);
  }
  return { ...(cat ? { cat: cat.toUpperCase() } : {}), ...(scl !== undefined ? { scl } : {}) };
}

const NOTABLE_SFV = new Set(['SKA', 'SKN', 'SFE', 'SKQ', 'SKS', 'SKB', 'BLK', 'SPM']);

/** A short verdict for the summary, e.g. 'SCL 9, high confidence phishing (CAT:HPHSH)'; the full one is in `spam`. */
function spamShort(timeline: TimelineEntry[], spam: DetailsExplanation['spam']): string | undefined {
  if (!spam) return undefined;
  const { cat, scl } = spamCategory(timeline);
  const parts: string[] = [];
  if (scl !== undefined) parts.push(`SCL ${scl}`);
  if (cat) {
    const words = explainCat(cat);
    const m = /^Protection category: (.*)\.$/.exec(words);
    parts.push(m ? m[1]! : `CAT:${cat}`);
  }
  if (spam.sfv && parts.length === 0) parts.push(`SFV:${spam.sfv}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function spamIsNotable(timeline: TimelineEntry[], spam: DetailsExplanation['spam']): boolean {
  if (!spam) return false;
  const { cat, scl } = spamCategory(timeline);
  return (scl !== undefined && (scl >= 5 || scl === -1)) || !!cat || (!!spam.sfv && NOTABLE_SFV.has(spam.sfv));
}

function collectRules(timeline: TimelineEntry[], notes: string[]): DetailsExplanation['rules'] {
  const rules: NonNullable<DetailsExplanation['rules']> = [];
  const seen = new Set<string>();
  for (const entry of timeline) {
    const r = entry.facts.rule;
    if (!r) continue;
    const key = `${r.kind}|${r.id ?? ''}|${r.name ?? ''}|${r.dlpPolicy ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (rules.length >= MAX_RULES) continue;
    const name = r.name ? fenceUntrusted(r.name, 80) : undefined;
    const action = r.action ? cleanText(r.action, 60) : undefined;
    const item: NonNullable<DetailsExplanation['rules']>[number] = {
      kind: r.kind,
      // The knowledge base fences the name and id itself.
      explanation: explainRuleMatch({
        kind: r.kind,
        ...(r.id ? { ruleId: r.id.trim() } : {}),
        ...(r.name ? { ruleName: r.name } : {}),
        ...(action ? { action } : {}),
        ...(r.mode ? { mode: r.mode } : {}),
      }),
    };
    if (name) item.name = name;
    if (r.id) item.id = plainOrFenced(r.id.trim());
    // The knowledge base fences an action it does not know; the field itself is plain only when it is a token.
    if (action) item.action = plainOrFenced(action);
    if (r.kind === 'dlp' && r.dlpPolicy) item.explanation += ` DLP policy: ${fenceUntrusted(r.dlpPolicy, 80)}.`;
    rules.push(item);
  }
  if (seen.size > rules.length) notes.push(`${seen.size - rules.length} more rule matches are not listed (${seen.size} in all).`);
  return rules.length > 0 ? rules : undefined;
}

// ---------------------------------------------------------------------------------------------
// Diagnosis

type Diagnosis = NonNullable<DetailsExplanation['diagnosis']>;

function diagnose(outcome: Outcome, timeline: TimelineEntry[], spam: DetailsExplanation['spam']): Diagnosis | undefined {
  const status = outcome.statusEntry?.facts.recipientStatus;
  const needs =
    outcome.state === 'failed' ||
    outcome.state === 'deferred' ||
    (outcome.state === 'dropped' && outcome.normal === false) ||
    ((outcome.state === 'pending' || outcome.state === 'quarantined' || outcome.state === 'filteredAsSpam') && !!status);
  if (needs) {
    const code = status?.enhancedCode ?? (status ? parseEnhancedCode(`${codeLine(status)} ${status.text}`) : undefined);
    if (code) {
      // The remote host tells cases apart (5.7.1 "Unable to relay": the destination refused vs the relay refused).
      const kb = explainStatusCode(
        code,
        status ? { text: `${codeLine(status)} ${status.component ?? ''} ${status.text}`, remoteHost: status.remoteHost } : undefined,
      );
      return {
        code: kb.code,
        meaning: kb.meaning,
        fixOwner: kb.fixOwner,
        fix: kb.fix,
        learnMoreUrl: kb.learnMoreUrl,
        retryHelps: kb.retryHelps,
        ...(kb.case ? { case: kb.case } : {}),
        ...(kb.fallback ? { fallback: true as const } : {}),
      };
    }
  }

  if (outcome.state === 'quarantined') {
    const { cat } = spamCategory(timeline);
    const phish = cat !== undefined && /PHSH|PHISH/.test(cat);
    const malware = cat === 'MALW' || timeline.some((e) => e.facts.malware);
    return {
      code: null,
      // The verdict itself is in `spam` (said once, not again here).
      meaning: `Exchange Online Protection held the message in quarantine${spam ? ' for its spam verdict' : ''}; the recipient did not get it.`,
      fixOwner: 'recipient admin',
      fix:
        'If it is a false positive, an admin reviews it in the Microsoft Defender portal (Email & collaboration > Review > Quarantine) and releases it, then reports it to Microsoft' +
        (phish || malware ? '; high-confidence phishing and malware can be released only by an admin' : '') +
        '. If it is real, leave it and block the sender in the Tenant Allow/Block List.',
      learnMoreUrl: QUARANTINE_URL,
      retryHelps: false,
    };
  }
  if (outcome.state === 'filteredAsSpam') {
    return {
      code: null,
      meaning: `Spam filtering marked the message as spam${spam ? ' (see its spam verdict)' : ''} and it was not delivered to the Inbox.`,
      fixOwner: 'recipient admin',
      fix:
        "If it is legitimate, the recipient's admin checks the anti-spam policy action and can allow the sender in the Tenant Allow/Block List; the sender's admin makes sure SPF, DKIM and DMARC pass.",
      learnMoreUrl: ANTI_SPAM_URL,
      retryHelps: false,
    };
  }
  if (outcome.state === 'recalled') return undefined;
  if (needs) {
    const entry = outcome.statusEntry ?? outcome.decisive;
    const info = explainEvent(entry?.event ?? 'Fail');
    const temporary = outcome.state === 'deferred' || outcome.state === 'pending' || statusClass(status) === 4;
    return {
      code: null,
      meaning: temporary
        ? 'Delivery was postponed, but the trace gives no status code for it.'
        : 'The trace records that delivery stopped, but gives no status code for it.',
      fixOwner: temporary ? 'nobody (retried automatically)' : 'sender admin',
      fix: temporary
        ? 'Wait for the retries; if the message is still pending after a day, read the Defer events and the NDR the sender gets.'
        : 'Read the event description below and the NDR the sender received; they carry the detailed reason.',
      learnMoreUrl: info.sourceUrl,
      retryHelps: temporary,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Summary

interface StoryContext {
  recipient: string;
  timeline: TimelineEntry[];
  outcome: Outcome;
  diagnosis?: Diagnosis;
  spam?: DetailsExplanation['spam'];
  rules?: DetailsExplanation['rules'];
  traceId?: string;
  recipientAddress: string;
  /** A rule with id -1 (since deleted) caused the failure. */
  ruleDeleted?: boolean;
}

function isDomainMissing(status: RecipientStatus | undefined, code: string | null | undefined): boolean {
  if (code === '5.4.310') return true;
  if (!status) return false;
  return /InfoDomainNonexistent|NonExistentDomain/i.test(`${status.message ?? ''} ${status.component ?? ''}`) || /DNS domain .* does not exist/i.test(status.text);
}

function remoteWords(status: RecipientStatus | undefined): string {
  if (!status?.remoteHost) return '';
  return ` (remote server ${fenceUntrusted(status.remoteHost, 80)}${status.remoteIp ? `, ${fenceUntrusted(status.remoteIp, 45)}` : ''})`;
}

function actionSentences(d: Diagnosis, skipFix = false, ruleDeleted = false): string[] {
  const out: string[] = [];
  if (!skipFix) out.push(`What to do (${ownerWords(d.fixOwner)}): ${sentence(d.fix)}`);
  out.push(
    ruleDeleted
      ? 'The rule has since been deleted, so resending can work now unless another rule blocks it.'
      : d.retryHelps
        ? 'Retrying can help once the cause is gone.'
        : 'Retrying will not help: the cause has to be fixed first.',
  );
  return out;
}

/** Why a message did not arrive and what to do: the code's meaning, the rules that matched, the actions. */
function whyAndWhatToDo(ctx: StoryContext): string[] {
  const { diagnosis: d, rules } = ctx;
  const out: string[] = [];
  if (d) out.push(sentence(firstSentence(d.meaning)));
  const rs = ruleSentence(rules);
  if (rs) out.push(rs);
  if (d) out.push(...actionSentences(d, false, ctx.ruleDeleted));
  return out;
}

function sinceStart(ctx: StoryContext, entry: TimelineEntry | undefined): string {
  if (!entry || entry.elapsedSeconds <= 0) return '';
  const first = ctx.timeline[0];
  return ` (${formatDuration(entry.elapsedSeconds)} after ${first ? eventName(first.event) : 'the first event'})`;
}

function ruleSentence(rules: DetailsExplanation['rules']): string {
  if (!rules || rules.length === 0) return '';
  const names = rules.slice(0, 3).map((r) => {
    const label = r.kind === 'dlp' ? 'DLP rule' : 'mail flow rule';
    const id = r.id === '-1' ? ' (id -1: the rule has since been deleted)' : r.id ? ` (id ${r.id})` : '';
    return `${label} ${r.name ?? '(no name)'}${id}${r.action ? `, action ${r.action}` : ''}`;
  });
  return `Matched: ${names.join('; ')}${rules.length > 3 ? `; and ${rules.length - 3} more` : ''}.`;
}

function deferralStats(timeline: TimelineEntry[]): { count: number; first?: TimelineEntry; last?: TimelineEntry } {
  const defers = timeline.filter((e) => e.outcome === 'deferred');
  return { count: defers.length, first: defers[0], last: defers[defers.length - 1] };
}

function expiryWindow(first: TimelineEntry | undefined): string {
  const t = first?.time;
  if (t === undefined) return 'about 1–2 days after the first attempt';
  return `between about ${when(new Date(t + 86400_000).toISOString())} and ${when(new Date(t + 2 * 86400_000).toISOString())}`;
}

/** A delivery that succeeded only after retries: how many, since when, and the last reason. */
function deferralSentence(timeline: TimelineEntry[]): string | undefined {
  const defers = timeline.filter((e) => e.outcome === 'deferred');
  const last = defers.at(-1);
  if (!last) return undefined;
  const status = last.facts.recipientStatus;
  const reason = status ? ` (last reason: ${fenceUntrusted(`${codeLine(status)} ${status.text}`.trim(), 90)})` : '';
  const meaning = status?.enhancedCode ? ` ${firstSentence(explainStatusCode(status.enhancedCode, { text: `${codeLine(status)} ${status.component ?? ''} ${status.text}`, remoteHost: status.remoteHost }).meaning)}` : '';
  return `It was delayed: delivery was deferred ${defers.length} time${defers.length > 1 ? 's' : ''} from ${when(defers[0]!.dateTime)} to ${when(last.dateTime)}${reason}, and Exchange Online retried until it went through.${meaning}`;
}

/** What every outcome's story uses: the decisive status, the time (words) and the spam verdict in short. */
interface SummaryWords {
  status: RecipientStatus | undefined;
  at: string | undefined;
  atWords: string;
  verdict: string | undefined;
}

/** Delivered: where to, when, and whether anything needs fixing (junk, a notable verdict, a delay). */
function deliveredStory(ctx: StoryContext, w: SummaryWords): string[] {
  const { outcome, spam, recipient } = ctx;
  const { atWords, verdict } = w;
  const parts: string[] = [];
  const folder = outcome.folder;
  if (isJunkFolder(folder)) {
    parts.push(`Delivered to ${recipient}${atWords}${sinceStart(ctx, outcome.decisive)}, but into the Junk Email folder${verdict ? ` (${verdict})` : ''}.`);
    parts.push(
      'If it is legitimate, the recipient marks it "Not junk" or adds the sender to Safe Senders; the recipient\'s admin can review the anti-spam policy or allow the sender in the Tenant Allow/Block List, and the sender\'s admin should make sure SPF, DKIM and DMARC pass.',
    );
  } else {
    parts.push(`Delivered to ${recipient}${folder ? ` (${folder})` : ''}${atWords}${sinceStart(ctx, outcome.decisive)}.`);
    if (spamIsNotable(ctx.timeline, spam) && spam) parts.push(sentence(spam.summary));
    const delay = deferralSentence(ctx.timeline);
    if (delay) parts.push(delay);
    parts.push(delay ? 'It arrived in the end; nothing needs fixing unless the delay repeats.' : 'Nothing needs fixing.');
  }
  return parts;
}

/** Quarantined: the verdict and what to do. */
function quarantinedStory(ctx: StoryContext, w: SummaryWords): string[] {
  const { diagnosis: d, rules, recipient } = ctx;
  const { atWords, verdict } = w;
  const parts: string[] = [];
  parts.push(`Quarantined${atWords}${verdict ? ` (${verdict})` : ''}: ${recipient} did not get the message.`);
  const { cat } = spamCategory(ctx.timeline);
  if (rules?.some((r) => r.kind === 'transport') && cat && /HPHSH|HPHISH|MALW/.test(cat)) {
    parts.push('A mail flow rule that bypasses spam filtering does not override high-confidence phishing or malware verdicts.');
  }
  if (d) parts.push(sentence(`What to do (${ownerWords(d.fixOwner)}): ${d.fix}`));
  return parts;
}

/** Filtered as spam: the verdict and what to do. */
function filteredAsSpamStory(ctx: StoryContext, w: SummaryWords): string[] {
  const { outcome, diagnosis: d, recipient } = ctx;
  const { verdict } = w;
  const parts: string[] = [];
  parts.push(`Filtered as spam${verdict ? ` (${verdict})` : ''}: ${recipient} did not get the message in the Inbox${outcome.folder ? ` (last event: ${outcome.folder})` : ''}.`);
  if (d) parts.push(sentence(`What to do (${ownerWords(d.fixOwner)}): ${d.fix}`));
  return parts;
}

/** Failed: when, with which code, why, and what to do (a missing domain told on its own). */
function failedStory(ctx: StoryContext, w: SummaryWords): string[] {
  const { outcome, diagnosis: d, recipient } = ctx;
  const { status, atWords } = w;
  const parts: string[] = [];
  const defers = deferralStats(ctx.timeline);
  const retried =
    defers.count > 0 && defers.first && outcome.decisive && defers.first !== outcome.decisive
      ? ` after ${defers.count} deferral${defers.count > 1 ? 's' : ''} since ${when(defers.first.dateTime)}`
      : '';
  const domainMissing = isDomainMissing(status, d?.code);
  const code = status ? codeLine(status) : '';
  // For a DNS failure the "remote host" is only the name that did not resolve: no server answered.
  const remote = domainMissing ? '' : remoteWords(status);
  parts.push(
    `Not delivered to ${recipient}: failed${atWords}${sinceStart(ctx, outcome.decisive)}${retried}${code ? ` with ${code}` : ''}${remote}.`,
  );
  if (domainMissing) {
    const domain = domainOf(ctx.recipientAddress.trim()) || status?.remoteHost;
    parts.push(
      `The recipient's domain${domain ? ` ${fenceUntrusted(domain, 80)}` : ''} does not exist in DNS.`,
      "The sender should check the spelling of the address and resend.",
    );
    if (d) parts.push(d.retryHelps ? 'Retrying can help once the domain resolves.' : 'Retrying will not help.');
  } else {
    if (status && (status.text || status.message)) parts.push(closeSentence(`Reason given: ${fenceUntrusted(status.text || status.message, 120)}`));
    parts.push(...whyAndWhatToDo(ctx));
  }
  return parts;
}

/** Deferred or pending: the last attempt, what it got, and when the message expires if retries keep failing. */
function deferredStory(ctx: StoryContext, w: SummaryWords): string[] {
  const { outcome, diagnosis: d, recipient } = ctx;
  const { status } = w;
  const parts: string[] = [];
  const defers = deferralStats(ctx.timeline);
  if (defers.count > 0 || status) {
    const last = defers.last ?? outcome.statusEntry;
    parts.push(
      `Not delivered yet: delivery to ${recipient} is deferred${outcome.state === 'pending' ? ' (status pending)' : ''}. ` +
        `The last attempt at ${when(last?.dateTime)} got ${status ? `${codeLine(status) || 'an error'}${remoteWords(status)}: ${fenceUntrusted(status.text || status.message || '', 120)}` : 'a temporary error'}` +
        `${defers.count > 1 ? ` (${defers.count} deferrals since ${when(defers.first?.dateTime)})` : ''}.`,
    );
    if (d) parts.push(sentence(firstSentence(d.meaning)));
    parts.push(
      `Exchange Online keeps retrying; if it keeps failing, the message expires ${expiryWindow(defers.first ?? last)} with 550 4.4.7 QUEUE.Expired and the sender gets an NDR.`,
    );
    if (d) parts.push(sentence(`What to do (${ownerWords(d.fixOwner)}): ${d.fix}`));
  } else {
    parts.push(
      `Delivery to ${recipient} is still under way${ctx.timeline.length > 0 ? `; the latest event is ${eventName(ctx.timeline[ctx.timeline.length - 1]!.event)} at ${when(ctx.timeline[ctx.timeline.length - 1]!.dateTime)}` : ''}. Check again in a few minutes; the trace can lag 5–10 minutes.`,
    );
  }
  return parts;
}

/** A group row: its expansion, not a delivery. */
function expandedStory(ctx: StoryContext, w: SummaryWords): string[] {
  const { recipient } = ctx;
  const { at } = w;
  const parts: string[] = [];
  const expand = [...ctx.timeline].reverse().find((e) => e.outcome === 'expanded');
  const count = expand?.facts.recipientCount;
  parts.push(
    `${recipient} is a distribution group: this row records the group's expansion${at ? ` at ${at}` : ''}${count !== undefined ? ` into ${count} recipient${count === 1 ? '' : 's'}` : ''}, not a delivery.`,
    `Each member has its own row with its own outcome: look them up with search_traces by the trace id${ctx.traceId ? ` ${ctx.traceId}` : ''}.`,
  );
  return parts;
}

/** Dropped: a normal drop (250 2.1.5) told as such, else why and what to do. */
function droppedStory(ctx: StoryContext, w: SummaryWords): string[] {
  const { outcome, recipient } = ctx;
  const { status, atWords } = w;
  const parts: string[] = [];
  if (outcome.normal) {
    const comp = status?.component ?? '';
    const why = /RESOLVER\.OOF/i.test(comp)
      ? 'an automatic reply (out of office) addressed to an external recipient was suppressed by the organization\'s settings for automatic replies to external domains'
      : 'this copy was intentionally discarded (for example a duplicate, a group copy or a completed moderation request)';
    parts.push(
      `The copy for ${recipient} was dropped${atWords} with ${status ? fenceUntrusted(`${codeLine(status)} ${status.component ?? ''}`.trim(), 60) : 'a success code'}: ${why}.`,
      'This is normal: 250 2.1.5 is a success code, not an error, and no NDR is sent.',
    );
  } else {
    parts.push(
      `Not delivered to ${recipient}: the message was dropped${atWords} without an NDR${status ? ` with ${codeLine(status) || 'an error'}${remoteWords(status)}: ${fenceUntrusted(status.text, 120)}` : ''}.`,
    );
    parts.push(...whyAndWhatToDo(ctx));
  }
  return parts;
}

/** Recalled: the recall leads, the delivery before it follows. */
function recalledStory(ctx: StoryContext, w: SummaryWords): string[] {
  const { outcome, recipient } = ctx;
  const { at } = w;
  const parts: string[] = [];
  // The recall is known only from the row status: it leads, and the delivery the events show
  // is told as what came before it, so it is not read as "the recall failed".
  const before = outcome.beforeRecall;
  const delivered = before?.state === 'delivered' || before?.state === 'quarantined';
  parts.push(
    `Recalled: the trace status for ${recipient} is recalled, so the sender recalled this message (Message Recall).`,
    delivered
      ? `Before the recall it was delivered${before?.folder ? ` (${cleanText(before.folder, 40)})` : ''}${before?.at ? ` at ${when(before.at)}` : ''}, as the events below show; the recall itself is not a trace event.`
      : `The recall itself is not a trace event${at ? `; the last traced event was at ${at}` : ''}.`,
    `A recall removes the message from the mailbox if it is still unread; the recall status report in the sender's mailbox says per recipient whether it worked.`,
  );
  return parts;
}

/** No final event (yet), or no events at all. */
function unfinishedStory(ctx: StoryContext): string[] {
  const { recipient } = ctx;
  const parts: string[] = [];
  parts.push(
    ctx.timeline.length === 0
      ? `The trace has no events for ${recipient}. The message may be too recent (the trace lags 5–10 minutes) or the address may not match the row; check the recipient address.`
      : `The trace shows no final event for ${recipient} yet; the latest is ${eventName(ctx.timeline[ctx.timeline.length - 1]!.event)} at ${when(ctx.timeline[ctx.timeline.length - 1]!.dateTime)}.`,
  );
  return parts;
}

function outcomeStory(ctx: StoryContext, w: SummaryWords): string[] {
  switch (ctx.outcome.state) {
    case 'delivered':
      return deliveredStory(ctx, w);
    case 'quarantined':
      return quarantinedStory(ctx, w);
    case 'filteredAsSpam':
      return filteredAsSpamStory(ctx, w);
    case 'failed':
      return failedStory(ctx, w);
    case 'deferred':
    case 'pending':
      return deferredStory(ctx, w);
    case 'expanded':
      return expandedStory(ctx, w);
    case 'dropped':
      return droppedStory(ctx, w);
    case 'recalled':
      return recalledStory(ctx, w);
    default:
      return unfinishedStory(ctx);
  }
}

function buildSummary(ctx: StoryContext): string {
  const { outcome, spam, rules } = ctx;
  const at = outcome.at ? when(outcome.at) : undefined;
  const w: SummaryWords = { status: outcome.statusEntry?.facts.recipientStatus, at, atWords: at ? ` at ${at}` : '', verdict: spamShort(ctx.timeline, spam) };
  const parts = outcomeStory(ctx, w);

  // Rules matter to every outcome; failures already named them.
  if ((outcome.state !== 'failed' && !(outcome.state === 'dropped' && !outcome.normal)) && rules && rules.length > 0) {
    parts.push(ruleSentence(rules));
  }
  const slow = ctx.timeline.find((e) => e.slowHop);
  if (slow) {
    parts.push(`Most of the time (${formatDuration(slow.gapSeconds)}) passed before the ${eventName(slow.event)} event at ${when(slow.dateTime)}.`);
  }
  return parts.filter((p) => p !== '').join(' ');
}

// ---------------------------------------------------------------------------------------------
// Events

function isNoise(entry: TimelineEntry): boolean {
  if (entry.slowHop || entry.outcome || entry.dataError) return false;
  const f = entry.facts;
  if (f.recipientStatus || f.rule || f.spam || f.malware || f.deliveryFolder) return false;
  const desc = sanitizeText(entry.description ?? '');
  return desc === '';
}

function collapseKey(entry: TimelineEntry): string | undefined {
  const s = entry.facts.recipientStatus;
  if (!s || (entry.outcome !== 'deferred' && entry.stage !== 'terminal')) return undefined;
  return `${entry.event}|${s.smtpCode ?? ''}|${s.enhancedCode ?? ''}|${s.remoteHost ?? ''}|${s.text}`;
}

function renderEvents(timeline: TimelineEntry[], format: 'concise' | 'detailed', notes: string[]): ExplainedEvent[] {
  if (format === 'detailed') {
    let listed = timeline;
    if (timeline.length > DETAILED_MAX_EVENTS) {
      listed = [...timeline.slice(0, DETAILED_MAX_EVENTS - 5), ...timeline.slice(-5)];
      notes.push(
        `${timeline.length - listed.length} of ${timeline.length} events in the middle are not listed, to keep the answer readable; the summary and diagnosis use every event.`,
      );
    }
    // Share the budget out evenly: long traces get shorter descriptions and fewer facts per event.
    const share = Math.floor(DETAILED_EVENTS_BUDGET / Math.max(1, listed.length));
    const descriptionChars = Math.min(DETAILED_DESCRIPTION_CHARS, Math.max(120, Math.floor(share / 2)));
    const factsChars = Math.min(DETAILED_FACTS_CHARS, Math.max(200, Math.floor(share / 2)));
    let shortened = 0;
    const items = listed.map((entry) => {
      const item: ExplainedEvent = {
        dateTime: eventTime(entry),
        event: eventName(entry.event),
        description: describedOrEmpty(entry.description, descriptionChars),
        elapsedSeconds: round1(entry.elapsedSeconds),
        gapSeconds: round1(entry.gapSeconds),
      };
      if (entry.slowHop) item.slowHop = true;
      const facts = detailedFacts(entry, factsChars);
      if (facts) item.facts = facts;
      if (facts?.['omittedFacts'] !== undefined) shortened += 1;
      return item;
    });
    if (shortened > 0) notes.push(`${shortened} event${shortened > 1 ? 's have' : ' has'} more decoded facts than fit; their count is in omittedFacts.`);
    return items;
  }

  // Concise: drop noise, collapse runs of identical retries, recompute gaps over what is kept.
  const kept = timeline.filter((e) => !isNoise(e));
  const groups: Array<{ first: TimelineEntry; last: TimelineEntry; count: number }> = [];
  for (const entry of kept) {
    const previous = groups[groups.length - 1];
    const key = collapseKey(entry);
    // A slow hop starts its own line so the long wait stays visible.
    if (previous && key !== undefined && !entry.slowHop && key === collapseKey(previous.first)) {
      previous.last = entry;
      previous.count += 1;
    } else {
      groups.push({ first: entry, last: entry, count: 1 });
    }
  }

  let previousElapsed = 0;
  let items: ExplainedEvent[] = groups.map(({ first, last, count }, i) => {
    const status = first.facts.recipientStatus;
    const item: ExplainedEvent = {
      dateTime: eventTime(first),
      event: eventName(first.event),
      // An empty description (a Spam Diagnostics event often has none) is left empty, not «».
      description: status ? statusLine(status, CONCISE_DESCRIPTION_CHARS) : describedOrEmpty(first.description, CONCISE_DESCRIPTION_CHARS),
      elapsedSeconds: round1(first.elapsedSeconds),
      gapSeconds: i === 0 ? 0 : round1(first.elapsedSeconds - previousElapsed),
    };
    if (count > 1) {
      item.repeated = count;
      item.until = eventTime(last);
    }
    previousElapsed = last.elapsedSeconds;
    return item;
  });

  // Slow hop over the kept entries, same rule as the timeline.
  // A loop, not Math.max(...spread): a spread of a huge list overflows the stack.
  let total = 0;
  for (const item of items) if (item.elapsedSeconds > total) total = item.elapsedSeconds;
  let slowest: ExplainedEvent | undefined;
  for (const item of items) if (!slowest || item.gapSeconds > slowest.gapSeconds) slowest = item;
  if (slowest && slowest.gapSeconds >= SLOW_HOP_MIN_SECONDS && slowest.gapSeconds >= SLOW_HOP_MIN_SHARE * total) slowest.slowHop = true;

  if (items.length > CONCISE_MAX_EVENTS) {
    const head = items.slice(0, CONCISE_MAX_EVENTS - 5);
    const tail = items.slice(-5);
    notes.push(`${items.length - CONCISE_MAX_EVENTS} events in the middle are not listed; ask for format 'detailed' to see every event.`);
    items = [...head, ...tail];
  }
  // Events with no description and no findings (a bare TRANSFER) are left out silently: they
  // carry nothing a person decides on, and 'detailed' lists every event.
  return items;
}

// ---------------------------------------------------------------------------------------------

/** Explain the detail events of one recipient. Never throws on bad event data. */
export function explainDetails(input: ExplainDetailsInput): DetailsExplanation {
  const events = Array.isArray(input.events) ? input.events : [];
  const format = input.format === 'detailed' ? 'detailed' : 'concise';
  const recipientAddress = typeof input.recipientAddress === 'string' ? input.recipientAddress : '';
  const recipient = fenceUntrusted(recipientAddress, 120);
  const notes: string[] = [];
  const timeline = buildTimeline(events);
  const rowStatus = normaliseStatus(input.status);
  if (input.status !== undefined && input.status !== '' && !rowStatus) {
    notes.push(`The list row status ${fenceUntrusted(input.status, 40)} is not one this server knows; it was ignored.`);
  }

  const outcome = decideOutcome(timeline, rowStatus, notes, input.statusAgeMinutes);
  const spam = collectSpam(timeline);
  const rules = collectRules(timeline, notes);
  const diagnosis = diagnose(outcome, timeline, spam);

  // A rule of this tenant blocked the message (the rule event is in this trace): this tenant's admin
  // owns the fix, on the sending side when the message started in a mailbox here (Submit).
  let ruleDeleted = false;
  const statusFacts = outcome.statusEntry?.facts;
  const ruleBlock =
    !!statusFacts &&
    (/^TRANSPORT\.RULES/i.test(statusFacts.recipientStatus?.component ?? '') || /Transport Rule Agent/i.test(statusFacts.sourceContext ?? ''));
  if (diagnosis && ruleBlock && rules && rules.length > 0) {
    diagnosis.fixOwner = timeline.some((e) => e.stage === 'submission') ? 'sender admin' : 'recipient admin';
    if (rules.some((r) => r.id === '-1')) {
      ruleDeleted = true;
      diagnosis.retryHelps = true;
    }
  }
  const firstId = events.find((e) => e && typeof e.id === 'string' && e.id !== '')?.id;
  const traceId = firstId ? plainOrFenced(firstId) : undefined;

  // Notes: unreadable data, retries, expansion.
  const unreadable = timeline.filter((e) => e.dataError);
  if (unreadable.length > 0) {
    const list = unreadable
      .slice(0, 3)
      .map((e) => `${eventName(e.event)} at ${when(e.dateTime)}: ${e.dataError}`)
      .join('; ');
    notes.push(
      `The data of ${unreadable.length} event${unreadable.length > 1 ? 's' : ''} could not be read (${list}${unreadable.length > 3 ? '; …' : ''}); the story uses the event descriptions instead.`,
    );
  }
  const skipped = timeline.reduce((n, e) => n + (e.skippedMeps ?? 0), 0);
  if (skipped > 0) notes.push(`${skipped} malformed data element${skipped > 1 ? 's were' : ' was'} skipped.`);
  const badTimes = timeline.filter((e) => e.time === undefined).length;
  if (badTimes > 0) notes.push(`${badTimes} event${badTimes > 1 ? 's have' : ' has'} an unreadable time and ${badTimes > 1 ? 'are' : 'is'} listed last.`);
  const defers = deferralStats(timeline);
  if (defers.count > 0 && outcome.state !== 'deferred' && outcome.state !== 'pending') {
    notes.push(
      `Defer events are temporary failures: Exchange Online retried ${defers.count} time${defers.count > 1 ? 's' : ''} before the final outcome (a message that keeps failing expires after about 1–2 days with 550 4.4.7).`,
    );
  }

  const summary = buildSummary({
    recipient,
    timeline,
    outcome,
    recipientAddress,
    ruleDeleted,
    ...(diagnosis ? { diagnosis } : {}),
    ...(spam ? { spam } : {}),
    ...(rules ? { rules } : {}),
    ...(traceId ? { traceId } : {}),
  });

  const explained: DetailsExplanation = {
    summary,
    outcome: {
      state: outcome.state,
      ...(outcome.folder ? { folder: outcome.folder } : {}),
      ...(outcome.at ? { at: outcome.at } : {}),
      ...(outcome.normal !== undefined ? { normal: outcome.normal } : {}),
    },
    events: [],
    totalSeconds: round1(timeline.length > 0 ? timeline[timeline.length - 1]!.elapsedSeconds : 0),
    notes,
  };
  if (diagnosis) explained.diagnosis = diagnosis;
  if (spam) explained.spam = spam;
  if (rules) explained.rules = rules;
  explained.events = renderEvents(timeline, format, notes);
  return explained;
}
