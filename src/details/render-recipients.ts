/**
 * The text form of get_trace_details for a whole message (Message-ID alone): the headline, each
 * explained recipient's story, the others by status, then notes and the next call.
 */
import type { MessageAnswer } from './answer.js';

export function renderMessageText(r: MessageAnswer): string {
  const lines: string[] = [r.summary, '', `Recipients (${r.dataNotice})`];
  for (const x of r.recipients) {
    const owner = x.diagnosis ? ` [${x.diagnosis.code ? `${x.diagnosis.code}, ` : ''}fix: ${x.diagnosis.fixOwner}]` : '';
    lines.push(`• ${x.status} → ${x.recipientAddress} (traceId ${x.traceId})${owner}: ${x.summary}`);
  }
  if (r.notExplained.length > 0) {
    lines.push('', `Other recipients (status only): ${r.notExplained.map((x) => `${x.recipientAddress} ${x.status}`).join(', ')}${r.notListed > 0 ? `; and ${r.notListed} more` : ''}.`);
    const traces = new Set(r.notExplained.map((x) => x.traceId));
    if (traces.size === 1) lines.push(`Their traceId: ${[...traces][0]}.`);
  }
  for (const note of r.notes) lines.push(`Note: ${note}`);
  lines.push(`Graph requests used: ${r.graphRequests}.`);
  if (r.nextSteps.length) {
    lines.push('', 'Next:');
    for (const s of r.nextSteps) lines.push(`- ${s}`);
  }
  return lines.join('\n');
}
