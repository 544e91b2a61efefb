import { describe, expect, it } from 'vitest';
import { buildFilter, detailsPath, listPath, odataDateTime, odataString } from '../../src/graph/filter.js';

const start = new Date('2026-11-20T00:00:00.000Z');
const end = new Date('2026-11-22T12:30:45.000Z');

describe('odataString', () => {
  it('doubles embedded single quotes so a value cannot close the literal', () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
    expect(odataString("x' or status eq 'failed")).toBe("'x'' or status eq ''failed'");
  });
});

describe('buildFilter', () => {
  it('always bounds receivedDateTime with ge and le at second precision', () => {
    expect(buildFilter({ start, end })).toBe('receivedDateTime ge 2026-11-20T00:00:00Z and receivedDateTime le 2026-11-22T12:30:45Z');
    expect(odataDateTime(new Date('2026-01-01T01:02:03.999Z'))).toBe('2026-01-01T01:02:03Z');
  });

  it('uses eq for ids, addresses, status and IPs and a function for subject, joined by and', () => {
    const f = buildFilter({
      start,
      end,
      traceId: 'eaaafa9a-788c-47f0-357c-08de5bf702e0',
      messageId: '<a@b>',
      senderAddress: 's@contoso.com',
      recipientAddress: 'r@fabrikam.com',
      status: 'filteredAsSpam',
      fromIP: '10.0.0.1',
      toIP: '2001:db8::1',
      subject: { text: 'Weekly digest', match: 'startsWith' },
    });
    expect(f).toBe(
      "receivedDateTime ge 2026-11-20T00:00:00Z and receivedDateTime le 2026-11-22T12:30:45Z and id eq 'eaaafa9a-788c-47f0-357c-08de5bf702e0' and messageId eq '<a@b>' and senderAddress eq 's@contoso.com' and recipientAddress eq 'r@fabrikam.com' and status eq 'filteredAsSpam' and fromIP eq '10.0.0.1' and toIP eq '2001:db8::1' and startsWith(subject,'Weekly digest')",
    );
    expect(f).not.toMatch(/\bor\b|\bin\b/);
  });

  it('keeps an injection attempt inside one literal', () => {
    const f = buildFilter({ start, end, subject: { text: "') or (status eq 'failed", match: 'contains' } });
    expect(f.endsWith("contains(subject,''') or (status eq ''failed')")).toBe(true);
  });
});

describe('paths', () => {
  it('encodes the list query with %20 and $top', () => {
    const p = listPath({ start, end, senderAddress: 'a+b@contoso.com' }, 5000);
    expect(p.startsWith('/admin/exchange/tracing/messageTraces?%24filter=')).toBe(true);
    expect(p).toContain('%24top=5000');
    expect(p).not.toContain('+');
    const decoded = new URLSearchParams(p.split('?')[1]);
    expect(decoded.get('$filter')).toContain("senderAddress eq 'a+b@contoso.com'");
  });

  it('quotes the recipient of getDetailsByRecipient as an OData literal', () => {
    expect(detailsPath('eaaafa9a-788c-47f0-357c-08de5bf702e0', "o'neil@contoso.com")).toBe(
      "/admin/exchange/tracing/messageTraces/eaaafa9a-788c-47f0-357c-08de5bf702e0/getDetailsByRecipient(recipientAddress='o''neil%40contoso.com')",
    );
  });
});
