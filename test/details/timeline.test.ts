import { sampleEvents } from '../support/sample.js';
import { describe, expect, it } from 'vitest';
import type { MessageTraceDetailEvent } from '../../src/graph/types.js';
import { buildTimeline, SLOW_HOP_MIN_SECONDS, type TimelineEntry } from '../../src/details/timeline.js';


const ID = '0b6f1c2e-5d4a-4c3b-9e8f-7a6b5c4d3e2f';
function ev(dateTime: string, event: string, description: string | null, data: string | null = null, action = ''): MessageTraceDetailEvent {
  return { id: ID, messageId: '<m1@contoso.com>', dateTime, event, action, description, data };
}

/** mulberry32: a tiny seeded PRNG so shuffles are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const next = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  const out: T[][] = [];
  items.forEach((item, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([item, ...rest]);
  });
  return out;
}

/** The timeline without the response position, for comparing orders. */
function shape(entries: TimelineEntry[]): unknown[] {
  return entries.map(({ inputIndex: _ignored, ...rest }) => rest);
}

describe('buildTimeline: the published sample', () => {
  const timeline = buildTimeline(sampleEvents());

  it('orders, times and classifies the four events', () => {
    expect(timeline.map((e) => e.event)).toEqual(['Submit', 'Receive', 'TRANSFER', 'Fail']);
    expect(timeline.map((e) => e.elapsedSeconds)).toEqual([0, 6.234, 8.255, 9.794]);
    expect(timeline.map((e) => e.gapSeconds)).toEqual([0, 6.234, 2.021, 1.539]);
    expect(timeline.some((e) => e.slowHop)).toBe(false);
    expect(timeline.map((e) => e.stage)).toEqual(['submission', 'receipt', 'transfer', 'terminal']);
    expect(timeline[3]!.outcome).toBe('failed');
    expect(timeline.every((e) => e.dataError === undefined)).toBe(true);
  });

  it('decodes the facts of each event', () => {
    const [submit, receive, transfer, fail] = timeline;
    expect(submit!.facts).toMatchObject({ recipientCount: 2, clientName: 'AMBP250MB1492', sequenceNumber: 0 });
    expect(receive!.facts).toMatchObject({
      connector: 'VI6P2F83A8\\Default VI6F83A8',
      clientIp: '2603:10a6:20b:764::22',
      serverHost: 'VI6PP83A8.EURP250.PROD.OUTLOOK.COM',
      returnPath: 'MartinMachacek@4wrvkx.onmicrosoft.com',
      tlsVersion: 'NONE',
      customData: { tlsversion: 'NONE' },
    });
    expect(transfer!.facts).toMatchObject({ recipientReference: '46729082' });
    expect(fail!.facts).toMatchObject({
      connector: 'Outbound Proxy External Send Connector',
      serverHost: 'bbb.ccccccc',
      outboundProxyTargetHost: 'bbb.ccccccc',
      latency: { totalSeconds: 10, externalSendSeconds: 10.297 },
      recipientStatus: { smtpCode: '550', enhancedCode: '5.4.310', text: 'DNS domain bbb.ccccccc does not exist', remoteHost: 'bbb.ccccccc' },
    });
    expect(fail!.facts.customData?.['IsSmtpResponseFromExternalServer']).toBe('False');
  });

  it('does not depend on the response order', () => {
    const events = sampleEvents();
    const reference = shape(timeline);
    for (const perm of permutations(events)) expect(shape(buildTimeline(perm))).toEqual(reference);
  });
});

describe('buildTimeline: same-second ties are broken by the processing stage', () => {
  // All five in one second; the clocks even disagree with the processing order (Fail has the
  // earliest milliseconds, as seen in the wild), and the response lists them backwards.
  const sameSecond = [
    ev('2026-03-02T10:15:07.050Z', 'Fail', 'Reason: [{LED=550 5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy};{MSG=};{FQDN=};{IP=};{LRT=}]'),
    ev('2026-03-02T10:15:07.120Z', 'Transport rule', "Transport rule: 'Block payroll to external', ID: ('7f1e3c9a-2b4d-4e6f-8a1b-3c5d7e9f0a2b'), DLP policy: '', ID: (00000000-0000-0000-0000-000000000000)."),
    ev('2026-03-02T10:15:07.080Z', 'Spam', 'Spam confidence level: 1'),
    ev('2026-03-02T10:15:07.950Z', 'Receive', 'Message received by: DB9PR04MB8123.eurprd04.prod.outlook.com'),
    ev('2026-03-02T10:15:07.900Z', 'Submit', 'The message was submitted.'),
  ];
  const expected = ['Submit', 'Receive', 'Spam', 'Transport rule', 'Fail'];

  it('orders submission, receipt, inspection, terminal', () => {
    expect(buildTimeline(sameSecond).map((e) => e.event)).toEqual(expected);
  });

  it('every permutation of the input gives the same timeline', () => {
    const reference = shape(buildTimeline(sameSecond));
    const all = permutations(sameSecond);
    expect(all).toHaveLength(120);
    for (const perm of all) expect(shape(buildTimeline(perm))).toEqual(reference);
  });

  it('seeded shuffles of a longer trace give the same timeline', () => {
    const longer = [
      ...sameSecond,
      ev('2026-03-02T10:15:06.000Z', 'Receive', 'Message received by: AM0PR01MB1111.eurprd01.prod.outlook.com'),
      ev('2026-03-02T10:15:08.000Z', 'Send', 'Message transferred.'),
      ev('2026-03-02T10:15:08.000Z', 'TRANSFER', null),
      ev('2026-03-02T10:15:08.000Z', 'Drop', 'Reason: [{LED=250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded}]'),
      ev('2026-03-02T10:15:08.000Z', 'Expand', 'The message was expanded.'),
    ];
    const reference = shape(buildTimeline(longer));
    expect(buildTimeline(longer).map((e) => e.event)).toEqual(['Receive', ...expected, 'Expand', 'Send', 'TRANSFER', 'Drop']);
    for (let seed = 1; seed <= 200; seed++) expect(shape(buildTimeline(shuffle(longer, seed)))).toEqual(reference);
  });

  it('elapsed never decreases and gaps are never negative, even when a clock runs backwards', () => {
    const t = buildTimeline(sameSecond);
    // The stage order puts Submit (.900) first; the later entries with earlier clocks do not go back in time.
    expect(t[0]!.elapsedSeconds).toBe(0);
    expect(t.map((e) => e.elapsedSeconds)).toEqual([0, 0.05, 0.05, 0.05, 0.05]);
    for (let i = 1; i < t.length; i++) {
      expect(t[i]!.gapSeconds).toBeGreaterThanOrEqual(0);
      expect(t[i]!.elapsedSeconds).toBeGreaterThanOrEqual(t[i - 1]!.elapsedSeconds);
    }
  });

  it('identical events in the same second and stage are ordered by name, not by position', () => {
    const a = ev('2026-03-02T10:15:07.000Z', 'Spam', 'Spam confidence level: 5');
    const b = ev('2026-03-02T10:15:07.000Z', 'Malware', 'Malware: "EICAR" was detected in attachment eicar.zip');
    expect(buildTimeline([a, b]).map((e) => e.event)).toEqual(['Malware', 'Spam']);
    expect(buildTimeline([b, a]).map((e) => e.event)).toEqual(['Malware', 'Spam']);
  });
});

describe('buildTimeline: elapsed time, gaps and the slow hop', () => {
  it('marks the largest gap when it is ≥ 60 s and ≥ 50% of the total', () => {
    const t = buildTimeline([
      ev('2026-03-02T10:00:00Z', 'Receive', 'Message received by: A'),
      ev('2026-03-02T10:00:02Z', 'Defer', 'Reason: [{LED=451 4.4.316 Connection refused};{MSG=};{FQDN=mx.fabrikam.com};{IP=203.0.113.25};{LRT=}]'),
      ev('2026-03-02T10:30:02Z', 'Deliver', 'The message was successfully delivered.'),
    ]);
    expect(t.map((e) => e.gapSeconds)).toEqual([0, 2, 1800]);
    expect(t.map((e) => e.slowHop)).toEqual([undefined, undefined, true]);
    expect(t[2]!.elapsedSeconds).toBe(1802);
  });

  it('no slow hop when the largest gap is under 60 s', () => {
    const t = buildTimeline([
      ev('2026-03-02T10:00:00Z', 'Receive', 'x'),
      ev('2026-03-02T10:00:59Z', 'Deliver', 'The message was successfully delivered.'),
    ]);
    expect(t[1]!.gapSeconds).toBeLessThan(SLOW_HOP_MIN_SECONDS);
    expect(t.some((e) => e.slowHop)).toBe(false);
  });

  it('no slow hop when the largest gap is under half of the total', () => {
    const t = buildTimeline([
      ev('2026-03-02T10:00:00Z', 'Receive', 'x'),
      ev('2026-03-02T10:01:30Z', 'Send', 'Message transferred.'),
      ev('2026-03-02T10:03:00Z', 'Defer', 'Reason: [{LED=451 4.4.316 Connection refused};{MSG=};{FQDN=};{IP=};{LRT=}]'),
      ev('2026-03-02T10:04:30Z', 'Deliver', 'The message was successfully delivered.'),
    ]);
    expect(t.map((e) => e.gapSeconds)).toEqual([0, 90, 90, 90]);
    expect(t.some((e) => e.slowHop)).toBe(false);
  });

  it('an unreadable time goes last with no gap', () => {
    const t = buildTimeline([ev('not a date', 'Spam', 'Spam confidence level: 1'), ev('2026-03-02T10:00:00Z', 'Receive', 'x')]);
    expect(t.map((e) => e.event)).toEqual(['Receive', 'Spam']);
    expect(t[1]!.time).toBeUndefined();
    expect(t[1]!.gapSeconds).toBe(0);
  });

  it('empty input gives an empty timeline', () => {
    expect(buildTimeline([])).toEqual([]);
  });
});

describe('buildTimeline: facts', () => {
  it('reads spam stamps from the SFA agent, rules from the description and the TRA agent, TLS from the description', () => {
    const [receive, spam, rule] = buildTimeline([
      ev('2026-03-02T10:00:00Z', 'Receive', 'Message received by: AM0PR01MB1234.eurprd01.prod.outlook.com using TLS1.2 with AES256'),
      ev(
        '2026-03-02T10:00:01Z',
        'Spam Diagnostics',
        null,
        '<root><MEP Name="CustomData" Blob="S:SFA=SUM|SFV=SPM|IPV=NLI|SFS=470454002|SCL=6|CAT=SPM|DI=SJ|CIP=198.51.100.7|CTRY=US" /></root>',
      ),
      ev(
        '2026-03-02T10:00:02Z',
        'Transport rule',
        "Transport rule: 'Disclaimer for external mail', ID: ('19a25eb2-3e43-4896-ad9e-47b6c359779d'), DLP policy: '', ID: (00000000-0000-0000-0000-000000000000).",
        '<root><MEP Name="CustomData" Blob="S:TRA=ETR|ruleId=19a25eb2-3e43-4896-ad9e-47b6c359779d|st=3/2/2026 10:00:02 AM|action=ApplyHtmlDisclaimer|sev=1|mode=Enforce" /></root>',
      ),
    ]);
    expect(receive!.facts).toMatchObject({ tlsVersion: 'TLS1.2', tlsCipher: 'AES256' });
    expect(spam!.facts.spam).toMatchObject({ SFV: 'SPM', SCL: '6', CAT: 'SPM', DI: 'SJ', SFS: '470454002' });
    expect(rule!.facts.rule).toEqual({
      kind: 'transport',
      name: 'Disclaimer for external mail',
      id: '19a25eb2-3e43-4896-ad9e-47b6c359779d',
      action: 'ApplyHtmlDisclaimer',
      mode: 'Enforce',
      severity: '1',
    });
  });

  it('a DLP policy name makes the match a DLP match', () => {
    const [e] = buildTimeline([
      ev('2026-03-02T10:00:00Z', 'DLP rule', "Transport rule: 'Credit card numbers', ID: ('aaaa-bbbb'), DLP policy: 'PCI DSS', ID: (1234abcd-0000-4000-8000-000000000001)."),
    ]);
    expect(e!.facts.rule).toMatchObject({ kind: 'dlp', name: 'Credit card numbers', id: 'aaaa-bbbb', dlpPolicy: 'PCI DSS' });
  });

  it('the Reason in a description is decoded when there is no RecipientStatus MEP, with the next hop', () => {
    const [e] = buildTimeline([
      ev(
        '2026-03-02T10:00:00Z',
        'Defer',
        'Reason: [{LED=451-4.7.23 Message deferred - unable to verify SPF policy for 451 4.7.23 chromaderm.com.au. IB305 i{2b0c499b-…}};{MSG=};{FQDN=extmail.bigpond.com};{IP=203.42.22.10};{LRT=1/21/2025 3:45:12 AM}]. OutboundProxyTargetIP: 203.42.22.10. OutboundProxyTargetHostName: extmail.bigpond.com',
      ),
    ]);
    expect(e!.facts).toMatchObject({
      recipientStatus: { enhancedCode: '4.7.23', remoteHost: 'extmail.bigpond.com', remoteIp: '203.42.22.10' },
      outboundProxyTargetIp: '203.42.22.10',
      outboundProxyTargetHost: 'extmail.bigpond.com',
    });
  });

  it('the folder of a Deliver event', () => {
    const t = buildTimeline([
      ev('2026-03-02T10:00:00Z', 'Deliver', 'The message was delivered to the Junk Email folder'),
      ev('2026-03-02T10:00:01Z', 'Deliver', 'Message quarantined in: DefaultFolderType:QuarantinedEmailSecured'),
    ]);
    expect(t[0]!.facts.deliveryFolder?.folder).toBe('Junk Email');
    expect(t[1]!.facts.deliveryFolder?.folder).toBe('Quarantine');
  });

  it('malformed data: the entry keeps its description and reports the error', () => {
    const [e] = buildTimeline([ev('2026-03-02T10:00:00Z', 'Deliver', 'The message was successfully delivered.', '<root><MEP Name="x" String="y"></root>')]);
    expect(e!.dataError).toMatch(/malformed XML/);
    expect(e!.mep).toEqual([]);
    expect(e!.outcome).toBe('delivered');
  });

  it('survives junk events', () => {
    const junk = [null, {}, { event: 42, dateTime: null, data: 7 }] as unknown as MessageTraceDetailEvent[];
    expect(() => buildTimeline(junk)).not.toThrow();
    expect(buildTimeline(junk)).toHaveLength(3);
  });
});
