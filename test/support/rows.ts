/** A plausible message trace row for unit tests; `n` makes its trace id and message id unique. */
import type { MessageTraceRow } from '../../src/graph/types.js';

export function traceRow(over: Partial<MessageTraceRow> = {}, n = 1): MessageTraceRow {
  return {
    id: `aaaaaaaa-0000-0000-0000-${String(n).padStart(12, '0')}`,
    messageId: `<m${n}@mail.fabrikam.com>`,
    senderAddress: 'ann@fabrikam.com',
    recipientAddress: 'bob@contoso.com',
    receivedDateTime: '2026-05-02T10:00:00.000Z',
    subject: 'Hello',
    size: 1234,
    fromIP: '192.0.2.1',
    toIP: '',
    status: 'Delivered',
    ...over,
  };
}
