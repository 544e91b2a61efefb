/**
 * A search report as a Markdown table a chat user can paste: one column per groupBy key, the
 * total, one column per status, an "other" row for the remainder and a totals row. Cell text is
 * escaped so that mail data (addresses, domains) cannot break the table or add formatting.
 */
import { describeGroupBy, type Report } from './report.js';

/** Escape what would end a cell or start Markdown formatting; intraword "_" stays readable. */
export function markdownCell(text: string): string {
  return text
    .replace(/[\\|`*[\]<>]/g, (c) => `\\${c}`)
    .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace('_', '\\_'));
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function renderReportMarkdown(r: Report): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const keyCount = r.groupBy.length;
  const lines: string[] = [];
  const scope = r.groupBy.some((k) => k === 'day' || k === 'hour') && keyCount === 1
    ? `${r.groups.length} buckets`
    : `${r.groups.length} of ${n(r.distinctGroups)} groups`;
  lines.push(`**Report by ${describeGroupBy(r.groupBy)}** (${scope}; ${r.window.start} → ${r.window.end} ${r.timeZone})`, '');
  // Sender groups stand for messages: their distinct message count follows the row total.
  const withMessages = r.groups.some((g) => g.messages !== undefined);
  const messages = (x: { messages?: number }, bold = false): string[] =>
    withMessages ? [x.messages === undefined ? '' : bold ? `**${n(x.messages)}**` : n(x.messages)] : [];
  lines.push(row([...r.groupBy, 'total', ...(withMessages ? ['messages'] : []), ...r.statuses]));
  lines.push(row([...r.groupBy.map(() => '---'), '---:', ...(withMessages ? ['---:'] : []), ...r.statuses.map(() => '---:')]));
  for (const g of r.groups) {
    const keys = g.key.map(markdownCell);
    const time = r.groupBy.findIndex((k) => k === 'day' || k === 'hour');
    if (g.inProgress && time >= 0) keys[time] = `${keys[time]} (in progress)`;
    lines.push(row([...keys, n(g.total), ...messages(g), ...g.counts.map(n)]));
  }
  if (r.other) {
    const pad = Array.from({ length: keyCount - 1 }, () => '');
    lines.push(row([markdownCell(r.other.label), ...pad, n(r.other.total), ...messages(r.other), ...r.other.counts.map(n)]));
  }
  const pad = Array.from({ length: keyCount - 1 }, () => '');
  lines.push(row(['**total**', ...pad, `**${n(r.totals.total)}**`, ...messages(r.totals, true), ...r.totals.counts.map((c) => `**${n(c)}**`)]));
  if (r.notes.length) lines.push('', ...r.notes.map((note) => `Note: ${note}`));
  return lines.join('\n');
}
