/**
 * The reference tables the knowledge-base tests check against: test/fixtures/*.json, transcribed
 * from public pages with their source URLs beside each row (see test/fixtures/README.md).
 */
import { readFileSync } from 'node:fs';

function fixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/${file}`, import.meta.url), 'utf8')) as T;
}

interface Sourced {
  sources: string[];
  sourceNote?: string;
}

/** Exchange Online enhanced status codes: one row per code (or range) and documented text. */
export interface StatusCodeRow extends Sourced {
  code: string;
  /** The exact text as documented, Markdown (backticks mark the strings). */
  text: string;
  meaning: string;
  owner: string;
  fix: string;
}

export interface NdrSample extends Sourced {
  case: string;
  text: string;
}

export interface EventRow extends Sourced {
  event: string;
  names: string[];
  meaning: string;
}

export interface AntiSpamRow extends Sourced {
  field: string;
  value: string;
  meaning: string;
}

export const statusCodeTable = (): StatusCodeRow[] => fixture<{ rows: StatusCodeRow[] }>('ndr-status-code-table.json').rows;
export const ndrSamples = (): NdrSample[] => fixture<{ rows: NdrSample[] }>('ndr-samples.json').rows;
export const traceEvents = () =>
  fixture<{ exchangeOnline: EventRow[]; graphDetailEvents: { names: string[]; sources: string[] } }>('trace-events.json');
export const antiSpamValues = (): AntiSpamRow[] => fixture<{ rows: AntiSpamRow[] }>('anti-spam-values.json').rows;
export const traceStatuses = () => fixture<{ _source: string; values: string[] }>('trace-statuses.json');

const TABLES = [
  'ndr-status-code-table.json',
  'ndr-samples.json',
  'trace-events.json',
  'anti-spam-values.json',
  'trace-statuses.json',
  'reference-sources.json',
];

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** Every text in the reference tables, and every https URL they cite. */
const allText = (): string[] => TABLES.flatMap((f) => strings(fixture(f)));

export function sourceUrls(): Set<string> {
  return new Set(allText().filter((s) => /^https:\/\/\S+$/.test(s)));
}

/** Runs of `n` words that `texts` share with the reference tables (to catch copied sentences). */
export function copiedRuns(texts: readonly string[], n = 8): string[] {
  const words = (t: string) => t.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').split(/\s+/).filter(Boolean);
  const source = ` ${words(allText().join(' ')).join(' ')} `;
  const found: string[] = [];
  for (const text of texts) {
    const w = words(text);
    for (let i = 0; i + n <= w.length; i++) {
      const run = w.slice(i, i + n).join(' ');
      if (source.includes(` ${run} `)) found.push(run);
    }
  }
  return found;
}
