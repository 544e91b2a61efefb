import { describe, expect, it } from 'vitest';
import {
  KNOWN_EVENT_NAMES,
  explainEvent,
  isKnownEvent,
  stageRank,
  type PipelineStage,
} from '../../../src/details/knowledge/events.js';
import { copiedRuns, traceEvents } from './reference.js';

const reference = traceEvents();
/** The documented Exchange Online trace events (test/fixtures/trace-events.json). */
const eventsFromNdrNotes = (): string[] => reference.exchangeOnline.flatMap((row) => row.names);
/** The event names listed for Graph detail records and the extended (MTL) report. */
const eventsFromGraphNotes = (): string[] => reference.graphDetailEvents.names;

const STAGES: PipelineStage[] = ['submission', 'receipt', 'inspection', 'routing', 'transfer', 'terminal', 'other'];

describe('coverage of the documented events', () => {
  const fromNdr = [...new Set(eventsFromNdrNotes())];
  const fromGraph = [...new Set(eventsFromGraphNotes())];

  it('finds the events in the reference tables, each with a source', () => {
    expect(fromNdr.length).toBeGreaterThan(35);
    expect(fromGraph.length).toBeGreaterThan(45);
    expect(fromNdr).toEqual(expect.arrayContaining(['Receive', 'Transport rule', 'POISONMESSAGE', 'SETROUTE', 'Safe Links']));
    expect(fromGraph).toEqual(expect.arrayContaining(['AGENTINFO', 'Sensitivity label', 'mail flow rule', 'Spam']));
    for (const row of reference.exchangeOnline) expect(row.sources.length > 0 || Boolean(row.sourceNote), row.event).toBe(true);
    expect(reference.graphDetailEvents.sources.every((u) => u.startsWith('https://'))).toBe(true);
  });

  it.each([...new Set([...fromNdr, ...fromGraph])])('%s has an explanation, a stage and a source', (name) => {
    const x = explainEvent(name);
    expect(isKnownEvent(name), name).toBe(true);
    expect(STAGES).toContain(x.stage);
    expect(x.terminal).toBe(x.stage === 'terminal');
    expect(x.sourceUrl).toMatch(/^https:\/\//);
    expect(x.meaning.length).toBeGreaterThan(15);
  });

  it('words the meanings itself (no run of 8 words copied from the reference tables)', () => {
    expect(copiedRuns(KNOWN_EVENT_NAMES.map((n) => explainEvent(n).meaning))).toEqual([]);
  });

  it('every table entry is reachable by its own name', () => {
    for (const name of KNOWN_EVENT_NAMES) expect(explainEvent(name).name).toBe(name);
  });
});

describe('stages and outcomes', () => {
  it.each([
    ['Submit', 'submission', undefined],
    ['Receive', 'receipt', undefined],
    ['Spam', 'inspection', undefined],
    ['Malware', 'inspection', undefined],
    ['AGENTINFO', 'inspection', undefined],
    ['Transport rule', 'inspection', undefined],
    ['DLP rule', 'inspection', undefined],
    ['Sensitivity label', 'inspection', undefined],
    ['Expand', 'routing', 'expanded'],
    ['Resolved', 'routing', undefined],
    ['Redirect', 'routing', undefined],
    ['Send', 'transfer', undefined],
    ['SENDEXTERNAL', 'transfer', undefined],
    ['Transfer', 'transfer', undefined],
    ['Deliver', 'terminal', 'delivered'],
    ['DuplicateDeliver', 'terminal', 'delivered'],
    ['Fail', 'terminal', 'failed'],
    ['DELIVERFAIL', 'terminal', 'failed'],
    ['Drop', 'terminal', 'dropped'],
    ['Defer', 'terminal', 'deferred'],
    ['Quarantine', 'terminal', 'quarantined'],
    ['BADMAIL', 'terminal', 'failed'],
    ['POISONMESSAGE', 'terminal', undefined],
    ['HARECEIVE', 'other', undefined],
  ] as const)('%s → %s / %s', (event, stage, outcome) => {
    const x = explainEvent(event);
    expect(x.stage).toBe(stage);
    expect(x.outcome).toBe(outcome);
  });

  it('ranks stages in pipeline order, terminal last', () => {
    const ordered: PipelineStage[] = ['submission', 'receipt', 'inspection', 'routing', 'transfer', 'other', 'terminal'];
    expect(ordered.map(stageRank)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('breaks same-second ties into a sensible order', () => {
    const sameSecond = ['Deliver', 'Send', 'Transport rule', 'Receive', 'Expand', 'Submit'];
    const sorted = [...sameSecond].sort((a, b) => stageRank(explainEvent(a).stage) - stageRank(explainEvent(b).stage));
    expect(sorted).toEqual(['Submit', 'Receive', 'Transport rule', 'Expand', 'Send', 'Deliver']);
  });

  it('says the Drop of a 250 2.1.5 copy is normal', () => {
    expect(explainEvent('Drop').meaning).toMatch(/2\.1\.5/);
  });

  it('mentions deleted rules on the Transport rule event', () => {
    expect(explainEvent('Transport rule').meaning).toMatch(/-1/);
  });
});

describe('spelling tolerance', () => {
  it.each([
    ['TRANSFER', 'Transfer'],
    ['transfer', 'Transfer'],
    ['  Receive  ', 'Receive'],
    ['Transport rule', 'Transport rule'],
    ['TRANSPORT_RULE', 'Transport rule'],
    ['Mail flow rule', 'Transport rule'],
    ['mail-flow rule', 'Transport rule'],
    ['Spam Diagnostics', 'Spam Diagnostics'],
    ['SPAM_DIAGNOSTICS', 'Spam Diagnostics'],
    ['Spam filtered', 'Spam'],
    ['DLP rule', 'DLP rule'],
    ['dlp policy match', 'DLP rule'],
    ['Delivered to Junk', 'Delivered to Junk'],
    ['Deliver to Junk Email folder', 'Delivered to Junk'],
    ['Delivered', 'Deliver'],
    ['Send External', 'Send external'],
    ['SEND_EXTERNAL', 'Send external'],
    ['Resolve', 'Resolve'],
    ['RESOLVED', 'Resolve'],
    ['Expand DL', 'Expand'],
    ['Message quarantined', 'Quarantine'],
    ['Poison message', 'PoisonMessage'],
    ['Moderator approve', 'ModeratorApprove'],
  ])('%j → %s', (input, name) => {
    expect(explainEvent(input).name).toBe(name);
  });

  it('falls back for unknown events, keeping the name as given', () => {
    expect(explainEvent('Frobnicate')).toEqual({
      name: 'Frobnicate',
      meaning: 'An event the service recorded; no explanation is on file.',
      stage: 'other',
      terminal: false,
      sourceUrl: 'https://learn.microsoft.com/en-us/exchange/monitoring/trace-an-email-message/message-trace-modern-eac',
    });
    expect(explainEvent('').stage).toBe('other');
    expect(() => explainEvent(undefined as unknown as string)).not.toThrow();
  });
});
