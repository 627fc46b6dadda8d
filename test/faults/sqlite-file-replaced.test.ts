import { copyFileSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { GatewayProcess } from '../helpers/gateway.ts';
import { testConfig } from '../helpers/service.ts';
import { ROOT, tempDir } from '../helpers/tmp.ts';
import { postSigned } from '../helpers/webhooks.ts';

const SECRET = 'replaced-file-secret-0123456789';
const REPLY = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mta/v3/message-reply.json'), 'utf8'));
const LOST = 'was deleted or replaced while the gateway had it open; restart the gateway';

let seq = 0;
/** POSTs a distinct signed reply; answers the status. */
async function post(gw: GatewayProcess): Promise<number> {
  const res = await postSigned(gw.url, SECRET, { ...REPLY, replyId: 5_000_000 + ++seq });
  await res.text();
  return res.status;
}

interface Readyz {
  reasons: string[];
  checks?: { store: { error?: string } };
}

async function readyz(url: string): Promise<{ status: number; json: Readyz }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, json: (await res.json()) as Readyz };
}

describe('store faults with SQLite: the file deleted or replaced under a running gateway', function () {
  this.timeout(90_000);
  let tmp: ReturnType<typeof tempDir>;
  let gw: GatewayProcess | undefined;
  let dbPath: string;
  let config: string;
  beforeEach(async () => {
    tmp = tempDir('sqlite-replaced');
    dbPath = join(tmp.dir, 'switchboard.db');
    config = tmp.write('config.yaml', testConfig(tmp.dir, '', { secret: SECRET }));
    gw = await GatewayProcess.start(config);
    expect(await post(gw)).to.equal(200);
  });
  afterEach(async () => {
    await gw?.stop();
    tmp.cleanup();
  });

  /** What the gateway answers once its file is gone from store.path, and the one error line it logs. */
  async function expectRefusing(g: GatewayProcess): Promise<void> {
    // A 200 here would be a commit into a file nobody will open again: lost at the next start.
    expect(await post(g)).to.equal(503);
    expect(await post(g)).to.equal(503);
    const admin = await readyz(g.adminUrl);
    expect(admin.status).to.equal(503);
    expect(admin.json.checks?.store.error).to.equal(`store.path ${dbPath} ${LOST}`);
    const pub = await readyz(g.url);
    expect(pub.status).to.equal(503);
    expect(pub.json.reasons).to.deep.equal(['store cannot write (file_replaced)']);
    await g.waitForLog((l) => l.level === 50 && String(l.msg).includes(LOST), 'the error line');
    expect(await post(g)).to.equal(503);
    const lines = g.lines.filter((l) => String(l.msg).includes(LOST));
    expect(lines, JSON.stringify(lines)).to.have.length(1);
    expect(lines[0]).to.include({ level: 50, msg: `store.path ${dbPath} ${LOST}` });
  }

  it('answers 503 and says so once the file is deleted (rm), instead of acknowledging into the deleted file', async () => {
    unlinkSync(dbPath);
    await expectRefusing(gw!);
  });

  it('answers 503 once another file is moved over it (a restore), and takes webhooks again after a restart', async () => {
    copyFileSync(dbPath, join(tmp.dir, 'restored.db'));
    renameSync(join(tmp.dir, 'restored.db'), dbPath);
    await expectRefusing(gw!);
    expect(await gw!.stop()).to.equal(0);
    gw = await GatewayProcess.start(config);
    expect(await post(gw)).to.equal(200);
    expect((await readyz(gw.url)).status).to.equal(200);
  });
});
