import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MessageTraceRow } from '../../src/graph/types.js';
import { DirectionClassifier, TenantDomains, directionOf, type Direction } from '../../src/search/direction.js';

let n = 0;
function row(senderAddress: string, recipientAddress: string, extra: Partial<MessageTraceRow> = {}): MessageTraceRow {
  n++;
  return {
    id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    messageId: `<m${n}@x>`,
    senderAddress,
    recipientAddress,
    receivedDateTime: '2026-03-01T10:00:00Z',
    subject: 's',
    size: 1,
    fromIP: '192.0.2.1',
    toIP: '',
    status: 'delivered',
    ...extra,
  };
}

function classifyAll(domains: TenantDomains, rows: MessageTraceRow[], warmup?: number) {
  const out: Array<[MessageTraceRow, Direction]> = [];
  const c = new DirectionClassifier(domains, (r, d) => out.push([r, d]), warmup);
  for (const r of rows) c.push(r);
  const outcome = c.finish();
  return { out, outcome, of: (r: MessageTraceRow) => out.find(([x]) => x === r)?.[1] };
}

describe('direction with MESSAGE_TRACE_DOMAINS', () => {
  const domains = new TenantDomains(['Contoso.com', 'contoso.onmicrosoft.com']);

  it('sender and recipient internal → internal; sender internal only → outbound; else inbound', () => {
    expect(directionOf(row('a@contoso.com', 'b@contoso.com'), domains)).toBe('internal');
    expect(directionOf(row('a@contoso.com', 'b@fabrikam.com'), domains)).toBe('outbound');
    expect(directionOf(row('a@fabrikam.com', 'b@contoso.com'), domains)).toBe('inbound');
    // Neither side is the tenant's (e.g. forwarded mail keeping its outside sender): inbound.
    expect(directionOf(row('a@fabrikam.com', 'b@gmail.com', { toIP: '203.0.113.5' }), domains)).toBe('inbound');
  });

  it('matches case-insensitively and covers subdomains, but not look-alikes', () => {
    expect(directionOf(row('A@CONTOSO.COM', 'b@EU.Contoso.com'), domains)).toBe('internal');
    expect(directionOf(row('a@contoso.com', 'b@notcontoso.com'), domains)).toBe('outbound');
    expect(directionOf(row('a@contoso.com.evil.example', 'b@contoso.com'), domains)).toBe('inbound');
    expect(directionOf(row('', 'b@contoso.com'), domains)).toBe('inbound');
  });

  it('classifies each row as it arrives (no holding back)', () => {
    const seen: Direction[] = [];
    const c = new DirectionClassifier(domains, (_, d) => seen.push(d));
    c.push(row('a@contoso.com', 'b@fabrikam.com'));
    expect(seen).toEqual(['outbound']);
    expect(c.finish()).toEqual({ inferred: false, domains: ['contoso.com', 'contoso.onmicrosoft.com'], lateRows: 0 });
  });
});

describe('direction inferred from the rows', () => {
  it('learns a recipient domain from local delivery (delivered or expanded, blank toIP)', () => {
    const d = new TenantDomains([]);
    d.learn(row('x@fabrikam.com', 'alex@contoso.com'));
    d.learn(row('x@fabrikam.com', 'sales@contoso.net', { status: 'Expanded' }));
    expect(d.list()).toEqual(['contoso.com', 'contoso.net']);
  });

  it('does not learn from rows that failed, were quarantined or are pending, nor from senders of mail that left', () => {
    const d = new TenantDomains([]);
    d.learn(row('x@fabrikam.com', 'a@contoso.com', { status: 'failed' }));
    d.learn(row('x@fabrikam.com', 'a@contoso.com', { status: 'quarantined' }));
    d.learn(row('x@fabrikam.com', 'a@contoso.com', { status: 'pending' }));
    d.learn(row('x@gmail.com', 'y@gmail.com', { toIP: '142.250.1.1' }));
    expect(d.list()).toEqual([]);
  });

  it('learns the onmicrosoft.com domain of the tenant system sender, and not any other onmicrosoft.com sender', () => {
    const d = new TenantDomains([]);
    d.learn(row('MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.onmicrosoft.com', 'a@fabrikam.com', { toIP: '52.101.1.1' }));
    d.learn(row('ceo@phish-trial.onmicrosoft.com', 'a@contoso.com', { status: 'quarantined' }));
    expect(d.list()).toEqual(['contoso.onmicrosoft.com']);
    expect(directionOf(row('ceo@phish-trial.onmicrosoft.com', 'b@contoso.onmicrosoft.com'), d)).toBe('inbound');
  });

  it('weighs a dropped automatic reply ("delivered", blank toIP) against mail that left for the domain', () => {
    const d = new TenantDomains([]);
    d.learn(row('debra@contoso.com', 'debra@contoso.com'));
    d.learn(row('debra@contoso.com', 'james@adatum.com')); // OOF dropped by policy
    expect(d.isInternal('adatum.com')).toBe(true); // the documented limit: nothing contradicts it yet
    d.learn(row('debra@contoso.com', 'james@adatum.com', { toIP: '52.101.4.4' }));
    expect(d.isInternal('adatum.com')).toBe(false);
    expect(d.list()).toEqual(['contoso.com']);
  });

  it('holds rows back during the warm-up so that the order of evidence does not matter', () => {
    // The internal row comes first; the evidence that contoso.com is the tenant's comes last.
    const internal = row('a@contoso.com', 'b@contoso.com', { status: 'failed' });
    const outbound = row('a@contoso.com', 'z@fabrikam.com', { toIP: '52.101.1.1' });
    const evidence = row('x@fabrikam.com', 'c@contoso.com');
    const { out, outcome, of } = classifyAll(new TenantDomains([]), [internal, outbound, evidence]);
    expect(out).toHaveLength(3);
    expect(of(internal)).toBe('internal');
    expect(of(outbound)).toBe('outbound');
    expect(of(evidence)).toBe('inbound');
    expect(outcome).toEqual({ inferred: true, domains: ['contoso.com'], lateRows: 0 });
  });

  it('after the warm-up classifies as rows arrive and counts the rows later evidence contradicts', () => {
    const early = [row('a@contoso.com', 'b@contoso.com', { status: 'failed' }), row('a@contoso.com', 'z@fabrikam.com', { status: 'failed' })];
    const rows = [...early, row('x@fabrikam.com', 'c@contoso.com'), row('q@fabrikam.com', 'r@fabrikam.com', { status: 'failed' })];
    // Warm-up of 1: the first row is classified before anything is known.
    const { of, outcome } = classifyAll(new TenantDomains([]), rows, 1);
    expect(of(early[0]!)).toBe('inbound');
    expect(of(early[1]!)).toBe('inbound');
    // Both early rows judged contoso.com external; it ended up the tenant's.
    expect(outcome.lateRows).toBe(2);
    expect(outcome.domains).toEqual(['contoso.com']);
  });

  it('emits every row exactly once, whatever the warm-up (property)', () => {
    const addr = fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('contoso.com', 'fabrikam.com', 'gmail.com')).map(([l, d]) => `${l}@${d}`);
    const arbRow = fc
      .record({ s: addr, r: addr, status: fc.constantFrom('delivered', 'failed', 'expanded', 'quarantined'), toIP: fc.constantFrom('', '52.101.1.1') })
      .map((x) => row(x.s, x.r, { status: x.status, toIP: x.toIP }));
    fc.assert(
      fc.property(fc.array(arbRow, { maxLength: 60 }), fc.integer({ min: 1, max: 80 }), (rows, warmup) => {
        const { out, outcome } = classifyAll(new TenantDomains([]), rows, warmup);
        expect(out.map(([r]) => r)).toEqual(rows);
        if (rows.length < warmup) expect(outcome.lateRows).toBe(0);
        // Within the warm-up everything is classified with the final evidence.
        if (rows.length < warmup) {
          const final = new TenantDomains([]);
          for (const r of rows) final.learn(r);
          for (const [r, d] of out) expect(d).toBe(directionOf(r, final));
        }
      }),
    );
  });
});
