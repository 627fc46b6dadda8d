import { expect } from 'chai';
import { deadline } from '../../src/destinations/deadline.ts';
import { collectGarbageOften } from '../helpers/gc.ts';
import { startReceiver } from '../plugins/server.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadline', () => {
  it('aborts with a TimeoutError once the time is up, and says it expired', async () => {
    const limit = deadline(new AbortController().signal, 30);
    expect(limit.signal.aborted).to.equal(false);
    await sleep(60);
    expect(limit.signal.aborted).to.equal(true);
    expect(limit.expired).to.equal(true);
    expect((limit.signal.reason as Error).name).to.equal('TimeoutError');
  });

  it('aborts with the reason it is given instead', async () => {
    const reason = new Error('attempt timed out');
    const limit = deadline(undefined, 10, () => reason);
    await sleep(40);
    expect(limit.signal.reason).to.equal(reason);
  });

  it("follows the parent's abort with the parent's reason, without calling it expired", () => {
    const parent = new AbortController();
    const limit = deadline(parent.signal, 10_000);
    parent.abort('stopping');
    expect(limit.signal.aborted).to.equal(true);
    expect(limit.signal.reason).to.equal('stopping');
    expect(limit.expired).to.equal(false);
    limit.dispose();
  });

  it('starts aborted when the parent already is', () => {
    const parent = new AbortController();
    parent.abort('gone');
    const limit = deadline(parent.signal, 10_000);
    expect(limit.signal.reason).to.equal('gone');
    limit.dispose();
  });

  it('never fires once disposed, and stops following the parent', async () => {
    const parent = new AbortController();
    const limit = deadline(parent.signal, 20);
    limit.dispose();
    await sleep(50);
    parent.abort();
    expect(limit.signal.aborted).to.equal(false);
  });

  // The reason it exists: AbortSignal.any([s, AbortSignal.timeout(ms)]) loses the timeout to a collection on
  // Node 20, and fetch then waits five minutes for a receiver that never answers (mocha's timeout fails it).
  it('ends a fetch to a receiver that never answers on time while the collector runs constantly', async () => {
    const receiver = await startReceiver();
    receiver.answer(() => 'hang');
    const stopCollecting = collectGarbageOften(5);
    try {
      const limit = deadline(new AbortController().signal, 200);
      const error = await fetch(receiver.url, { method: 'POST', body: 'x', signal: limit.signal }).then(
        () => undefined,
        (err: unknown) => err,
      );
      limit.dispose();
      expect((error as Error | undefined)?.name).to.equal('TimeoutError');
    } finally {
      stopCollecting();
      await receiver.close();
    }
  });
});
