/**
 * The loopback delivery sink, run in its own process (forked with an IPC channel by the bench runner).
 * Counts distinct event ids from each JSON body's `id`, duplicates, and the delivery lag
 * (receive time − the gateway's `receivedAt` in the body). Answers 200 `{}` to everything.
 *
 * IPC: it sends `{ type: 'listening', port }`; it answers `{ cmd: 'stats' }` with counts and `{ cmd: 'report' }`
 * with counts, lag samples and the distinct ids; `{ cmd: 'reset' }` forgets everything.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let ids = new Set<string>();
let lags: number[] = [];
let requests = 0;
let duplicates = 0;
let unparsable = 0;
let firstAt = 0;
let lastAt = 0;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = Date.now();
    requests++;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id?: unknown;
        receivedAt?: unknown;
      };
      const id = String(body.id);
      if (ids.has(id)) duplicates++;
      else {
        ids.add(id);
        lags.push(now - Date.parse(String(body.receivedAt)));
        if (firstAt === 0) firstAt = now;
        lastAt = now;
      }
    } catch {
      unparsable++;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
server.keepAliveTimeout = 30_000;

function counts() {
  return { requests, distinct: ids.size, duplicates, unparsable, firstAt, lastAt };
}

process.on('message', (m: { cmd: string; seq: number }) => {
  if (m.cmd === 'stats') process.send!({ type: 'stats', seq: m.seq, ...counts() });
  else if (m.cmd === 'report')
    process.send!({ type: 'report', seq: m.seq, ...counts(), lags, ids: [...ids] });
  else if (m.cmd === 'reset') {
    ids = new Set();
    lags = [];
    requests = duplicates = unparsable = firstAt = lastAt = 0;
    process.send!({ type: 'reset', seq: m.seq });
  } else if (m.cmd === 'exit') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});

server.listen(0, '127.0.0.1', () => {
  process.send!({ type: 'listening', port: (server.address() as AddressInfo).port });
});
