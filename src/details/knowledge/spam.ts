/**
 * Anti-spam stamps (SCL, SFV, CAT, DI, …) and the delivery folder, explained.
 * Facts: the anti-spam header pages (SRC.H1, SCL: SRC.H2, delivery destinations: SRC.H3) and the
 * message trace detail documentation (S:SFA, DI: SRC.T1); wording is ours.
 */
import { fenceUntrusted } from '../../output/untrusted.js';
import { SRC } from './sources.js';

/** Where these explanations come from, for callers that show a "learn more" link. */
export const SPAM_SOURCE_URLS = {
  scl: SRC.H2,
  sfv: SRC.H1,
  cat: SRC.H1,
  di: SRC.T3,
  folder: SRC.I2,
  dest: SRC.H3,
} as const;

// ── SCL ─────────────────────────────────────────────────────────────────────────────────────────

function parseScl(scl: number | string): number | undefined {
  const text = typeof scl === 'number' ? String(scl) : typeof scl === 'string' ? scl.trim() : '';
  if (!/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= -1 && n <= 9 ? n : undefined;
}

function sclShort(n: number): string {
  if (n === -1) return 'filtering bypassed';
  if (n <= 1) return 'not spam';
  if (n <= 4) return 'a value spam filtering does not assign';
  if (n <= 6) return 'spam';
  return 'high confidence spam';
}

/** Explain a spam confidence level (-1 to 9). */
export function explainScl(scl: number | string): string {
  const n = parseScl(scl);
  if (n === undefined) {
    return `SCL ${fenceUntrusted(String(scl), 20)} is not a valid spam confidence level (valid values run from -1 to 9).`;
  }
  switch (n) {
    case -1:
      return 'SCL -1: spam filtering was skipped (safe sender, safe recipient, the IP Allow List, or a mail flow rule that bypasses filtering), so the message goes to the Inbox.';
    case 0:
    case 1:
      return `SCL ${n}: spam filtering found the message not to be spam, so it goes to the Inbox.`;
    case 2:
    case 3:
    case 4:
      return `SCL ${n}: spam filtering never assigns 2 to 4, so something else (such as a mail flow rule) set this value.`;
    case 5:
    case 6:
      return `SCL ${n}: spam. By default (and in the Standard preset) it goes to the Junk Email folder; the Strict preset quarantines it.`;
    default: {
      const rare = n === 7 ? ' Spam filtering itself rarely assigns 7; analysts, DMARC failures and mail flow rules do.' : '';
      return `SCL ${n}: high confidence spam. By default it goes to the Junk Email folder; the Standard and Strict presets quarantine it.${rare}`;
    }
  }
}

// ── SFV ─────────────────────────────────────────────────────────────────────────────────────────

const SFV: Record<string, string> = {
  BLK: "filtering was skipped and the message blocked, because the sender is on the recipient's Blocked Senders list",
  NSPM: 'the spam filter judged the message not spam, and it went on to the recipients',
  SFE: "filtering was skipped and the message allowed, because the sender is on the recipient's Safe Senders list",
  SKA: 'filtering was skipped and the message delivered to the Inbox, because the sender or domain is allowed in the anti-spam policy',
  SKB: 'the message was marked spam because the sender or domain is blocked in the anti-spam policy',
  SKN: 'the message was marked not spam before filtering (SCL -1, or a bypass set by a mail flow rule)',
  SKQ: 'the message was released from quarantine',
  SKS: 'the message was marked spam before filtering (a mail flow rule set SCL 5 to 9)',
  SPM: 'the spam filter marked the message as spam',
  SKI: 'filtering was skipped because the message is internal to the organization (older value)',
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function code(value: string): string {
  return value.trim().toUpperCase();
}

/** Explain a spam filtering verdict (SFV) value. */
export function explainSfv(sfv: string): string {
  const v = code(typeof sfv === 'string' ? sfv : String(sfv ?? ''));
  const text = SFV[v];
  if (!text) return `SFV value ${fenceUntrusted(v, 20)} is not one Microsoft documents.`;
  return `${capitalise(text)} (SFV:${v}).`;
}

// ── CAT ─────────────────────────────────────────────────────────────────────────────────────────

const MDO = ' (Microsoft Defender for Office 365)';
const CAT: Record<string, string> = {
  AMP: 'anti-malware policy',
  BIMP: `brand impersonation${MDO}`,
  DIMP: `domain impersonation${MDO}`,
  UIMP: `user impersonation${MDO}`,
  GIMP: `mailbox intelligence impersonation${MDO}`,
  BULK: 'bulk mail',
  FTBP: 'blocked file type (common attachments filter of the anti-malware policy)',
  HPHSH: 'high confidence phishing',
  HPHISH: 'high confidence phishing',
  HSPM: 'high confidence spam',
  INTOS: 'phishing sent inside the organization',
  MALW: 'malware',
  OSPM: 'outbound spam',
  PHSH: 'phishing',
  SAP: `Safe Attachments${MDO}`,
  SPM: 'spam',
  SPOOF: 'spoofing',
};

/** Explain a protection category (CAT) value: the verdict whose policy decided the action. */
export function explainCat(cat: string): string {
  const v = code(typeof cat === 'string' ? cat : String(cat ?? ''));
  const text = CAT[v];
  if (!text) return `CAT value ${fenceUntrusted(v, 20)} is not one Microsoft documents.`;
  return `Protection category: ${text} (CAT:${v}).`;
}

// ── DI and other S:SFA keys ────────────────────────────────────────────────────────────────────

const DI: Record<string, string> = {
  SB: 'the sender was blocked',
  SQ: 'the message was quarantined',
  SD: 'the message was deleted',
  SJ: 'the message went to the Junk Email folder',
  SN: 'outbound mail was routed through the high-risk delivery pool',
  SO: 'outbound mail was routed through the normal delivery pool',
};

const IPV: Record<string, string> = {
  CAL: 'the sending IP is on the IP Allow List',
  NLI: 'the sending IP is not on any IP reputation list',
};

const SFTY: Record<string, string> = {
  '9.19': 'a domain impersonation safety tip applied',
  '9.20': 'a user impersonation safety tip applied',
  '9.25': 'a first contact safety tip applied',
};

const DIR: Record<string, string> = { INB: 'inbound', OUT: 'outbound', INT: 'internal' };

// ── delivery folder ────────────────────────────────────────────────────────────────────────────

export interface DeliveryFolder {
  folder: 'Inbox' | 'Junk Email' | 'Quarantine' | 'Deleted Items' | string;
  meaning: string;
}

const FOLDER_MEANING: Record<string, string> = {
  Inbox: 'Delivered to the Inbox.',
  'Junk Email': 'Delivered, but to the Junk Email folder: the recipient has to look there.',
  Quarantine: 'Held in quarantine, not in any mailbox folder: the recipient sees it only after it is released.',
  'Deleted Items': 'Delivered straight to the Deleted Items folder (usually by a rule).',
};

function folderResult(folder: string): DeliveryFolder {
  return { folder, meaning: FOLDER_MEANING[folder] ?? `Delivered to the folder ${folder}.` };
}

const DEFAULT_FOLDER_TYPES: Record<string, string> = {
  inbox: 'Inbox',
  junkemail: 'Junk Email',
  deleteditems: 'Deleted Items',
};

/**
 * The folder a Deliver event put the message in, read from its description ("The message was
 * delivered to the Junk Email folder", "Message quarantined in: DefaultFolderType:…") or from a
 * `dest:` / `DI=` value. Undefined when the text names no folder.
 */
export function explainDeliveryFolder(text: string): DeliveryFolder | undefined {
  if (typeof text !== 'string' || !text.trim()) return undefined;
  const t = text;
  if (/quarantin/i.test(t) || /\bDI[=:]\s*SQ\b/i.test(t)) return folderResult('Quarantine');
  if (/junk/i.test(t) || /\bdest:\s*J\b/i.test(t) || /\bDI[=:]\s*SJ\b/i.test(t)) return folderResult('Junk Email');
  if (/deleted\s*items/i.test(t)) return folderResult('Deleted Items');
  const dft = /DefaultFolderType:\s*([A-Za-z]+)/i.exec(t);
  if (dft?.[1]) {
    const known = DEFAULT_FOLDER_TYPES[dft[1].toLowerCase()];
    // An unknown word is Graph's text, not a folder this server knows: fenced like any data.
    return folderResult(known ?? fenceUntrusted(dft[1], 40));
  }
  if (/\bdest:\s*I\b/i.test(t)) return folderResult('Inbox');
  if (/\bdest:\s*C\b/i.test(t)) {
    return {
      folder: 'custom folder',
      meaning: 'Delivered to a custom folder, typically moved there by one of the user\'s own rules.',
    };
  }
  if (/successfully delivered/i.test(t)) return folderResult('Inbox');
  return undefined;
}

// ── combined verdict ───────────────────────────────────────────────────────────────────────────

export interface SpamVerdict {
  /** The raw SCL value as found (trimmed). */
  scl?: string;
  /** The raw SFV value, upper case. */
  sfv?: string;
  /** The raw CAT value, upper case. */
  cat?: string;
  /** One plain sentence combining everything present. */
  summary: string;
}

function lookup(facts: Record<string, string>, key: string): string | undefined {
  for (const [k, v] of Object.entries(facts)) {
    if (k.trim().toUpperCase() === key && typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}

function describe(table: Record<string, string>, value: string, label: string): string {
  return table[code(value)] ?? `${label} ${fenceUntrusted(value, 20)} (undocumented value)`;
}

/**
 * Combine whatever anti-spam values are present (SCL, SFV, CAT, DI, PCL, BCL, IPV, SRV, SFTY, DIR;
 * keys case-insensitive) into one plain sentence.
 */
export function explainSpamVerdict(facts: Record<string, string>): SpamVerdict {
  const f = facts && typeof facts === 'object' ? facts : {};
  const out: SpamVerdict = { summary: '' };
  const clauses: string[] = [];

  const sfv = lookup(f, 'SFV');
  if (sfv) {
    out.sfv = code(sfv);
    clauses.push(`${describe(SFV, sfv, 'SFV')} (SFV:${out.sfv})`);
  }
  const scl = lookup(f, 'SCL');
  if (scl) {
    out.scl = scl;
    const n = parseScl(scl);
    clauses.push(n === undefined ? `SCL ${fenceUntrusted(scl, 20)} is not a valid level` : `SCL ${n}: ${sclShort(n)}`);
  }
  const cat = lookup(f, 'CAT');
  if (cat) {
    out.cat = code(cat);
    clauses.push(`category ${describe(CAT, cat, 'CAT')} (CAT:${out.cat})`);
  }
  const di = lookup(f, 'DI');
  if (di) clauses.push(`${describe(DI, di, 'DI')} (DI:${code(di)})`);
  const pcl = lookup(f, 'PCL');
  if (pcl) clauses.push(`phishing confidence level ${fenceUntrusted(pcl, 10)} (read like SCL)`);
  const bcl = lookup(f, 'BCL');
  if (bcl) clauses.push(`bulk complaint level ${fenceUntrusted(bcl, 10)}`);
  const srv = lookup(f, 'SRV');
  if (srv) {
    clauses.push(
      code(srv) === 'BULK'
        ? 'treated as bulk because its bulk complaint level reached the policy threshold (SRV:BULK)'
        : `SRV ${fenceUntrusted(srv, 20)} (undocumented value)`,
    );
  }
  const ipv = lookup(f, 'IPV');
  if (ipv) clauses.push(`${describe(IPV, ipv, 'IPV')} (IPV:${code(ipv)})`);
  const sfty = lookup(f, 'SFTY');
  if (sfty) clauses.push(`${describe(SFTY, sfty, 'SFTY')} (SFTY:${fenceUntrusted(sfty, 10)})`);
  const dir = lookup(f, 'DIR');
  if (dir) clauses.push(`direction ${describe(DIR, dir, 'DIR')}`);

  out.summary = clauses.length
    ? `Anti-spam verdict: ${clauses.join('; ')}.`
    : 'No anti-spam values (SCL, SFV, CAT, DI) were found for this message.';
  return out;
}
