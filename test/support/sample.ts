/** The published Graph responses in test/fixtures/sample-responses.json: the golden fixture. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessageTraceDetailEvent, MessageTraceRow } from '../../src/graph/types.js';

export const SAMPLE_PATH = fileURLToPath(new URL('../fixtures/sample-responses.json', import.meta.url));

export interface PublishedSample {
  _source: string;
  listMessageTraces: { response: { value: MessageTraceRow[] } };
  getDetailsByRecipient: { response: { value: MessageTraceDetailEvent[] } };
  servicePrincipalMissingError: { status: number; body: unknown };
}

export function loadSample(): PublishedSample {
  return JSON.parse(readFileSync(SAMPLE_PATH, 'utf8')) as PublishedSample;
}

export function sampleEvents(): MessageTraceDetailEvent[] {
  return loadSample().getDetailsByRecipient.response.value;
}
