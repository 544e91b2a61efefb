/**
 * The text form of a get_trace_details answer (`content`): the same facts as the structured
 * result, laid out for reading: story, outcome, diagnosis, verdicts, then the timeline.
 */
import type { DetailsResult } from './answer.js';
import { formatDuration } from '../output/duration.js';

export function renderDetailsText(r: DetailsResult): string {
  const lines: string[] = [r.summary, ''];
  const o = r.outcome;
  lines.push(
    `Outcome: ${o.state}${o.folder ? ` (folder: ${o.folder})` : ''}${o.at ? ` at ${o.at}` : ''}${o.normal ? ' — normal, not a fault' : ''}. Trace ${r.traceId}, recipient ${r.recipientAddress}${r.status && r.status !== o.state ? `, search row status ${r.status}` : ''}.`,
  );
  if (r.statusMeaning) lines.push(`Status ${r.statusMeaning}`);
  if (r.diagnosis) {
    const d = r.diagnosis;
    lines.push(`Diagnosis${d.code ? ` ${d.code}` : ''}${d.case ? ` (case: ${d.case})` : ''}${d.fallback ? ' (fallback)' : ''}: ${d.meaning}`);
    // The story above usually gives the fix already: say it once.
    const fix = r.summary.includes(d.fix) ? '(fix above)' : `Fix: ${d.fix}`;
    lines.push(`Who fixes it: ${d.fixOwner}. ${fix} Retrying ${d.retryHelps ? 'can help' : 'will not help'}. More: ${d.learnMoreUrl}`);
  }
  // The summary carries its own label ("Anti-spam verdict: …", or that none was found).
  if (r.spam) lines.push(r.spam.summary);
  for (const rule of r.rules ?? []) lines.push(`${rule.kind === 'dlp' ? 'DLP rule' : 'Transport rule'}: ${rule.explanation}`);
  if (r.otherTraces?.length) {
    lines.push(`Other traces with this Message-ID: ${r.otherTraces.map((t) => `${t.traceId} (${t.status}, ${t.receivedDateTime})`).join('; ')}`);
  }
  for (const note of r.notes) lines.push(`Note: ${note}`);
  lines.push('', `Timeline (UTC; total ${formatDuration(r.totalSeconds)}; ${r.dataNotice})`);
  for (const e of r.events) {
    const gap = e.gapSeconds > 0 ? ` +${formatDuration(e.gapSeconds)}` : '';
    const slow = e.slowHop ? ' ← slow hop' : '';
    const rep = e.repeated && e.repeated > 1 ? ` ×${e.repeated}${e.until ? ` until ${e.until}` : ''}` : '';
    lines.push(`${e.dateTime}${gap} ${e.event}${rep}${e.description ? `: ${e.description}` : ''}${slow}`);
    if (e.facts) lines.push(`    facts: ${JSON.stringify(e.facts)}`);
  }
  return lines.join('\n');
}
