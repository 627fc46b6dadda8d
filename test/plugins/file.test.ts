import { existsSync, mkdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import file from '../../plugins/file/index.ts';
import { SmallDisk } from '../faults/small-disk.ts';
import { attempt, decodeOrThrow } from './context.ts';
import { behavesLikeADestination, failureOf } from './contract.ts';
import { deliveryFailed, reply } from './events.ts';

describe('file destination', () => {
  behavesLikeADestination({
    // A file cannot hang, and every way it fails that retrying could fix (a full disk) cannot be staged here.
    refusals: ['permanent'],
    async start() {
      const root = await mkdtemp(join(tmpdir(), 'switchboard-file-contract-'));
      const path = join(root, 'events.jsonl');
      let refusing = false;
      return {
        create: () => {
          const dest = file.create(decodeOrThrow(file.config, { path }));
          // A folder where the file should be (EISDIR, permanent), made after the destination: one there
          // already is refused when it is created.
          if (refusing) mkdirSync(path, { recursive: true });
          return dest;
        },
        // A digest is one write of several lines: count writes as the events' first lines, one per message.
        accepted: () =>
          existsSync(path)
            ? readFileSync(path, 'utf8')
                .split('\n')
                .filter((l) => l.includes('"01J9Z3Y4K5M6N7P8Q9R0S1T2V3"')).length
            : 0,
        refuse: () => {
          refusing = true;
        },
        close: () => rm(root, { recursive: true, force: true }),
      };
    },
  });

  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-file-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const destination = (options: Record<string, unknown>) => file.create(decodeOrThrow(file.config, options));

  it('appends two events as two parseable JSON lines, in order, creating the directory', async () => {
    const path = join(dir, 'nested', 'events.jsonl');
    const dest = destination({ path });
    const first = deliveryFailed();
    const second = reply('hello\nworld');
    await dest.send(first, attempt());
    await dest.send(second, attempt());
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).to.have.length(3);
    expect(lines[2]).to.equal('');
    expect(lines.slice(0, 2).map((l) => JSON.parse(l))).to.deep.equal([first, second]);
  });

  it('writes the payload as received when format is payload', async () => {
    const path = join(dir, 'payloads.jsonl');
    const event = deliveryFailed();
    await destination({ path, format: 'payload' }).send(event, attempt());
    expect(JSON.parse(await readFile(path, 'utf8'))).to.deep.equal(event.payload);
  });

  it('refuses a path that is a directory when created, so check and reload name it (found by a newcomer trial)', () => {
    expect(() => destination({ path: dir })).to.throw(
      `path ${dir} is a directory: name a file in it, e.g. ${join(dir, 'events.jsonl')}`,
    );
  });

  it('refuses a path holding NUL when created (found by an attack: retried as transient)', () => {
    expect(() => destination({ path: join(dir, 'a\0b.jsonl') })).to.throw(
      'path holds a NUL character (\\0), which no file name can',
    );
  });

  it('fails permanently when the path has become a directory since', async () => {
    const path = join(dir, 'events.jsonl');
    const dest = destination({ path });
    mkdirSync(path);
    const { failure } = await failureOf(dest.send(reply('x'), attempt()));
    expect(failure.kind).to.equal('permanent');
  });

  it('fails transiently, and recovers on the next attempt, when its directory cannot be made yet', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, '');
    const dest = destination({ path: join(blocker, 'events.jsonl') });
    const { failure } = await failureOf(dest.send(reply('x'), attempt()));
    expect(failure.kind).to.equal('transient');
    await rm(blocker);
    await dest.send(reply('x'), attempt());
    expect(await readFile(join(blocker, 'events.jsonl'), 'utf8')).to.contain('"text":"x"');
  });

  it('fails transiently, without hanging, where its directory cannot be made although the parent exists (found by an attack: /proc)', async () => {
    const dest = destination({ path: '/proc/switchboard-nope/events.jsonl' });
    const { failure, error } = await failureOf(dest.send(reply('x'), attempt()));
    expect(failure.kind).to.equal('transient');
    expect(String(error)).to.include('could not append to /proc/switchboard-nope/events.jsonl (ENOENT)');
  });

  it('starts its first line on a line of its own when the file ends inside a line (a process killed mid-write)', async () => {
    const path = join(dir, 'torn.jsonl');
    await writeFile(path, '{"id":"earlier"}\n{"id":"cut sho');
    const dest = destination({ path });
    await dest.send(reply('after'), attempt());
    await dest.send(reply('later'), attempt());
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.slice(2)).to.have.length(3);
    expect(JSON.parse(lines[2]).text).to.equal('after');
    expect(JSON.parse(lines[3]).text).to.equal('later');
    expect(lines[4]).to.equal('');
  });

  it('keeps a retried line whole after a full disk cut the first try short, and says the disk is full (found by an attack)', async function () {
    const disk = SmallDisk.tryMount(1);
    if (typeof disk === 'string') this.skip();
    try {
      const path = join(disk.dir, 'events.jsonl');
      const dest = destination({ path });
      await dest.send(reply('before'), attempt());
      disk.fill();
      // One page free: the long line starts, then the disk is full.
      const filler = join(disk.dir, 'filler');
      truncateSync(filler, statSync(filler).size - 4096);
      const long = 'x'.repeat(20_000);
      const { failure } = await failureOf(dest.send(reply(long), attempt()));
      expect(failure.kind).to.equal('transient');
      expect(failure.message).to.equal(
        `could not append to ${path} (ENOSPC: the file system is full; free space and the deliveries are retried)`,
      );
      disk.free();
      await dest.send(reply(long), attempt());
      await dest.send(reply('after'), attempt());
      const texts = readFileSync(path, 'utf8')
        .split('\n')
        .flatMap((line) => {
          try {
            return [JSON.parse(line).text as string];
          } catch {
            return []; // the piece the full disk cut short
          }
        });
      expect(texts).to.deep.equal(['before', long, 'after']);
    } finally {
      disk.remove();
    }
  });

  it('refuses an unknown format in its options', () => {
    expect(file.config.decode({ path: 'x', format: 'csv' })._tag).to.equal('Left');
  });
});
