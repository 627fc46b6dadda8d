import { expect } from 'chai';
import { StoreHealth, storeFaultKind } from '../../src/observability/store-health.ts';

/** A StoreHealth on a clock the test moves (10 s counts as recent, 2 s as stalled). */
function healthAt(start = 1_000_000) {
  let now = start;
  const health = new StoreHealth(() => now, { recentMs: 10_000, stalledMs: 2_000 });
  return { health, advance: (ms: number) => (now += ms) };
}

describe('store health: when /readyz must commit a probe itself', () => {
  it('probes before any commit has been seen (a store just opened proves nothing yet)', () => {
    expect(healthAt().health.writeProbeWanted()).to.equal('idle');
  });

  it('takes a recent ingest commit as proof, and probes once it is old', () => {
    const { health, advance } = healthAt();
    health.ingestStarted();
    health.ingestCommitted();
    expect(health.writeProbeWanted()).to.equal(undefined);
    advance(9_999);
    expect(health.writeProbeWanted()).to.equal(undefined);
    advance(1);
    expect(health.writeProbeWanted()).to.equal('idle');
  });

  it('probes while an ingest commit waits without any finishing (a lock held elsewhere)', () => {
    const { health, advance } = healthAt();
    health.ingestStarted();
    health.ingestCommitted();
    health.ingestStarted();
    advance(1_999);
    expect(health.writeProbeWanted()).to.equal(undefined);
    advance(1);
    expect(health.writeProbeWanted()).to.equal('stalled');
    // Another commit finishing is progress: the one still waiting is not stalled yet.
    health.ingestStarted();
    health.ingestCommitted();
    expect(health.writeProbeWanted()).to.equal(undefined);
  });

  it('probes after a failed commit until a commit succeeds', () => {
    const { health } = healthAt();
    health.ingestStarted();
    health.ingestFailed(
      Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }),
    );
    expect(health.writeProbeWanted()).to.equal('failing');
    expect(health.current.kind).to.equal('locked');
    health.ingestStarted();
    health.ingestCommitted();
    expect(health.writeProbeWanted()).to.equal(undefined);
    expect(health.current.failing).to.equal(false);
  });

  it('runs one probe at a time and records its outcome', async () => {
    const { health } = healthAt();
    let commits = 0;
    let release!: () => void;
    const commit = () => {
      commits++;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const first = health.probe(commit);
    const second = health.probe(commit);
    release();
    await Promise.all([first, second]);
    expect(commits).to.equal(1);
    expect(health.writeProbeWanted()).to.equal(undefined);

    const failing = health.probe(() => Promise.reject(new Error('database or disk is full')));
    let caught: unknown;
    await failing.catch((err) => (caught = err));
    expect((caught as Error).message).to.equal('database or disk is full');
    expect(health.current).to.include({ failing: true, kind: 'disk_full' });
    await health.probe(() => Promise.resolve());
    expect(health.current.failing).to.equal(false);
  });

  it('names a lock held elsewhere as locked, on both stores', () => {
    const cases: Array<[unknown, string]> = [
      [Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }), 'locked'],
      [
        Object.assign(new Error('store.path /srv/full/sb.db: database is locked (SQLITE_BUSY): …'), {
          code: 'SQLITE_BUSY',
        }),
        'locked',
      ],
      [
        Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
        'timeout',
      ],
      [
        Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' }),
        'read_only',
      ],
    ];
    for (const [err, kind] of cases) expect(storeFaultKind(err), (err as Error).message).to.equal(kind);
  });
});
