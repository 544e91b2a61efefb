/**
 * get_trace_details keeps the search row's status (issue: a recalled message was reported as
 * delivered), through MCP against the simulator: looked up with one request when only a traceId
 * is given, read from the last search for free, and stated where it is easily misread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageTraceRow } from '../../src/graph/types.js';
import { startHarness, structured, text, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function details(row: { traceId: string; recipientAddress: string }) {
  const before = h.sim.requests.length;
  const r = await h.call('get_trace_details', { traceId: row.traceId, recipientAddress: row.recipientAddress });
  return { r, s: structured(r), requests: h.sim.requests.slice(before) };
}

/** The newest simulator row with this status (and a predicate), as a details argument. */
function rowWith(status: string, pred: (r: MessageTraceRow) => boolean = () => true) {
  const row = h.sim.tenant.rows.find((r) => r.status === status && pred(r));
  if (!row) throw new Error(`the simulated tenant has no ${status} row`);
  return { traceId: row.id, recipientAddress: row.recipientAddress, row };
}

describe('get_trace_details keeps the row status', () => {
  it('a recalled message given by traceId alone: recalled, recall first, delivery told as before it; one lookup request', async () => {
    const ref = h.sim.tenant.stories.recalled;
    const { r, s, requests } = await details(ref);
    expect(s.outcome.state).toBe('recalled');
    expect(s.summary).toMatch(/^Recalled: /);
    expect(s.summary).toMatch(/Before the recall it was delivered \(Inbox\)/);
    expect(text(r)).not.toMatch(/Nothing needs fixing/);
    expect(s.statusMeaning).toMatch(/recalled the message/);
    // The details request, then one list request for this trace and recipient only.
    expect(requests).toHaveLength(2);
    expect(s.graphRequests).toBe(2);
    const filter = requests[1]!.query['$filter'] ?? '';
    expect(filter).toContain(`id eq '${ref.traceId}'`);
    expect(filter).toContain(`recipientAddress eq '${ref.recipientAddress}'`);
  });

  it('a row looked up once is not looked up again while its status is fresh', async () => {
    const ref = h.sim.tenant.stories.failedDmarc;
    expect((await details(ref)).requests).toHaveLength(2);
    expect((await details(ref)).requests).toHaveLength(1);
  });

  it('a row listed by the last search costs no lookup', async () => {
    const ref = h.sim.tenant.stories.quarantinedPhish;
    await h.call('search_traces', { recipientAddress: ref.recipientAddress, status: 'quarantined' });
    const { s, requests } = await details(ref);
    expect(requests).toHaveLength(1);
    expect(s.outcome.state).toBe('quarantined');
  });

  it.each([
    ['quarantined', 'quarantined'],
    ['filteredAsSpam', 'filteredAsSpam'],
    ['expanded', 'expanded'],
  ])('a %s row stays %s', async (status, state) => {
    const { s } = await details(rowWith(status, (r) => Date.now() - Date.parse(r.receivedDateTime) > 3_600_000));
    expect(s.outcome.state).toBe(state);
    expect(s.status).toBeUndefined(); // said only when it differs from the outcome
    if (status === 'expanded') expect(s.statusMeaning).toMatch(/distribution group/);
  });

  it('a pending row says it is still being retried', async () => {
    const { s } = await details(rowWith('pending', (r) => Date.now() - Date.parse(r.receivedDateTime) > 3_600_000));
    expect(['pending', 'deferred']).toContain(s.outcome.state);
    if (s.outcome.state !== 'pending') expect(s.status).toBe('pending');
    expect(s.statusMeaning).toMatch(/still being retried/);
  });

  it('a fresh gettingStatus row is normal processing, not a problem', async () => {
    const { r, s } = await details(rowWith('gettingStatus', (r) => Date.now() - Date.parse(r.receivedDateTime) < 10 * 60_000));
    expect(s.status).toBe('gettingStatus');
    expect(s.outcome.state).toBe('unknown');
    expect(text(r)).toMatch(/normal processing, not a problem/);
  });

  it('when the lookup fails, the events still answer and a note says the status is unknown', async () => {
    h.sim.faults.add({ kind: 'status', status: 500 }, { route: 'list', times: 4 });
    const { s } = await details(h.sim.tenant.stories.deliveredJunk);
    h.sim.faults.clear();
    expect(s.status).toBeUndefined();
    expect(s.outcome.state).toBe('delivered');
    expect(s.notes.join(' ')).toMatch(/status could not be read/);
  });

  it('traceId without recipientAddress is refused with what to give', async () => {
    const r = await h.call('get_trace_details', { traceId: h.sim.tenant.stories.recalled.traceId });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/recipientAddress/);
  });
});

describe('get_trace_details with a Message-ID alone', () => {
  it('answers for every recipient: outcome, diagnosis of the problem first, the window it searched', async () => {
    const ref = h.sim.tenant.stories.groupExpansion;
    const before = h.sim.requests.length;
    const r = await h.call('get_trace_details', { messageId: ref.messageId });
    const s = structured(r);
    const truth = h.sim.tenant.rows.filter((x) => x.messageId === ref.messageId);
    expect(truth.length).toBe(5);
    expect(s.recipients.length + s.notExplained.length).toBe(truth.length);
    for (const t of truth) {
      const got = [...s.recipients, ...s.notExplained].find((x: any) => x.recipientAddress === t.recipientAddress);
      expect(got?.status).toBe(t.status);
    }
    expect(s.recipients[0]).toMatchObject({ status: 'failed', recipientAddress: 'isaiah.langer@contoso.com' });
    expect(s.recipients[0].diagnosis.code).toBe('5.2.2');
    expect(s.summary).toMatch(/Searched the last 10 days/);
    expect(s.byStatus).toEqual({ delivered: 3, failed: 1, expanded: 1 });
    // One list request and one details request per explained recipient.
    expect(h.sim.requests.length - before).toBe(1 + s.recipients.length);
    expect(s.graphRequests).toBe(1 + s.recipients.length);
    expect(text(r)).toContain('isaiah.langer@contoso.com');
    expect(text(r)).toMatch(/expanded: a distribution group/);
  });

  it('explains at most five recipients and lists the rest with their status', async () => {
    const byMessage = new Map<string, MessageTraceRow[]>();
    for (const row of h.sim.tenant.rows) byMessage.set(row.messageId, [...(byMessage.get(row.messageId) ?? []), row]);
    const [messageId, rows] = [...byMessage.entries()].find(([, v]) => v.length > 5 && Date.now() - Date.parse(v[0]!.receivedDateTime) < 9 * 86_400_000)!;
    const s = structured(await h.call('get_trace_details', { messageId }));
    expect(s.recipients).toHaveLength(5);
    expect(s.notExplained).toHaveLength(rows.length - 5);
  });

  it('searches further back than 10 days when needed, and says how far', async () => {
    const old = h.sim.tenant.rows.find((x) => Date.now() - Date.parse(x.receivedDateTime) > 25 * 86_400_000)!;
    const s = structured(await h.call('get_trace_details', { messageId: old.messageId }));
    expect(s.summary).toMatch(/Searched back (2\d|3\d) days/);
    expect([...s.recipients, ...s.notExplained].map((x: any) => x.recipientAddress)).toContain(old.recipientAddress);
  });

  it('an unknown Message-ID says which window was searched', async () => {
    const r = await h.call('get_trace_details', { messageId: '<nothing-like-this@nowhere.example>', startDateTime: new Date(Date.now() - 3 * 86_400_000).toISOString() });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/Searched 20\d\d-/);
  });
});
