import { describe, expect, it } from 'vitest';
import { SeenRows } from '../../src/graph/message-traces.js';

const ID = 'eaaafa9a-788c-47f0-357c-08de5bf702e0';

describe('SeenRows: de-duplication by (trace id, recipient)', () => {
  it('passes each pair once, case-insensitively', () => {
    const seen = new SeenRows();
    expect(seen.add({ id: ID, recipientAddress: 'alex@contoso.com' })).toBe(true);
    expect(seen.add({ id: ID.toUpperCase(), recipientAddress: 'Alex@Contoso.com' })).toBe(false);
    expect(seen.add({ id: ID, recipientAddress: 'alex@contoso.com' })).toBe(false);
  });

  it('keeps every recipient of one message apart', () => {
    const seen = new SeenRows();
    const recipients = ['a@contoso.com', 'b@contoso.com', 'c@fabrikam.com', 'd@fabrikam.com'];
    for (const r of recipients) expect(seen.add({ id: ID, recipientAddress: r })).toBe(true);
    for (const r of recipients) expect(seen.add({ id: ID, recipientAddress: r.toUpperCase() })).toBe(false);
    expect(seen.add({ id: ID.replace(/^e/, 'f'), recipientAddress: 'a@contoso.com' })).toBe(true);
  });

  it('tells apart pairs that a joined key would confuse', () => {
    const seen = new SeenRows();
    expect(seen.add({ id: 'a|b', recipientAddress: 'c@x.com' })).toBe(true);
    expect(seen.add({ id: 'a', recipientAddress: 'b|c@x.com' })).toBe(true);
  });
});
