import { describe, expect, it } from 'vitest';
import { auditLine } from '../../src/http/audit.js';

const caller = { key: 'oid-1', oid: 'oid-1', appid: 'app-1', tid: 'tenant-1' };
const record = { tool: 'search_traces', arguments: { senderAddress: 'alex.wilber@contoso.com', subject: 'x'.repeat(1000), status: ['failed'] }, outcome: 'ok' as const, graphRequests: 2, ms: 12.6 };

describe('auditLine', () => {
  it('is one JSON line with time, caller ids, tool, arguments, outcome, Graph requests and ms', () => {
    const line = auditLine(caller, record, { redact: false, now: new Date('2026-12-01T08:00:00Z') });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trim()).not.toContain('\n');
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({
      audit: 'tool_call',
      time: '2026-12-01T08:00:00.000Z',
      caller: { oid: 'oid-1', appid: 'app-1', tid: 'tenant-1' },
      tool: 'search_traces',
      arguments: { senderAddress: 'alex.wilber@contoso.com', status: ['failed'] },
      outcome: 'ok',
      graphRequests: 2,
      ms: 13,
    });
    expect(parsed.arguments.subject.length).toBeLessThan(310);
  });

  it('masks addresses in the arguments when redaction is on', () => {
    const parsed = JSON.parse(auditLine(caller, record, { redact: true }));
    expect(parsed.arguments.senderAddress).toBe('user1@contoso.com');
    expect(JSON.stringify(parsed)).not.toContain('alex.wilber');
  });
});
