import { loadSample } from '../support/sample.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, structured, text, type Harness } from '../support/harness.js';
import type { StoryKey } from '../../src/demo/simulator/tenant.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function story(key: StoryKey, extra: Record<string, unknown> = {}) {
  const ref = h.sim.tenant.stories[key];
  const r = await h.call('get_trace_details', { traceId: ref.traceId, recipientAddress: ref.recipientAddress, ...extra });
  return { ref, r, s: structured(r) };
}

describe('get_trace_details', () => {
  it('is listed read-only with a description that says what to pass', async () => {
    const { tools } = await h.client.listTools();
    const tool = tools.find((t) => t.name === 'get_trace_details')!;
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(tool.description).toMatch(/traceId \+ recipientAddress/);
  });

  it('explains the published 5.4.310 failure: domain does not exist, check the spelling, retrying will not help', async () => {
    const { s, r } = await story('publishedSample');
    expect(s.outcome.state).toBe('failed');
    expect(s.diagnosis.code).toBe('5.4.310');
    expect(s.diagnosis.retryHelps).toBe(false);
    expect(s.summary).toMatch(/bbb\.ccccccc/);
    expect(s.summary).toMatch(/does not exist|doesn't exist/i);
    expect(s.summary).toMatch(/spell/i);
    expect(s.summary).toMatch(/retry(ing)? will not help|won't help|will not help/i);
    expect(text(r)).toContain(s.summary);
    // Context budget: what the model reads is at most 40% of the raw Graph detail JSON.
    const sample = loadSample();
    const raw = JSON.stringify(sample.getDetailsByRecipient.response).length;
    expect(JSON.stringify(s).length / raw).toBeLessThanOrEqual(0.4);
    expect(text(r).length / raw).toBeLessThanOrEqual(0.4);
    // The call went straight to getDetailsByRecipient with the OData-quoted address, then looked
    // up the row's status (one list request).
    expect(h.sim.requests.at(-2)!.path).toContain("getDetailsByRecipient(recipientAddress='aaa@bbb.ccccccc')");
    expect(h.sim.requests.at(-1)!.query['$filter']).toContain("recipientAddress eq 'aaa@bbb.ccccccc'");
  });

  const cases: Array<[StoryKey, (s: any) => void]> = [
    ['deliveredInbox', (s) => { expect(s.outcome.state).toBe('delivered'); expect(s.outcome.folder).toMatch(/Inbox/); expect(s.diagnosis).toBeUndefined(); }],
    ['deliveredJunk', (s) => { expect(s.outcome.state).toBe('delivered'); expect(s.outcome.folder).toMatch(/Junk/); expect(s.spam?.summary ?? '').toMatch(/spam/i); }],
    ['quarantinedPhish', (s) => { expect(s.outcome.state).toBe('quarantined'); expect(JSON.stringify(s)).toMatch(/phish/i); }],
    ['filteredAsSpam', (s) => { expect(['filteredAsSpam', 'quarantined', 'failed', 'dropped']).toContain(s.outcome.state); expect(s.spam).toBeDefined(); }],
    ['failedRecipientNotFound', (s) => { expect(s.outcome.state).toBe('failed'); expect(s.diagnosis.code).toBe('5.1.10'); }],
    ['failedTransportRule', (s) => { expect(s.outcome.state).toBe('failed'); expect(s.diagnosis.code).toMatch(/^5\.7\.1$/); expect(s.rules?.length).toBeGreaterThan(0); }],
    ['failedDmarc', (s) => { expect(s.outcome.state).toBe('failed'); expect(s.diagnosis.code).toBe('5.7.509'); expect(s.summary).toMatch(/DMARC/); }],
    ['deferredThenExpired', (s) => { expect(s.outcome.state).toBe('failed'); expect(s.diagnosis.code).toBe('4.4.7'); }],
    ['pendingDeferred', (s) => { expect(['pending', 'deferred']).toContain(s.outcome.state); expect(s.diagnosis?.retryHelps ?? true).toBe(true); }],
    ['groupExpansion', (s) => { expect(s.outcome.state).toBe('expanded'); expect(s.summary).toMatch(/member/i); }],
    ['oofDrop', (s) => { expect(s.outcome.state).toBe('dropped'); expect(s.outcome.normal).toBe(true); }],
  ];
  it.each(cases)('tells the %s story', async (key, check) => {
    const { s, r } = await story(key);
    check(s);
    expect(s.events.length).toBeGreaterThan(0);
    // Mail text is fenced; an event without a description shows none (not an empty «»).
    for (const e of s.events) expect(e.description === '' || e.description.startsWith('«')).toBe(true);
    expect(text(r)).not.toContain('«»');
    // Chronological.
    const times = s.events.map((e: any) => Date.parse(e.dateTime));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('states a junk delivery\'s spam verdict once, under one label', async () => {
    const { s, r } = await story('deliveredJunk');
    expect(s.spam.summary).toMatch(/^Anti-spam verdict: .*\(SFV:SPM\)/);
    expect(text(r)).toContain(`\n${s.spam.summary}\n`);
    expect(text(r)).not.toMatch(/Spam verdict: Anti-spam verdict/);
    expect(text(r).split('(SFV:SPM)')).toHaveLength(2);
  });

  it('explains a delivery that arrived only after many deferrals', async () => {
    const { s } = await story('largestDetail');
    expect(s.outcome.state).toBe('delivered');
    expect(s.summary).toMatch(/deferred \d+ times/);
    expect(s.summary).toMatch(/4\.3\.2/);
    expect(s.summary).not.toMatch(/^Nothing needs fixing/);
  });

  it('adds parsed facts per event in detailed format only', async () => {
    const concise = (await story('deliveredJunk')).s;
    const detailed = (await story('deliveredJunk', { responseFormat: 'detailed' })).s;
    expect(concise.events.some((e: any) => e.facts)).toBe(false);
    expect(detailed.events.some((e: any) => e.facts)).toBe(true);
  });

  it('finds the trace from a message id (without brackets) and explains it in one call', async () => {
    const ref = h.sim.tenant.stories.failedRecipientNotFound;
    const r = await h.call('get_trace_details', { messageId: ref.messageId.replace(/^<|>$/g, ''), recipientAddress: ref.recipientAddress });
    const s = structured(r);
    expect(s.traceId).toBe(ref.traceId);
    expect(s.diagnosis.code).toBe('5.1.10');
    expect(s.graphRequests).toBe(2);
  });

  it('says which recipients a message had when the given one is not among them', async () => {
    const ref = h.sim.tenant.stories.failedRecipientNotFound;
    const r = await h.call('get_trace_details', { messageId: ref.messageId, recipientAddress: 'someone.else@nowhere.example' });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain(ref.recipientAddress);
  });

  it('answers unknown trace/recipient pairs with what to check', async () => {
    const r = await h.call('get_trace_details', { traceId: '00000000-0000-0000-0000-000000000000', recipientAddress: 'x@contoso.com' });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/no detail events[\s\S]*Fix:/);
  });

  it('requires exactly one of traceId and messageId', async () => {
    for (const args of [{ recipientAddress: 'a@b.com' }, { traceId: '00000000-0000-0000-0000-000000000000', messageId: '<a@b>', recipientAddress: 'a@b.com' }]) {
      const r = await h.call('get_trace_details', args);
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/traceId|messageId/);
    }
  });

  it('explains the service-principal error on the detail call too (401)', async () => {
    h.sim.faults.add({ kind: 'servicePrincipal', status: 401 }, { route: 'details' });
    const ref = h.sim.tenant.stories.deliveredInbox;
    const r = await h.call('get_trace_details', { traceId: ref.traceId, recipientAddress: ref.recipientAddress });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/service principal[\s\S]*New-MgServicePrincipal/);
  });
});
