/**
 * Loads the research notes the knowledge base is built from, so the tests check coverage against
 * the source itself rather than a hand-copied list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// test/details/knowledge/ → repo root → its sibling `shared/`
const REFERENCE_DIR = new URL('../../../../shared/reference/', import.meta.url);

export function readReference(file: 'ndr-events.md' | 'graph-api.md'): string {
  const path = fileURLToPath(new URL(file, REFERENCE_DIR));
  if (!existsSync(path)) {
    throw new Error(
      `Reference file ${path} is missing. These tests prove coverage against ../shared/reference/${file} (relative to the repo root); restore it before running them.`,
    );
  }
  return readFileSync(path, 'utf8');
}

/** The text of a `## n.` section (up to the next `## ` heading). */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) throw new Error(`Section "${heading}" not found in the reference file`);
  const level = /^#+/.exec(heading)?.[0] ?? '##';
  const stop = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level.length}} `).test(l));
  return lines.slice(start + 1, stop < 0 ? undefined : stop).join('\n');
}

/** Body rows of the markdown tables in a section, as arrays of trimmed cells. */
export function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .replace(/^\||\|$/g, '')
        // split on pipes that are not escaped (`\|`) and not inside backticks
        .split(/\|(?=(?:[^`]*`[^`]*`)*[^`]*$)/)
        .map((c) => c.trim()),
    )
    .filter((cells) => !cells.every((c) => /^:?-+:?$/.test(c)))
    .slice(1); // header row
}

/** Every https URL in a markdown text. */
export function urlsIn(text: string): Set<string> {
  return new Set(Array.from(text.matchAll(/https:\/\/[^\s)|`>]+/g), (m) => m[0].replace(/[.,]$/, '')));
}

/** Runs of `n` words that `text` shares with the reference notes (to catch copied sentences). */
export function copiedRuns(texts: readonly string[], n = 8): string[] {
  const words = (t: string) => t.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').split(/\s+/).filter(Boolean);
  const source = ` ${words(readReference('ndr-events.md') + ' ' + readReference('graph-api.md')).join(' ')} `;
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
