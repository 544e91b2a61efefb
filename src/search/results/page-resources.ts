/**
 * The page resources of large result sets (message-trace://results/{id}/page/{page}.csv|json):
 * what resources/list shows of them and what a read returns. The SDK wiring stays in server.ts.
 */
import { ResourceNotFoundError } from '@modelcontextprotocol/server';
import { pageUri, type ResultFormat } from './pages.js';
import { describeResult, toCsv, toJson, type KeptResult, type ResultStore } from './store.js';

/** Pages 2… of every listed set (page 1 is the set's own resource). */
export function listPages(sets: KeptResult[], format: ResultFormat, title: string, mimeType: string) {
  return sets.flatMap((r) =>
    r.pageStarts.slice(1).map((_, i) => ({
      uri: pageUri(r.id, format, i + 2),
      name: `search-${r.id}-page-${i + 2}.${format}`,
      title: `${title}: ${describeResult(r)}, page ${i + 2} of ${r.pageStarts.length}`,
      mimeType,
    })),
  );
}

/** The text of one page, or a resource-not-found error saying which pages exist. */
export function readPage(results: ResultStore, owner: string | undefined, uri: string, variables: Record<string, string | string[]>, format: ResultFormat): string {
  const id = String(variables.id ?? '');
  const page = Number(variables.page);
  const found = results.lookup(id, owner);
  if ('missing' in found) throw new ResourceNotFoundError(uri, results.missingMessage(id, found.missing));
  const pages = found.result.pageStarts.length;
  if (!Number.isInteger(page) || page < 1 || page > pages) {
    throw new ResourceNotFoundError(uri, `Search result ${id} has ${pages} page${pages === 1 ? '' : 's'} (1 to ${pages}); there is no page ${JSON.stringify(String(variables.page).slice(0, 12))}.`);
  }
  return format === 'csv' ? toCsv(found.result, page) : toJson(found.result, page);
}
