/** Microsoft's NDR pages, transcribed as facts with their URLs: test/fixtures/ndr-codes.json. */
import { readFileSync } from 'node:fs';

export interface NdrCause {
  cause: string;
  owner: string;
}

export interface NdrCodeFact {
  /** One code ('5.7.1') or a documented range ('4.7.500-699'). */
  code: string;
  /** The case, where one code has several (named as the knowledge base names it). */
  case?: string;
  documentedText: string;
  /** An event text (and the remote server that answered) showing this case. */
  sample?: { text: string; remoteHost?: string };
  meaning: string;
  /** Words the knowledge base's meaning must contain. */
  mentions: string[];
  causes: NdrCause[];
  /** Who must act in this case, in the knowledge base's fix-owner vocabulary. */
  owner: string;
  tellApart?: string;
  fix: string;
  retryHelps: boolean;
  source: string;
  onTable: boolean;
  noMicrosoftPage?: true;
  notReread?: true;
  fallback?: true;
}

export interface NdrFixture {
  _source: string;
  owners: string[];
  genericTable: string;
  pages: { url: string; title: string; msDate: string | null; path: string | null }[];
  codes: NdrCodeFact[];
}

export const NDR_FIXTURE: NdrFixture = JSON.parse(readFileSync(new URL('../fixtures/ndr-codes.json', import.meta.url), 'utf8'));

/**
 * The codes to look up for a fact: the code itself, or a range's first, middle and last code,
 * leaving out codes that have a row of their own (5.1.10 inside 5.1.1-20).
 */
export function codesOf(code: string): string[] {
  const m = /^([245])\.(\d+)\.(\d+)-(\d+)$/.exec(code);
  if (!m) return [code];
  const [, c, s, from, to] = m;
  const own = new Set(NDR_FIXTURE.codes.map((r) => r.code));
  const mid = Math.floor((Number(from) + Number(to)) / 2);
  return [...new Set([Number(from), mid, mid + 1, Number(to), Number(to) - 1])]
    .map((d) => `${c}.${s}.${d}`)
    .filter((x) => !own.has(x));
}

/** The fact for a code and case (case omitted = the code's only or general row). */
export function ndrFact(code: string, kase?: string): NdrCodeFact {
  const hit = NDR_FIXTURE.codes.find((c) => c.code === code && c.case === kase);
  if (!hit) throw new Error(`ndr-codes.json has no row for ${code}${kase ? ` (${kase})` : ''}`);
  return hit;
}
