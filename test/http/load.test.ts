/**
 * `--http` under concurrent load (no timing asserted; `npm run bench` part 6 measures it): 20
 * callers, each with its own identity and client, run 5 searches each, all at once. Every call is
 * answered, audited once under its caller, and no caller ever lists another's result sets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/graph/budget.js';
import { startHttpHarness, type HttpHarness } from '../support/http-harness.js';
import { startTokenIssuer, type TokenIssuer } from '../support/token-issuer.js';

const CALLERS = 20;
const SEARCHES = 5;
const QUESTIONS = [{ status: 'failed' }, { status: ['quarantined', 'filteredAsSpam'] }, { groupBy: ['recipientDomain'] }, { groupBy: ['day'] }, { direction: 'inbound' }];

let issuer: TokenIssuer;
let h: HttpHarness;
beforeAll(async () => {
  issuer = await startTokenIssuer();
  // Quota pacing lifted: 100 searches would otherwise measure the tenant's 100 requests / 5 min.
  h = await startHttpHarness({ issuer, server: { budget: new RequestBudget(100_000) } });
});
afterAll(async () => {
  await h?.close();
  await issuer?.close();
});

describe('--http under load', () => {
  it(`${CALLERS} concurrent callers × ${SEARCHES} searches: all answered, audited per caller, result sets never cross callers`, { timeout: 240_000 }, async () => {
    const oids = Array.from({ length: CALLERS }, (_, i) => `cccccccc-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const perCaller = await Promise.all(
      oids.map(async (oid, c) => {
        const client = await (c % 2 ? h.legacy(await issuer.mint({ oid })) : h.modern(await issuer.mint({ oid })));
        const own: string[] = [];
        let errors = 0;
        for (let i = 0; i < SEARCHES; i++) {
          const r = (await client.callTool({ name: 'search_traces', arguments: QUESTIONS[(c + i) % QUESTIONS.length] as Record<string, unknown> })) as {
            isError?: boolean;
            content: Array<{ type: string; uri?: string }>;
          };
          if (r.isError) errors++;
          for (const block of r.content) if (block.type === 'resource_link' && block.uri) own.push(block.uri);
        }
        const listed = (await client.listResources()).resources.map((r) => r.uri);
        return { errors, own, listed };
      }),
    );
    expect(perCaller.map((p) => p.errors)).toEqual(oids.map(() => 0));
    for (const p of perCaller) for (const uri of p.listed) expect(p.own).toContain(uri);
    const audit = h.audit.map((l) => JSON.parse(l) as { caller: { oid: string }; outcome: string });
    expect(audit).toHaveLength(CALLERS * SEARCHES);
    for (const oid of oids) expect(audit.filter((a) => a.caller.oid === oid && a.outcome === 'ok')).toHaveLength(SEARCHES);
  });
});
