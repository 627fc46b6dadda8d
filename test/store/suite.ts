import type { Store } from '../../src/store/types.ts';
import type { MakeStore } from './fixtures.ts';
import { adminScenarios } from './suite-admin.ts';
import { batchScenarios } from './suite-batches.ts';
import { consoleScenarios } from './suite-console.ts';
import { ingestScenarios } from './suite-ingest.ts';
import { queueScenarios } from './suite-queue.ts';

/**
 * The scenarios every store backend must pass. `makeStore` opens a migrated store: a fresh, empty one, or with
 * `shareWith` a second independent instance (own connection/pool) over that store's data. The suite closes
 * every store it opened after each test; `dropStore` removes what the backend created, once, at the end.
 */
export function storeSuite(name: string, makeStore: MakeStore, dropStore: () => Promise<void>): void {
  describe(`store: ${name}`, () => {
    const opened: Store[] = [];
    const open: MakeStore = async (options) => {
      const store = await makeStore(options);
      opened.push(store);
      return store;
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    after(dropStore);

    ingestScenarios({ open });
    batchScenarios({ open });
    queueScenarios({ open });
    adminScenarios({ open });
    consoleScenarios({ open });
  });
}
