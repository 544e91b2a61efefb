import { describe, expect, it } from 'vitest';
import { TRACE_STATUSES } from '../../../src/graph/types.js';
import { explainTraceStatus } from '../../../src/details/knowledge/statuses.js';
import { copiedRuns, traceStatuses } from './reference.js';

describe('explainTraceStatus', () => {
  it('explains every value of the Graph enum (test/fixtures/trace-statuses.json)', () => {
    const { values, _source } = traceStatuses();
    expect(_source).toMatch(/^https:\/\/learn\.microsoft\.com\//);
    expect(values).toEqual(expect.arrayContaining(['gettingStatus', 'filteredAsSpam', 'unknownFutureValue']));
    for (const v of [...values, 'recalled']) {
      const x = explainTraceStatus(v);
      expect(x.status, v).toBe(v);
      expect(x.meaning).not.toMatch(/not one this server knows/);
      expect(x.sourceUrl).toMatch(/^https:\/\//);
    }
  });

  it('words the meanings itself (no run of 8 words copied from the reference tables)', () => {
    const all = [...TRACE_STATUSES, 'unknownFutureValue', 'None', 'Unknown'].map((s) => explainTraceStatus(s).meaning);
    expect(copiedRuns(all)).toEqual([]);
  });

  it('knows every status the Graph types module declares', () => {
    for (const s of TRACE_STATUSES) expect(explainTraceStatus(s).status).toBe(s);
  });

  it.each([
    ['failed', true],
    ['pending', true],
    ['quarantined', true],
    ['filteredAsSpam', true],
    ['delivered', false],
    ['expanded', false],
    ['gettingStatus', false],
    ['recalled', false],
    ['unknownFutureValue', false],
  ])('flags only the problem statuses: %s is a problem: %s', (status, isProblem) => {
    expect(explainTraceStatus(status).isProblem).toBe(isProblem);
  });

  it.each([
    ['Delivered', 'delivered'],
    ['FILTEREDASSPAM', 'filteredAsSpam'],
    ['Filtered as spam', 'filteredAsSpam'],
    ['Getting status', 'gettingStatus'],
    [' quarantined ', 'quarantined'],
  ])('is case- and spacing-insensitive: %j is %s', (written, status) => {
    expect(explainTraceStatus(written).status).toBe(status);
  });

  it('says that delivered does not mean Inbox', () => {
    expect(explainTraceStatus('delivered').meaning).toMatch(/Junk Email/);
    expect(explainTraceStatus('delivered').meaning).toMatch(/not have to mean the Inbox/);
  });

  it('says filteredAsSpam was not quarantined and expanded delivers to members', () => {
    expect(explainTraceStatus('filteredAsSpam').meaning).toMatch(/rather than quarantined/);
    expect(explainTraceStatus('expanded').meaning).toMatch(/members/);
  });

  it('handles the cmdlet-only None and unknown strings', () => {
    expect(explainTraceStatus('None').meaning).toMatch(/rejected, or redirected/);
    const x = explainTraceStatus('Teleported');
    expect(x).toMatchObject({ status: 'Teleported', isProblem: false });
    expect(x.meaning).toContain('«Teleported»');
    expect(() => explainTraceStatus(undefined as unknown as string)).not.toThrow();
  });
});
