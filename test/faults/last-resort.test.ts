import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { ROOT } from '../helpers/tmp.ts';

/** Runs a script in a child Node (with tsx) that installs the last resort first; answers its code and JSON lines. */
function runWithLastResort(body: string): { code: number | null; lines: Array<Record<string, unknown>> } {
  const script = `
    import { installLastResort, stopDeadline } from ${JSON.stringify(`${ROOT}/src/cli/last-resort.ts`)};
    import { createLogger } from ${JSON.stringify(`${ROOT}/src/observability/log.ts`)};
    const log = createLogger({ secrets: () => [], pretty: false, destination: process.stdout });
    installLastResort(log);
    ${body}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
  });
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: r.status, lines };
}

describe('the last resort of `switchboard start` (a real child process)', function () {
  this.timeout(30_000);

  it('logs an unhandled rejection with its cause and keeps serving', () => {
    const { code, lines } = runWithLastResort(`
      Promise.reject(new Error('lost: connection reset'));
      setTimeout(() => { log.info({}, 'still serving'); }, 100);`);
    expect(code).to.equal(0);
    expect(lines.map((l) => l.msg)).to.deep.equal([
      'unhandled promise rejection (a bug; please report it); still serving',
      'still serving',
    ]);
    expect((lines[0].err as { message: string }).message).to.equal('lost: connection reset');
  });

  it('logs an uncaught exception with its cause and exits 1, so a supervisor restarts the gateway', () => {
    const { code, lines } = runWithLastResort(`setTimeout(() => { throw new Error('a bug'); }, 10);`);
    expect(code).to.equal(1);
    expect(lines[0].level).to.equal(60);
    expect((lines[0].err as { message: string }).message).to.equal('a bug');
  });

  it('ends a stop that does not finish by its deadline', () => {
    const { code, lines } = runWithLastResort(`
      stopDeadline(log, 50);
      setInterval(() => {}, 1000); // a hung connection keeping the process alive`);
    expect(code).to.equal(1);
    expect(lines[0].msg).to.match(/did not finish in time/);
  });
});
