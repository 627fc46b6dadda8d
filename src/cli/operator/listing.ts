import type { Io } from '../io.ts';
import { table } from '../table.ts';
import type { Operator } from './backend.ts';

/** How a list command prints its page when it is not empty and not asked for JSON. */
export interface PageLayout<T> {
  /** Printed instead of a table when the page is empty, e.g. `no deliveries match`. */
  none: string;
  header: string[];
  /** One table row per item (may look something up first, e.g. why pending deliveries wait). */
  rows(items: T[]): string[][] | Promise<string[][]>;
  /** Printed under the table when there are more items than shown. */
  more?: string;
  /** Printed when the store stopped looking at its scan bound (`partial`): older items were not searched. */
  partial?: string;
}

/** Prints one page of a list command: JSON with `--json`, else `none` or a table (and `more`). Exit code 0. */
export async function printPage<T>(
  out: (line: string) => void,
  page: { items: T[]; next?: unknown; partial?: boolean },
  json: unknown,
  layout: PageLayout<T>,
): Promise<number> {
  if (json) {
    out(JSON.stringify(page.items, null, 2));
    return 0;
  }
  if (page.items.length === 0) out(layout.none);
  else for (const line of table([layout.header, ...(await layout.rows(page.items))])) out(line);
  // A scan that stopped at its bound: "no events match" alone would claim older events were searched too.
  if (page.partial && layout.partial) out(layout.partial);
  else if (page.items.length > 0 && page.next && layout.more) out(layout.more);
  return 0;
}

/**
 * The ` ID` form of a list command: prints what was found with `show`, or says on stderr there is no `what`
 * with that id where the operator looked (exit 1).
 */
export async function printOne<T>(
  op: Operator,
  io: Io,
  id: string,
  found: T | null | undefined,
  what: string,
  show: (item: T) => void | Promise<void>,
): Promise<number> {
  if (found === null || found === undefined) {
    io.err(`no ${what} with id ${id} in ${op.where}`);
    return 1;
  }
  await show(found);
  return 0;
}
