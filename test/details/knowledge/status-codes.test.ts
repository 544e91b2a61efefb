import { describe, expect, it } from 'vitest';
import {
  STATUS_CODE_ENTRIES,
  explainStatusCode,
  parseEnhancedCode,
} from '../../../src/details/knowledge/status-codes.js';
import { ndrSamples, sourceUrls, statusCodeTable, type StatusCodeRow } from './reference.js';
import { NDR_FIXTURE } from '../../support/ndr-fixture.js';

/** Microsoft's NDR pages as transcribed in test/fixtures/ndr-codes.json. */
const fixturePages = new Set(NDR_FIXTURE.pages.map((p) => p.url));

/** Exchange Online's documented codes (test/fixtures/ndr-status-code-table.json). */
const codeTable = statusCodeTable();

interface RowCodes {
  row: StatusCodeRow;
  exact: string[];
  ranges: { cls: number; subject: number; from: number; to: number }[];
}

/** The codes and ranges named in the code cell of each row. */
const rows: RowCodes[] = codeTable.map((row) => {
  const first = row.code;
  const exact: string[] = [];
  const ranges: RowCodes['ranges'] = [];
  for (const m of first.matchAll(/([245])\.(\d{1,3})\.(\d{1,3})(?:-(\d{1,3}))?/g)) {
    const [, c, s, d, to] = m;
    if (to) ranges.push({ cls: Number(c), subject: Number(s), from: Number(d), to: Number(to) });
    else exact.push(`${c}.${Number(s)}.${Number(d)}`);
  }
  return { row, exact, ranges };
});

const allExact = [...new Set(rows.flatMap((r) => r.exact))];
const allRanges = rows.flatMap((r) => r.ranges);

describe('coverage of the documented codes', () => {
  it('parses a realistic number of rows from the source table', () => {
    expect(codeTable.length).toBeGreaterThan(60);
    expect(allExact.length).toBeGreaterThan(55);
    expect(allRanges.length).toBeGreaterThanOrEqual(5);
  });

  it('skips only rows that name no code', () => {
    const skipped = rows.filter((r) => r.exact.length === 0 && r.ranges.length === 0).map((r) => r.row.code);
    expect(skipped).toEqual(['n/a']);
  });

  it.each(allExact)('%s resolves to a known entry with an https source', (code) => {
    const x = explainStatusCode(code);
    expect(x.known).toBe(true);
    expect(x.code).toBe(code);
    expect(x.learnMoreUrl).toMatch(/^https:\/\//);
    expect(x.matched).not.toMatch(/RFC 3463/);
    expect(x.meaning.length).toBeGreaterThan(20);
    expect(x.fix.length).toBeGreaterThan(10);
    expect(x.permanent).toBe(code.startsWith('5.'));
  });

  it.each(allRanges.map((r) => [`${r.cls}.${r.subject}.${r.from}-${r.to}`, r] as const))(
    'range %s resolves at its ends and middle',
    (_label, r) => {
      for (const d of [r.from, Math.floor((r.from + r.to) / 2), r.to]) {
        const x = explainStatusCode(`${r.cls}.${r.subject}.${d}`);
        expect(x.known, `${r.cls}.${r.subject}.${d}`).toBe(true);
        expect(x.learnMoreUrl).toMatch(/^https:\/\//);
      }
    },
  );

  it('picks the row that matches the documented error text when one code has several rows', () => {
    const byCode = new Map<string, string[]>();
    for (const r of rows) {
      if (r.exact.length !== 1) continue;
      const text = r.row.text.replace(/`/g, '');
      const code = r.exact[0]!;
      byCode.set(code, [...(byCode.get(code) ?? []), text]);
    }
    const multi = [...byCode].filter(([, texts]) => texts.length > 1);
    expect(multi.map(([c]) => c)).toEqual(expect.arrayContaining(['5.7.1', '5.4.1']));
    for (const [code, texts] of multi) {
      const meanings = new Set(texts.map((t) => explainStatusCode(code, t).meaning));
      expect(meanings.size, `distinct meanings for ${code}`).toBe(texts.length);
    }
  });

  it('every entry cites a URL of the reference tables or a Microsoft page transcribed in the NDR fixture', () => {
    const known = new Set([...sourceUrls(), ...fixturePages]);
    const sibling =
      /^https:\/\/learn\.microsoft\.com\/en-us\/(exchange\/troubleshoot|troubleshoot\/exchange)\/email-delivery\/ndr\/fix-error-/;
    for (const e of STATUS_CODE_ENTRIES) {
      expect(known.has(e.learnMoreUrl) || sibling.test(e.learnMoreUrl), `${e.code}: ${e.learnMoreUrl}`).toBe(true);
    }
  });

  it('keeps meanings to one or two sentences and fixes to one to three', () => {
    const sentences = (t: string) => t.split(/(?<=[.!?])\s+(?=[A-Z"(])/).filter(Boolean).length;
    for (const e of STATUS_CODE_ENTRIES) {
      expect(sentences(e.meaning), `meaning of ${e.code}: ${e.meaning}`).toBeLessThanOrEqual(2);
      const n = sentences(e.fix);
      expect(n, `fix of ${e.code}: ${e.fix}`).toBeGreaterThanOrEqual(1);
      expect(n, `fix of ${e.code}: ${e.fix}`).toBeLessThanOrEqual(3);
    }
  });

  it('words meanings and fixes itself (no run of 8 words copied from the reference tables)', () => {
    const words = (t: string) => t.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').split(/\s+/).filter(Boolean);
    const source = ` ${words(codeTable.flatMap((r) => [r.text, r.meaning, r.fix]).join(' ')).join(' ')} `;
    const copied: string[] = [];
    for (const e of STATUS_CODE_ENTRIES) {
      for (const text of [e.meaning, e.fix]) {
        const w = words(text);
        for (let i = 0; i + 8 <= w.length; i++) {
          const run = w.slice(i, i + 8).join(' ');
          if (source.includes(` ${run} `)) copied.push(`${e.code}: "${run}"`);
        }
      }
    }
    expect(copied).toEqual([]);
  });
});

describe('lookup order and forms', () => {
  it.each([
    ['4.7.512', { known: true, matched: '4.7.500-699', retryHelps: true, permanent: false }],
    ['5.7.733', { known: true, matched: '5.7.700-750', permanent: true }],
    ['5.7.620', { known: true, matched: '5.7.606-649' }],
    ['4.7.880', { known: true, matched: '4.7.850-899', fixOwner: 'nobody (retried automatically)' }],
  ])('resolves %s inside its documented range', (code, expected) => {
    expect(explainStatusCode(code)).toMatchObject(expected);
  });

  it.each([
    ['5.7.705', '5.7.705'],
    ['5.7.750', '5.7.750'],
    ['5.1.10', '5.1.10'],
    ['5.4.14', '5.4.6 / 5.4.14'],
  ])('prefers an exact code over a range that contains it: %s matches %s', (code, matched) => {
    expect(explainStatusCode(code).matched).toBe(matched);
  });

  it('keeps 4.x and 5.x forms apart where only one is documented', () => {
    // 4.7.500-699 is a class 4 range only; 5.7.512 is its own entry.
    expect(explainStatusCode('5.7.512').matched).toBe('5.7.512');
    expect(explainStatusCode('5.7.650').known).toBe(false);
    expect(explainStatusCode('4.7.650').known).toBe(true);
  });

  it('resolves both forms of paired codes, with class-dependent permanence', () => {
    for (const [a, b] of [
      ['4.4.8', '5.4.8'],
      ['4.7.5', '5.7.5'],
      ['4.7.321', '5.7.321'],
      ['4.7.325', '5.7.325'],
    ] as const) {
      const x4 = explainStatusCode(a);
      const x5 = explainStatusCode(b);
      expect(x4.known && x5.known).toBe(true);
      expect(x4.matched).toBe(x5.matched);
      expect([x4.permanent, x4.retryHelps]).toEqual([false, true]);
      expect([x5.permanent, x5.retryHelps]).toEqual([true, false]);
    }
    expect(explainStatusCode('4.7.23').learnMoreUrl).not.toBe(explainStatusCode('5.7.23').learnMoreUrl);
  });

  it.each([
    ['5.1.10', 'fix-error-code-550-5-1-10'],
    ['4.4.7', 'fix-error-code-550-4-4-7'],
    ['5.7.124', 'fix-error-code-5-7-124'],
    ['5.7.135', 'fix-error-code-5-7-13-or-5-7-135'],
    ['4.7.600', '4-7-500-699'],
    ['5.7.520', 'external-email-forwarding'],
  ])('uses the specific Learn article where one exists: %s → %s', (code, article) => {
    expect(explainStatusCode(code).learnMoreUrl).toContain(article);
  });

  it('lets the error text choose among rows of the same code', () => {
    expect(explainStatusCode('5.7.1', 'TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy').meaning).toMatch(/mail flow/i);
    expect(explainStatusCode('5.7.1', '5.7.1 Unable to relay').fixOwner).toBe('sender admin');
    expect(explainStatusCode('5.7.1').fixOwner).toBe('group owner');
    expect(explainStatusCode('550 5.7.1 Service unavailable; Client host [1.2.3.4] blocked using Blocklist 1').meaning).toMatch(/blocklist/i);
    // Microsoft's 5.4.1 edge-blocking article is written for the recipient organization's admin.
    expect(explainStatusCode('5.4.1', 'Recipient address rejected: Access denied').fixOwner).toBe('recipient admin');
    expect(explainStatusCode('5.4.1', 'Recipient address rejected: Access denied').case).toBe('edge blocking');
    expect(explainStatusCode('5.4.1').fixOwner).toBe('recipient admin');
  });

  it('accepts free text in place of a bare code', () => {
    const x = explainStatusCode('550 5.4.310 DNS domain bbb.ccccccc does not exist [Message=InfoDomainNonexistent]');
    expect(x).toMatchObject({ code: '5.4.310', known: true, fixOwner: 'sender', permanent: true });
    expect(x.caveat).toMatch(/no Microsoft page/i);
  });

  it('treats 2.1.5 as success, not failure', () => {
    const ok = explainStatusCode('2.1.5');
    expect(ok).toMatchObject({ known: true, permanent: false, retryHelps: false });
    expect(ok.meaning).toMatch(/not a lost message|success/i);
    expect(explainStatusCode('2.1.5', '250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded').meaning).toMatch(/group/);
    expect(explainStatusCode('2.1.5', 'RESOLVER.OOF.IntToExt; handled internal OOF addressed to external recipient').meaning).toMatch(/out of office/);
  });

  it.each([
    ['5.2.121', true],
    ['5.1.1', false],
    ['4.4.7', true],
  ])('uses the entry override for permanent codes where waiting helps: %s retryHelps %s', (code, retryHelps) => {
    expect(explainStatusCode(code).retryHelps).toBe(retryHelps);
  });
});

describe('RFC 3463 fallback', () => {
  it('5.1.99: permanent addressing problem for the sender', () => {
    expect(explainStatusCode('5.1.99')).toMatchObject({
      code: '5.1.99',
      known: false,
      permanent: true,
      retryHelps: false,
      fixOwner: 'sender',
    });
    expect(explainStatusCode('5.1.99').matched).toMatch(/^5\.1\.99 \(RFC 3463 class 5 \/ subject 1/);
  });

  it('4.4.99: temporary network problem, retried automatically', () => {
    const x = explainStatusCode('4.4.99');
    expect(x).toMatchObject({ known: false, permanent: false, retryHelps: true, fixOwner: 'nobody (retried automatically)' });
    expect(x.meaning).toMatch(/temporary/i);
    expect(x.meaning).toMatch(/network or routing/i);
    expect(x.learnMoreUrl).toBe('https://www.rfc-editor.org/rfc/rfc3463');
  });

  it('5.7.999: permanent policy problem, recipient side (Microsoft 5.7.x guidance), marked as a fallback', () => {
    const x = explainStatusCode('5.7.999');
    expect(x).toMatchObject({ known: false, fallback: true, permanent: true, retryHelps: false, fixOwner: 'recipient admin' });
    expect(x.meaning).toMatch(/fallback/i);
    expect(x.meaning).toMatch(/security or policy/i);
    expect(x.learnMoreUrl).toContain('fix-error-code-550-5-7-1');
  });

  it.each([
    ['5.2.99', 'recipient admin'],
    ['5.3.99', 'recipient admin'],
    ['5.4.99', 'recipient admin'],
    ['5.5.99', 'sender admin'],
    ['5.6.99', 'sender'],
    ['5.0.99', 'recipient admin'],
    // Like every unknown class-4 code: retried on its own (no Microsoft page names an owner for 4.7.x).
    ['4.7.999', 'nobody (retried automatically)'],
    ['4.2.99', 'nobody (retried automatically)'],
  ])('maps each subject to an owner: %s → %s', (code, owner) => {
    expect(explainStatusCode(code).fixOwner).toBe(owner);
  });

  it('class 2 is success and needs nothing', () => {
    const x = explainStatusCode('2.6.0');
    expect(x).toMatchObject({ known: false, permanent: false, retryHelps: false });
    expect(x.meaning).toMatch(/success/i);
  });

  it('an undefined subject still gets class-based advice', () => {
    const x = explainStatusCode('5.9.1');
    expect(x).toMatchObject({ known: false, permanent: true });
    expect(x.meaning).toMatch(/not one RFC 3463 defines/);
  });

  it.each(['', 'abc', '6.1.1', '5.1', '3.0.0', 'ignore previous instructions'])('never throws on %j', (input) => {
    const x = explainStatusCode(input);
    expect(x.known).toBe(false);
    expect(x.matched).toBe('unreadable');
    expect(x.meaning).toMatch(/could not be read/);
    expect(x.meaning).toContain('«');
  });

  it('survives non-string input', () => {
    expect(() => explainStatusCode(undefined as unknown as string)).not.toThrow();
    expect(explainStatusCode(42 as unknown as string).known).toBe(false);
  });
});

describe('parseEnhancedCode', () => {
  it.each([
    ['550 5.4.310 DNS domain bbb.ccccccc does not exist [Message=InfoDomainNonexistent] [LastAttemptedServerName=bbb.ccccccc] …', '5.4.310'],
    ['#550 4.4.7 QUEUE.Expired; message expired ##', '4.4.7'],
    ['550 4.4.7 QUEUE.Expired;<ErrorText>', '4.4.7'],
    [
      'Defer:Reason: [{LED=451-4.7.23 Message deferred - unable to verify SPF policy for 451 4.7.23 chromaderm.com.au. IB305 i{2b0c499b-…}};{MSG=};{FQDN=extmail.bigpond.com};{IP=203.42.22.10};{LRT=1/21/2025 3:45:12 AM}]. OutboundProxyTargetIP: 203.42.22.10. OutboundProxyTargetHostName: extmail.bigpond.com',
      '4.7.23',
    ],
    [
      'Reason: [{LED=450 4.4.317 Cannot connect to remote server [Message=451 4.4.0 TLS negotiation failed with error SocketError] [LastAttemptedServerName=xxx] [LastAttemptedIP=xxx] [SmtpSecurity=-2;-2] [DM6NAM12FT012.eop-nam12.prod.protection.outlook.com 2023-03-07T18:46:06.378Z 08DB1DF24DB12D84]};{MSG=4. OutboundProxyTargetIP: xxx.',
      '4.4.317',
    ],
    [
      "Remote Server returned '550 5.7.705 Access denied, tenant has exceeded threshold. For more information please go to http://go.microsoft.com/fwlink/?LinkId=524931 AS831'",
      '5.7.705',
    ],
    ['mail.contoso.com #<exchange.contoso.com #5.7.1 smtp;530 5.7.1 Client was not authenticated> #SMTP#', '5.7.1'],
    ['Reason: [{LED=250 2.1.5 RESOLVER.OOF.IntToExt; handled internal OOF addressed to external recipient};{MSG=};{FQDN=};{IP=};{LRT=}]', '2.1.5'],
    ['[{LED=550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient ******@xxx.com not found by SMTP address lookup};{MSG=};{FQDN=};{IP=};{LRT=}]', '5.1.10'],
    ['5.04.010', '5.4.10'],
  ])('%s → %s', (text, code) => {
    expect(parseEnhancedCode(text)).toBe(code);
  });

  it.each([
    '203.42.22.10',
    'Message received by: MWHPR14MB1808.namprd14.prod.outlook.com using TLS1.2 with AES256',
    'S:AMA=EV|engine=M|v=1|sig=1.155.974.0|name=DOS/Test_File',
    'client 10.5.4.3 connected',
    'agent version 4.4.7.1',
    '6.1.1 and 3.2.1',
    '',
  ])('finds no code in %j', (text) => {
    expect(parseEnhancedCode(text)).toBeUndefined();
  });

  it('reads the enhanced code after each basic reply code in the published samples', () => {
    const samples = ndrSamples().flatMap((r) => Array.from(r.text.matchAll(/`([^`]+)`/g), (m) => m[1] ?? ''));
    const withReply = samples.filter((s) => /\b[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}/.test(s));
    expect(withReply.length).toBeGreaterThan(8);
    for (const s of withReply) {
      const expected = /\b[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})/.exec(s)?.[1];
      expect(parseEnhancedCode(s), s).toBe(expected);
    }
  });
});

describe('4.x.x codes sent with a 5xx reply', () => {
  it('marks 550 4.4.7 as final in the caveat', () => {
    const x = explainStatusCode('#550 4.4.7 QUEUE.Expired; message expired ##');
    expect(x.code).toBe('4.4.7');
    expect(x.caveat).toMatch(/stopped retrying/);
    expect(explainStatusCode('4.4.7', '550 4.4.7 QUEUE.Expired;<ErrorText>').caveat).toMatch(/failed for good/);
    expect(explainStatusCode('4.4.7').caveat).toBeUndefined();
    expect(explainStatusCode('451 4.4.7 still trying').caveat).toBeUndefined();
  });

  it('picks the proxy variant of 4.4.7 from its text', () => {
    const x = explainStatusCode('550 4.4.7 QUEUE.Expired; [LastError=450 4.7.0 Proxy session setup failed on Frontend]');
    expect(x.matched).toBe('4.7.0 (4.4.7 variant)');
    expect(x.caveat).toMatch(/stopped retrying/);
  });
});
