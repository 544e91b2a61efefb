import { describe, expect, it } from 'vitest';
import {
  explainCat,
  explainDeliveryFolder,
  explainScl,
  explainSfv,
  explainSpamVerdict,
} from '../../../src/details/knowledge/spam.js';
import { antiSpamValues } from './reference.js';

/** Anti-spam header values as Microsoft documents them (test/fixtures/anti-spam-values.json). */
const antiSpamRows = antiSpamValues();

/** Values of one field, splitting "BIMP / DIMP" and "HPHSH or HPHISH" and dropping notes. */
function valuesOf(field: string): string[] {
  return antiSpamRows
    .filter((r) => r.field === field)
    .flatMap((r) => r.value.replace(/\(.*?\)/g, '').split(/\/|\bor\b|,/))
    .map((v) => v.trim())
    .filter(Boolean);
}

describe('explainScl', () => {
  it('covers -1 to 9 as Microsoft documents SCL', () => {
    expect(explainScl(-1)).toMatch(/skipped/);
    expect(explainScl(-1)).toMatch(/Inbox/);
    expect(explainScl(0)).toMatch(/not to be spam/);
    expect(explainScl('1')).toMatch(/Inbox/);
    for (const n of [2, 3, 4]) expect(explainScl(n)).toMatch(/never assigns 2 to 4/);
    for (const n of [5, 6]) {
      expect(explainScl(n)).toMatch(/^SCL \d: spam\./);
      expect(explainScl(n)).toMatch(/Junk Email/);
      expect(explainScl(n)).toMatch(/Strict preset quarantines/);
    }
    for (const n of [7, 8, 9]) {
      expect(explainScl(n)).toMatch(/high confidence spam/);
      expect(explainScl(n)).toMatch(/Standard and Strict presets quarantine/);
    }
    expect(explainScl(7)).toMatch(/rarely/);
    expect(explainScl(9)).not.toMatch(/rarely/);
  });

  it.each(['abc', '10', '-2', '5.5', ''])('rejects %j', (v) => {
    expect(explainScl(v)).toMatch(/not a valid spam confidence level/);
  });
});

describe('explainSfv and explainCat', () => {
  const sfvValues = valuesOf('SFV');
  const catValues = valuesOf('CAT');

  it('reads the values out of the reference table', () => {
    expect(sfvValues).toEqual(expect.arrayContaining(['BLK', 'NSPM', 'SFE', 'SKA', 'SKB', 'SKN', 'SKQ', 'SKS', 'SPM', 'SKI']));
    expect(catValues).toEqual(expect.arrayContaining(['AMP', 'BIMP', 'DIMP', 'UIMP', 'GIMP', 'BULK', 'HPHSH', 'HPHISH', 'SPOOF']));
  });

  it.each([
    ...sfvValues.map((v) => ['SFV', v, explainSfv] as const),
    ...catValues.map((v) => ['CAT', v, explainCat] as const),
  ])('explains the documented %s value %s', (stamp, v, explain) => {
    expect(explain(v)).not.toMatch(/not one Microsoft documents/);
    expect(explain(v)).toContain(`(${stamp}:${v})`);
  });

  it('is case-insensitive and fences unknown values', () => {
    expect(explainSfv('spm')).toMatch(/marked the message as spam/);
    expect(explainCat(' hphish ')).toMatch(/high confidence phishing/);
    expect(explainSfv('XYZ')).toBe('SFV value «XYZ» is not one Microsoft documents.');
    expect(explainCat('ZZZ')).toMatch(/«ZZZ»/);
  });

  it.each([
    ['SFV', 'SKQ', explainSfv, /released from quarantine/],
    ['SFV', 'SFE', explainSfv, /Safe Senders/],
    ['SFV', 'BLK', explainSfv, /Blocked Senders/],
    ['SFV', 'SKS', explainSfv, /mail flow rule/],
    ['CAT', 'SAP', explainCat, /Safe Attachments/],
    ['CAT', 'INTOS', explainCat, /inside the organization/],
  ])('gives the documented meaning of %s:%s', (_stamp, v, explain, meaning) => {
    expect(explain(v)).toMatch(meaning);
  });
});

describe('explainDeliveryFolder', () => {
  it.each([
    ['The message was successfully delivered.', 'Inbox'],
    ['The message was delivered to the Junk Email folder', 'Junk Email'],
    ['Delivered to Junk', 'Junk Email'],
    ['Message quarantined in: DefaultFolderType:QuarantinedEmailSecured', 'Quarantine'],
    ['DefaultFolderType:DeletedItems', 'Deleted Items'],
    ['Moved to Deleted Items', 'Deleted Items'],
    ['DefaultFolderType:Inbox', 'Inbox'],
    ['dest:J;OFR:SpamFilterAuthJ', 'Junk Email'],
    ['ucf:0;jmr:0;auth:1;dest:I;ENG:(5062000305)', 'Inbox'],
    ['dest:C;OFR:CustomRules', 'custom folder'],
    ['DI=SJ', 'Junk Email'],
    ['DI=SQ', 'Quarantine'],
  ])('%j → %s', (text, folder) => {
    const x = explainDeliveryFolder(text);
    expect(x?.folder).toBe(folder);
    expect(x?.meaning.length).toBeGreaterThan(10);
  });

  it('returns undefined when no folder is named', () => {
    expect(explainDeliveryFolder('Message received by: MN2PR00MB0670.namprd00.prod.outlook.com')).toBeUndefined();
    expect(explainDeliveryFolder('')).toBeUndefined();
  });

  it('fences an unfamiliar folder name', () => {
    expect(explainDeliveryFolder('DefaultFolderType:Archive')).toEqual({ folder: '«Archive»', meaning: 'Delivered to the folder «Archive».' });
  });
});

describe('explainSpamVerdict', () => {
  it('combines what is present into one sentence', () => {
    const v = explainSpamVerdict({ SFV: 'spm', SCL: '9', CAT: 'HPHISH', DI: 'SQ' });
    expect(v).toMatchObject({ sfv: 'SPM', scl: '9', cat: 'HPHISH' });
    expect(v.summary).toMatch(/^Anti-spam verdict: /);
    expect(v.summary).toMatch(/marked the message as spam/);
    expect(v.summary).toMatch(/SCL 9: high confidence spam/);
    expect(v.summary).toMatch(/high confidence phishing/);
    expect(v.summary).toMatch(/quarantined/);
    expect(v.summary.match(/\.\s/g)).toBeNull(); // a single sentence
  });

  it('reads keys case-insensitively and handles the S:SFA example values', () => {
    const v = explainSpamVerdict({ sfv: 'SPM', ipv: 'CAL', srv: 'BULK', scl: '9', di: 'SN', dir: 'OUT' });
    expect(v.summary).toMatch(/IP Allow List/);
    expect(v.summary).toMatch(/bulk/);
    expect(v.summary).toMatch(/high-risk delivery pool/);
    expect(v.summary).toMatch(/outbound/);
    expect(v.cat).toBeUndefined();
  });

  it('handles SCL -1 bypasses and unknown values', () => {
    expect(explainSpamVerdict({ SCL: '-1', SFV: 'SKN' }).summary).toMatch(/filtering bypassed/);
    expect(explainSpamVerdict({ SFV: 'NEW' }).summary).toMatch(/«NEW» \(undocumented value\)/);
  });

  it('says so when nothing is present', () => {
    expect(explainSpamVerdict({}).summary).toMatch(/No anti-spam values/);
    expect(explainSpamVerdict({ SCL: ' ' }).scl).toBeUndefined();
  });
});
