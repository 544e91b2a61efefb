import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageTraceDetailEvent, MessageTraceRow } from '../../../src/graph/types.js';
import { PUBLISHED_DETAIL_EVENTS, PUBLISHED_LIST_ROWS } from '../../../src/demo/simulator/published-sample.js';
import type { GraphSimulator } from '../../../src/demo/simulator/server.js';
import type { StoryKey } from '../../../src/demo/simulator/tenant.js';
import { HOUR, NOW, defaultTenant, detailsUrl, get, key, listUrl, mep, startSim } from './helpers.js';
import { loadSample } from '../../support/sample.js';

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

async function details(traceId: string, recipient: string): Promise<MessageTraceDetailEvent[]> {
  const r = await get(detailsUrl(sim, traceId, recipient));
  expect(r.status).toBe(200);
  return r.json.value as MessageTraceDetailEvent[];
}

async function story(k: StoryKey): Promise<{ row: MessageTraceRow; events: MessageTraceDetailEvent[] }> {
  const ref = defaultTenant().stories[k];
  const list = await get(listUrl(sim, { $filter: `id eq '${ref.traceId}' and recipientAddress eq '${ref.recipientAddress.replace(/'/g, "''")}'` }), {
    prefer: 'include-unknown-enum-members',
  });
  expect(list.status).toBe(200);
  expect(list.json.value, `${k} is in the default 48-hour window`).toHaveLength(1);
  const row = list.json.value[0] as MessageTraceRow;
  expect(row.status).toBe(ref.status);
  expect(row.subject).toBe(ref.subject);
  expect(row.messageId).toBe(ref.messageId);
  expect(row.senderAddress).toBe(ref.senderAddress);
  return { row, events: await details(ref.traceId, ref.recipientAddress) };
}

const named = (events: MessageTraceDetailEvent[], name: string): MessageTraceDetailEvent[] => events.filter((e) => e.event === name);

describe('getDetailsByRecipient over HTTP', () => {
  it('returns the events with @odata.context, under v1.0 and beta, case-insensitive', async () => {
    const ref = defaultTenant().stories.deliveredInbox;
    for (const version of ['v1.0', 'beta']) {
      const r = await get(detailsUrl(sim, ref.traceId.toUpperCase(), ref.recipientAddress.toUpperCase(), version));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.json['@odata.context']).toBe(`${sim.url}/${version}/$metadata#Collection(microsoft.graph.exchangeMessageTraceDetail)`);
      expect(r.json.value.length).toBeGreaterThanOrEqual(3);
      for (const e of r.json.value) {
        expect(e.id).toBe(ref.traceId);
        expect(e.messageId).toBe(ref.messageId);
        expect(Object.keys(e).sort()).toEqual(['action', 'data', 'dateTime', 'description', 'event', 'id', 'messageId']);
      }
    }
  });

  it("finds an address with a quote, whether the literal arrives percent-encoded or raw ('' doubled)", async () => {
    const row = defaultTenant().rows.find((r) => r.recipientAddress === "pat.o'neil@contoso.com")!;
    expect(row).toBeDefined();
    const encoded = await details(row.id, row.recipientAddress);
    expect(encoded.length).toBeGreaterThan(0);
    const raw = await get(`${sim.url}/v1.0/admin/exchange/tracing/messageTraces/${row.id}/getDetailsByRecipient(recipientAddress='pat.o''neil@contoso.com')`);
    expect(raw.status).toBe(200);
    expect(raw.json.value).toEqual(encoded);
    expect(sim.requests.at(-1)!.path).toContain("recipientAddress='pat.o''neil@contoso.com'");
  });

  it('finds a Unicode address sent percent-encoded', async () => {
    const row = defaultTenant().rows.find((r) => r.recipientAddress === 'zoë.ångström@contoso.com')!;
    expect(row).toBeDefined();
    expect((await details(row.id, row.recipientAddress)).length).toBeGreaterThan(0);
  });

  it('answers 200 with value [] for an unknown trace id or recipient', async () => {
    const ref = defaultTenant().stories.deliveredInbox;
    expect(await details('00000000-0000-0000-0000-000000000000', ref.recipientAddress)).toEqual([]);
    expect(await details(ref.traceId, 'someone.else@contoso.com')).toEqual([]);
    expect(defaultTenant().details(ref.traceId, 'someone.else@contoso.com')).toBeUndefined();
  });

  it('rejects a malformed recipientAddress parameter with 400', async () => {
    const base = `${sim.url}/v1.0/admin/exchange/tracing/messageTraces/abc/getDetailsByRecipient`;
    for (const param of ['(recipientAddress=a@b.c)', "(recipientAddress='it's@b.c')", '()', "(recipientAddress='')", "(address='a@b.c')"]) {
      const r = await get(base + param);
      expect(r.status, param).toBe(400);
      expect(r.json.error.code).toBe('BadRequest');
      expect(r.json.error.message).toContain('recipientAddress');
    }
  });
});

describe('stories', () => {
  it('every story is in the default window with its row and a detail record', async () => {
    const stories = defaultTenant().stories;
    expect(Object.keys(stories).sort()).toEqual(
      [
        'deliveredInbox', 'deliveredJunk', 'quarantinedPhish', 'filteredAsSpam', 'failedRecipientNotFound', 'failedDnsDomain',
        'failedTransportRule', 'failedDmarc', 'deferredThenExpired', 'pendingDeferred', 'groupExpansion', 'oofDrop',
        'publishedSample', 'recalled', 'largestDetail',
      ].sort(),
    );
    for (const k of Object.keys(stories) as StoryKey[]) {
      const { events } = await story(k);
      expect(events.length, k).toBeGreaterThan(0);
      for (const e of events) {
        expect(XMLValidator.validate(e.data ?? '<root/>'), `${k} ${e.event}`).toBe(true);
        expect(Date.parse(e.dateTime)).toBeLessThanOrEqual(NOW.getTime());
      }
      expect(events.some((e) => mep(e, 'SequenceNumber') !== undefined), k).toBe(true);
    }
  });

  it('deliveredInbox and deliveredJunk name the folder', async () => {
    const inbox = await story('deliveredInbox');
    expect(named(inbox.events, 'Deliver')[0]!.description).toMatch(/Inbox/);
    expect(mep(named(inbox.events, 'Spam Diagnostics')[0]!, 'CustomData')).toMatch(/^S:SFA=SUM\|SFV=NSPM\|.*\|SCL=1\|/);
    const junk = await story('deliveredJunk');
    expect(named(junk.events, 'Deliver')[0]!.description).toBe('The message was delivered to the Junk Email folder.');
    const sfa = mep(named(junk.events, 'Spam Diagnostics')[0]!, 'CustomData')!;
    expect(sfa).toContain('SFV=SPM');
    expect(sfa).toContain('SCL=5');
    expect(sfa).toContain('DI=SJ');
  });

  it('quarantinedPhish and filteredAsSpam carry the spam verdicts', async () => {
    const phish = await story('quarantinedPhish');
    const sfa = mep(named(phish.events, 'Spam Diagnostics')[0]!, 'CustomData')!;
    for (const part of ['SFV=SPM', 'SCL=9', 'DI=SQ', 'CAT=HPHSH']) expect(sfa).toContain(part);
    expect(phish.events.some((e) => /quarantine/i.test(e.description ?? ''))).toBe(true);
    const spam = await story('filteredAsSpam');
    expect(mep(named(spam.events, 'Spam Diagnostics')[0]!, 'CustomData')).toContain('SFV=SPM');
    expect(named(spam.events, 'Drop')).toHaveLength(1);
  });

  it('failed stories carry the right LED in the Fail event', async () => {
    const notFound = await story('failedRecipientNotFound');
    const nf = named(notFound.events, 'Fail')[0]!;
    expect(mep(nf, 'RecipientStatus')).toBe(
      '[{LED=550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient megan.bowan@contoso.com not found by SMTP address lookup};{MSG=};{FQDN=};{IP=};{LRT=}]',
    );
    expect(nf.description).toBe(`Reason: ${mep(nf, 'RecipientStatus')}`);

    const dns = await story('failedDnsDomain');
    const dnsFail = named(dns.events, 'Fail')[0]!;
    expect(mep(dnsFail, 'RecipientStatus')).toMatch(/^\[\{LED=550 5\.4\.310 DNS domain fabrikm\.com does not exist \[Message=InfoDomainNonexistent\]/);
    expect(dnsFail.description).toMatch(/OutboundProxyTargetHostName: fabrikm\.com$/);

    const dmarc = await story('failedDmarc');
    expect(mep(named(dmarc.events, 'Fail')[0]!, 'RecipientStatus')).toMatch(
      /LED=550 5\.7\.509 Access denied, sending domain WOODGROVEBANK\.COM does not pass DMARC verification and has a DMARC policy of reject\./,
    );
  });

  it('failedTransportRule names the rule and lists Fail before the earlier Transport rule event of the same second', async () => {
    const { events } = await story('failedTransportRule');
    const failIndex = events.findIndex((e) => e.event === 'Fail');
    const ruleIndex = events.findIndex((e) => e.event === 'Transport rule');
    expect(failIndex).toBeGreaterThanOrEqual(0);
    expect(ruleIndex).toBe(failIndex + 1);
    const fail = events[failIndex]!;
    const rule = events[ruleIndex]!;
    expect(fail.dateTime > rule.dateTime).toBe(true);
    expect(fail.dateTime.slice(0, 19)).toBe(rule.dateTime.slice(0, 19));
    expect(rule.description).toMatch(/^Transport rule: 'Block outbound payroll data', ID: \('([0-9a-f-]{36})'\), DLP policy: '', ID: \(0{8}-0{4}-0{4}-0{4}-0{12}\)\.$/);
    const id = /ID: \('([^']+)'\)/.exec(rule.description!)![1];
    expect(mep(rule, 'CustomData')).toMatch(new RegExp(`^S:TRA=ETR\\|ruleId=${id}\\|st=.*\\|action=RejectMessage\\|sev=1\\|mode=Enforce$`));
    expect(mep(fail, 'RecipientStatus')).toContain('550 5.7.1 TRANSPORT.RULES.RejectMessage');
    expect(mep(fail, 'SourceContext')).toBe('Transport Rule Agent');
  });

  it('deferredThenExpired retries for a day, then fails with 4.4.7; pendingDeferred is still retrying', async () => {
    const expired = await story('deferredThenExpired');
    const defers = named(expired.events, 'Defer');
    expect(defers.length).toBeGreaterThanOrEqual(5);
    expect(defers.some((d) => mep(d, 'RecipientStatus')!.startsWith('[{LED=451 4.4.316 Connection refused'))).toBe(true);
    expect(defers[0]!.description).toMatch(/\. OutboundProxyTargetIP: [\d.]+\. OutboundProxyTargetHostName: \S+$/);
    const fail = named(expired.events, 'Fail')[0]!;
    expect(mep(fail, 'RecipientStatus')).toContain('550 4.4.7 QUEUE.Expired');
    expect(Date.parse(fail.dateTime) - Date.parse(defers[0]!.dateTime)).toBeGreaterThan(20 * HOUR);
    expect(expired.row.toIP).not.toBe('');

    const pending = await story('pendingDeferred');
    expect(named(pending.events, 'Defer').length).toBeGreaterThanOrEqual(3);
    expect(pending.events.some((e) => e.event === 'Fail' || e.event === 'Deliver' || e.event === 'Send external')).toBe(false);
  });

  it('groupExpansion: the group row expands, members carry their own outcomes', async () => {
    const { row, events } = await story('groupExpansion');
    expect(row.status).toBe('expanded');
    expect(named(events, 'Expand')).toHaveLength(1);
    expect(mep(named(events, 'Drop')[0]!, 'RecipientStatus')).toContain('250 2.1.5 RESOLVER.GRP.Expanded');
    const all = await get(listUrl(sim, { $filter: `id eq '${row.id}'` }));
    const members = (all.json.value as MessageTraceRow[]).filter((r) => r.recipientAddress !== row.recipientAddress);
    expect(members.length).toBeGreaterThanOrEqual(2);
    expect(members.some((m) => m.status === 'delivered')).toBe(true);
    expect(members.some((m) => m.status === 'failed')).toBe(true);
    for (const m of members) {
      const ev = await details(m.id, m.recipientAddress);
      expect(ev.some((e) => e.event === (m.status === 'failed' ? 'Fail' : 'Deliver'))).toBe(true);
    }
  });

  it('oofDrop, recalled and largestDetail', async () => {
    const oof = await story('oofDrop');
    expect(named(oof.events, 'Drop')[0]!.description).toBe(
      'Reason: [{LED=250 2.1.5 RESOLVER.OOF.IntToExt; handled internal OOF addressed to external recipient};{MSG=};{FQDN=};{IP=};{LRT=}]',
    );
    const recalled = await story('recalled');
    expect(recalled.row.status).toBe('recalled');
    const largest = await story('largestDetail');
    expect(largest.events.length).toBeGreaterThanOrEqual(40);
    expect(largest.events.at(-1)!.event).toBe('Deliver');
    expect(named(largest.events, 'Defer').length).toBeGreaterThanOrEqual(38);
  });

  it('publishedSample serves the published rows and events verbatim, shifted to about 2 hours ago', async () => {
    const ref = defaultTenant().stories.publishedSample;
    const { events } = await story('publishedSample');
    expect(events.map(({ dateTime: _d, ...rest }) => rest)).toEqual(PUBLISHED_DETAIL_EVENTS.map(({ dateTime: _d, ...rest }) => rest));
    const shift = Date.parse(events[0]!.dateTime) - Date.parse(PUBLISHED_DETAIL_EVENTS[0]!.dateTime);
    expect(shift % 1000).toBe(0);
    events.forEach((e, i) => expect(Date.parse(e.dateTime) - Date.parse(PUBLISHED_DETAIL_EVENTS[i]!.dateTime)).toBe(shift));
    const firstRow = Math.min(...PUBLISHED_LIST_ROWS.map((r) => Date.parse(r.receivedDateTime))) + shift;
    expect(NOW.getTime() - firstRow).toBeGreaterThanOrEqual(2 * HOUR);
    expect(NOW.getTime() - firstRow).toBeLessThan(2 * HOUR + 1000);
    for (const p of PUBLISHED_LIST_ROWS) {
      const r = await get(listUrl(sim, { $filter: `id eq '${p.id}' and recipientAddress eq '${p.recipientAddress}'` }));
      expect(r.json.value).toEqual([{ ...p, receivedDateTime: new Date(Date.parse(p.receivedDateTime) + shift).toISOString() }]);
    }
    expect(ref.recipientAddress).toBe('aaa@bbb.ccccccc');
    expect(ref.status).toBe('failed');
  });

  it('the embedded sample equals the published responses (test/fixtures/sample-responses.json)', () => {
    const ref = loadSample();
    expect(PUBLISHED_LIST_ROWS).toEqual(ref.listMessageTraces.response.value);
    expect(PUBLISHED_DETAIL_EVENTS).toEqual(ref.getDetailsByRecipient.response.value);
  });
});

describe('generated detail records', () => {
  it('every row of the default window has well-formed, deterministic events that never postdate now', () => {
    const tenant = defaultTenant();
    const rows = tenant.rows.filter((r) => Date.parse(r.receivedDateTime) >= NOW.getTime() - 48 * HOUR);
    const events = new Set<string>();
    for (const row of rows) {
      const ev = tenant.details(row.id, row.recipientAddress)!;
      expect(ev.length, key(row)).toBeGreaterThan(0);
      expect(tenant.details(row.id, row.recipientAddress)).toEqual(ev);
      for (const e of ev) {
        expect(e.id).toBe(row.id);
        expect(Date.parse(e.dateTime)).toBeGreaterThanOrEqual(Date.parse(row.receivedDateTime));
        expect(Date.parse(e.dateTime)).toBeLessThanOrEqual(NOW.getTime());
        expect(XMLValidator.validate(e.data ?? '<root/>')).toBe(true);
        events.add(e.event);
      }
    }
    for (const name of ['Receive', 'Submit', 'Deliver', 'Fail', 'Defer', 'Expand', 'Drop', 'Spam Diagnostics', 'Send external', 'Transport rule']) {
      expect(events, name).toContain(name);
    }
  });

  it('status decides the outcome event of generated records', () => {
    const tenant = defaultTenant();
    const expectFor: Record<string, (ev: MessageTraceDetailEvent[]) => boolean> = {
      failed: (ev) => ev.some((e) => e.event === 'Fail'),
      expanded: (ev) => ev.some((e) => e.event === 'Expand'),
      pending: (ev) => ev.some((e) => e.event === 'Defer') && !ev.some((e) => e.event === 'Fail'),
      quarantined: (ev) => ev.some((e) => /SFV=SPM/.test(e.data ?? '')),
      filteredAsSpam: (ev) => ev.some((e) => /SFV=SPM/.test(e.data ?? '')),
      delivered: (ev) => ev.some((e) => e.event === 'Deliver' || e.event === 'Send external' || e.event === 'Drop'),
    };
    for (const [status, ok] of Object.entries(expectFor)) {
      const rows = tenant.rows.filter((r) => r.status === status).slice(0, 60);
      expect(rows.length, status).toBeGreaterThan(0);
      for (const r of rows) expect(ok(tenant.details(r.id, r.recipientAddress)!), `${status} ${key(r)}`).toBe(true);
    }
  });
});
