/** The published Graph responses in ../shared/reference/sample-responses.json: the golden fixture. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessageTraceDetailEvent, MessageTraceRow } from '../../src/graph/types.js';

export const SAMPLE_PATH = fileURLToPath(new URL('../../../shared/reference/sample-responses.json', import.meta.url));

export interface PublishedSample {
  listMessageTraces: { response: { value: MessageTraceRow[] } };
  getDetailsByRecipient: { response: { value: MessageTraceDetailEvent[] } };
  servicePrincipalMissingError: { status: number; body: unknown };
}

export function loadSample(): PublishedSample {
  if (!existsSync(SAMPLE_PATH)) {
    throw new Error(`Golden fixture missing: ${SAMPLE_PATH} (expected at ../shared/reference/sample-responses.json from the repo root)`);
  }
  return JSON.parse(readFileSync(SAMPLE_PATH, 'utf8')) as PublishedSample;
}

export function sampleEvents(): MessageTraceDetailEvent[] {
  return loadSample().getDetailsByRecipient.response.value;
}
