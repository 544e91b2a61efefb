/**
 * The text form of a search_traces answer (`content`): the same facts as the structured result,
 * laid out for reading: summary, the report table (Markdown), notes, where the full rows are,
 * then the listed rows grouped by message.
 */
import { renderReportMarkdown } from './report/markdown.js';
import type { SearchSummary } from './aggregate.js';
import { STATUS_IN_BRIEF, STATUSES_TO_EXPLAIN } from '../graph/status-meanings.js';

function kb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function shortTime(iso: string): string {
  return iso.replace(/:\d\d(\.\d+)?Z$/, 'Z').replace('T', ' ');
}

export function renderSearchText(s: SearchSummary): string {
  const lines: string[] = [s.summary, ''];
  if (s.report) lines.push(renderReportMarkdown(s.report), '');
  if (s.explained) {
    const e = s.explained;
    lines.push(`Causes (estimated: one sampled row per cluster; ${e.requests} detail requests; ${e.coveredRows} of ${e.problemRows} problem rows in sampled clusters):`);
    for (const c of s.causes ?? []) {
      const examples = c.examples.map((x) => `${x.traceId} → ${x.recipientAddress}`).join('; ');
      lines.push(
        `- ${c.code}: about ${c.estimatedRows} rows (estimate; ${c.sampled} sampled). ${c.meaning} Who acts: ${c.fixOwner}. Fix: ${c.fix} Retry helps: ${c.retryHelps ? 'yes' : 'no'}. Example: ${examples}`,
      );
    }
    if ((s.causes ?? []).length === 0) lines.push('- none explained (see notes)');
    lines.push('');
  }
  lines.push(`Window (UTC): ${s.window.start} → ${s.window.end}. Complete: ${s.complete ? 'yes' : 'NO (see notes)'}. Graph requests used: ${s.graphRequests}${s.rowsRead !== undefined ? `; rows read: ${s.rowsRead}` : ''}.`);
  const statuses = Object.entries(s.totals.byStatus).map(([k, v]) => `${k} ${v}`).join(', ');
  lines.push(`Totals: ${s.totals.traces} recipient rows, ${s.totals.messages} messages${statuses ? ` (${statuses})` : ''}.`);
  const h = s.highlights;
  if (h.problemRecipientDomains.length) {
    lines.push(`Problem rows by recipient domain: ${h.problemRecipientDomains.map((d) => `${d.name} ${d.count}`).join(', ')}.`);
  }
  // When every row is a problem row (a status-filtered search) the two lists are the same: say it once.
  const same = h.problemSenders.length === h.topSenders.length && h.problemSenders.every((p, i) => p.name === h.topSenders[i]?.name && p.count === h.topSenders[i]?.count);
  if (h.problemSenders.length && !same) lines.push(`Problem rows by sender: ${h.problemSenders.map((d) => `${d.name} ${d.count}`).join(', ')}.`);
  if (h.topSenders.length) {
    const counted = (d: { name: string; count: number; messages?: number }) => `${d.name} ${d.count}${d.messages !== undefined && d.messages !== d.count ? ` (${d.messages} message${d.messages === 1 ? '' : 's'})` : ''}`;
    lines.push(`Top senders${same ? ' (all rows are problem rows)' : ''}, recipient rows: ${h.topSenders.map(counted).join(', ')}.`);
  }
  const meanings = STATUSES_TO_EXPLAIN.filter((st) => s.totals.byStatus[st]).map((st) => `${st} = ${STATUS_IN_BRIEF[st]}`);
  if (meanings.length) lines.push(`Statuses: ${meanings.join('; ')}.`);
  for (const note of s.notes) lines.push(`Note: ${note}`);
  if (s.resultSet) {
    const r = s.resultSet;
    lines.push(
      `All ${r.rows} rows${r.truncated ? ' kept (the cap; the totals cover more)' : ''}${r.pages > 1 ? ` in ${r.pages} pages, page 1` : ''}: ${r.csvUri} (CSV, for a spreadsheet) or ${r.jsonUri} (JSON); MCP resources, kept for the last few searches.`,
    );
    for (const p of r.morePages ?? []) lines.push(`Page ${p.page} of ${r.pages}: ${p.csvUri} or ${p.jsonUri}.`);
  }

  if (s.rows.length) {
    lines.push('', `Rows (${s.rows.length} listed${s.notListed ? `, ${s.notListed} not listed` : ''}; ${s.dataNotice})`);
    let current = '';
    for (const r of s.rows) {
      if (r.traceId !== current) {
        current = r.traceId;
        lines.push(`• ${shortTime(r.receivedDateTime)} from ${r.senderAddress} subject ${r.subject} traceId ${r.traceId}${r.messageId ? ` messageId ${r.messageId}` : ''}`);
      }
      const ips = r.fromIP !== undefined ? ` fromIP ${r.fromIP || '-'} toIP ${r.toIP || '-'}` : '';
      lines.push(`    ${r.status.padEnd(14)} → ${r.recipientAddress} (${kb(r.size)})${ips}`);
    }
  }
  if (s.csv !== undefined) lines.push('', `CSV, every row (${s.dataNotice})`, s.csv.trimEnd());
  if (s.nextSteps.length) {
    lines.push('', 'Next:');
    for (const step of s.nextSteps) lines.push(`- ${step}`);
  }
  return lines.join('\n');
}
