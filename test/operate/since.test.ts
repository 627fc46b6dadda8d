import { expect } from 'chai';
import { BadParam, parseSince } from '../../src/admin/params.ts';
import { pauseRequest } from '../../src/admin/pause-request.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { runCli } from '../helpers/gateway.ts';
import { tempDir } from '../helpers/tmp.ts';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);

describe('since: a duration or an ISO date, nothing looser', () => {
  it('reads durations back from now and ISO dates (UTC unless a zone is named)', () => {
    expect(parseSince('1h', NOW)?.toISOString()).to.equal('2026-12-02T11:00:00.000Z');
    expect(parseSince('2026-12-01', NOW)?.toISOString()).to.equal('2026-12-01T00:00:00.000Z');
    expect(parseSince('2026-12-01T09:30Z', NOW)?.toISOString()).to.equal('2026-12-01T09:30:00.000Z');
    expect(parseSince('2026-12-01T09:30:00+01:00', NOW)?.toISOString()).to.equal('2026-12-01T08:30:00.000Z');
    expect(parseSince('2026-12-01T09:30', NOW)?.toISOString()).to.equal('2026-12-01T09:30:00.000Z');
    expect(parseSince(undefined, NOW)).to.equal(undefined);
  });

  it('refuses a bare number, which Date.parse read as a month of 2001 (found by an attack: --since 12 replayed everything since 2001-12-01)', () => {
    for (const bare of ['5', '12', '30', '2026', '1.5']) {
      expect(() => parseSince(bare, NOW), bare)
        .to.throw(BadParam)
        .with.property(
          'message',
          `"${bare}" has no unit: give a duration like ${bare}h or ${bare}d, or an ISO date`,
        );
    }
  });

  it('refuses the loose forms Date.parse takes, and dates that do not exist', () => {
    for (const loose of ['May 5', 'Tue, 01 Dec 2026', '12/01/2026', '2026-02-30', 'yesterday']) {
      expect(() => parseSince(loose, NOW), loose).to.throw(
        BadParam,
        /is neither an ISO date .* nor a duration/,
      );
    }
  });

  it('refuses a pause for 0s as no time at all, not as no duration (found by an attack)', () => {
    expect(() => pauseRequest({ for: '0s' }, NOW, 'op')).to.throw(
      BadParam,
      '"0s" is no time at all: give a pause longer than zero, like 30m, 2h, 1d',
    );
    expect(() => pauseRequest({ for: 'soon' }, NOW, 'op')).to.throw(BadParam, /is not a duration like 30m/);
  });

  it("refuses a pause's until that is a bare number", () => {
    expect(() => pauseRequest({ until: '12' }, NOW, 'op')).to.throw(
      BadParam,
      /not an ISO date in the future/,
    );
    expect(pauseRequest({ until: '2026-12-03T00:00Z' }, NOW, 'op').expiresAt?.toISOString()).to.equal(
      '2026-12-03T00:00:00.000Z',
    );
  });

  it('the CLI answers --since 12 with a usage error (exit 2) before touching anything', async function () {
    this.timeout(30_000);
    const tmp = tempDir('since');
    try {
      const config = tmp.write('config.yaml', `store: { driver: sqlite, path: ${tmp.dir}/sb.db }\n`);
      const made = openSqliteStore(`${tmp.dir}/sb.db`);
      await made.migrate();
      await made.close();
      for (const args of [['events'], ['replay', '--dead']]) {
        const r = await runCli([...args, '--since', '12', '--config', config]);
        expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).to.equal(2);
        expect(r.stderr).to.include(
          '--since: "12" has no unit: give a duration like 12h or 12d, or an ISO date',
        );
      }
    } finally {
      tmp.cleanup();
    }
  });
});
