import { expect } from 'vitest';

/** CSV records (RFC 4180: every field quoted here, quotes doubled, CRLF). */
export function csvRecords(text: string): Array<Record<string, string>> {
  const lines = text.split('\r\n').filter(Boolean);
  const parse = (line: string) => [...line.matchAll(/"((?:[^"]|"")*)"(?:,|$)/g)].map((m) => m[1]!.replace(/""/g, '"'));
  const header = parse(lines[0]!);
  return lines.slice(1).map((l) => {
    const values = parse(l);
    expect(values).toHaveLength(header.length);
    return Object.fromEntries(header.map((k, i) => [k, values[i]!]));
  });
}
