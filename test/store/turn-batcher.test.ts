import { expect } from 'chai';
import { TurnBatcher } from '../../src/store/turn-batcher.ts';

/** A promise with its resolve function, to finish a batch when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('turn batcher', () => {
  /** A batcher whose batches each wait for their own gate; `started` lists the batches run so far. */
  function gated(maxBatch: number, maxInFlight?: number) {
    const started: number[][] = [];
    const gates: Array<ReturnType<typeof gate>> = [];
    const batcher = new TurnBatcher<number, number>(
      async (batch) => {
        started.push(batch);
        const g = gate();
        gates.push(g);
        await g.promise;
        return batch.map((n) => n * 10);
      },
      maxBatch,
      maxInFlight,
    );
    return { batcher, started, gates };
  }

  it('runs one batch at a time by default', async () => {
    const { batcher, started, gates } = gated(2);
    const answers = [1, 2, 3, 4, 5].map((n) => batcher.submit(n));
    await turn();
    expect(started).to.deep.equal([[1, 2]]);
    gates[0].open();
    await turn();
    expect(started).to.deep.equal([
      [1, 2],
      [3, 4],
    ]);
    gates[1].open();
    await turn();
    gates[2].open();
    expect(await Promise.all(answers)).to.deep.equal([10, 20, 30, 40, 50]);
  });

  it('runs up to maxInFlight batches at once, and the next as soon as one of them is answered', async () => {
    const { batcher, started, gates } = gated(2, 2);
    const first = [1, 2, 3, 4, 5].map((n) => batcher.submit(n));
    await turn();
    expect(started).to.deep.equal([
      [1, 2],
      [3, 4],
    ]);
    // The second finishes first: its callers are answered and the queued item starts at once.
    gates[1].open();
    expect(await Promise.all(first.slice(2, 4))).to.deep.equal([30, 40]);
    expect(started).to.deep.equal([[1, 2], [3, 4], [5]]);
    // Arrivals while two run wait for a free slot.
    const later = batcher.submit(6);
    await turn();
    expect(started).to.have.length(3);
    gates[0].open();
    await turn();
    expect(started.at(-1)).to.deep.equal([6]);
    gates[2].open();
    gates[3].open();
    expect(await Promise.all([...first, later])).to.deep.equal([10, 20, 30, 40, 50, 60]);
  });

  it('drains every batch in flight and every queued item', async () => {
    const batcher = new TurnBatcher<number, number>(
      async (batch) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return batch.map((n) => (n === 3 ? new Error('three') : n));
      },
      2,
      2,
    );
    const answers = [1, 2, 3, 4, 5, 6, 7].map((n) => batcher.submit(n).catch((e: Error) => e.message));
    await batcher.drain();
    const settled = await Promise.race([Promise.all(answers), turn().then(() => 'pending')]);
    expect(settled).to.deep.equal([1, 2, 'three', 4, 5, 6, 7]);
  });
});
