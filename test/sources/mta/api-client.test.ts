import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { MtaApiClient, MtaApiError, MtaUnreachable } from '../../../src/sources/mta/api-client.ts';
import { MtaApiStub } from '../../helpers/mta-api.ts';

const SECRET = 'a1'.repeat(64);

describe('the MTA API client (against the stand-in, with a recorded sleep instead of waiting)', () => {
  let api: MtaApiStub;
  let sleeps: number[];
  const client = (over: Partial<ConstructorParameters<typeof MtaApiClient>[0]> = {}) =>
    new MtaApiClient({
      baseUrl: api.url,
      apiKey: api.apiKey,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 1,
      ...over,
    });

  beforeEach(async () => {
    api = await MtaApiStub.start();
    sleeps = [];
  });
  afterEach(() => api.close());

  it('reads every page of the list', async () => {
    for (let i = 0; i < 5; i++)
      api.seed({ event: 'message-reply', url: `https://h.example/${i}`, secret: SECRET });
    const all = await client().list();
    expect(all.map((w) => w.url)).to.deep.equal([0, 1, 2, 3, 4].map((i) => `https://h.example/${i}`));
    expect(api.requests.filter((r) => r.method === 'GET')).to.have.length(3);
  });

  it('backs off exponentially on 5xx and honours Retry-After on 429', async () => {
    api.faults.push({ status: 503 }, { status: 500 });
    await client().list();
    expect(sleeps).to.deep.equal([500, 1000]);
    sleeps = [];
    const limited = await retryAfterServer('2');
    try {
      await client({ baseUrl: limited.url }).list();
    } catch {
      // it keeps answering 429: the point is the delays it asked for
    }
    expect(sleeps).to.deep.equal([2000, 2000, 2000]);
    limited.server.closeAllConnections();
    limited.server.close();
  });

  it('does not retry a 4xx, and keeps the API key and the secret out of the error', async () => {
    api.faults.push({ status: 400, message: `secret ${SECRET} is too long for key ${api.apiKey}` });
    const err = await client()
      .register({ event: 'message-reply', url: 'https://h.example/x', secret: SECRET })
      .catch((e) => e);
    expect(err).to.be.instanceOf(MtaApiError);
    expect((err as MtaApiError).httpCode).to.equal(400);
    expect(err.message).to.include('secret *** is too long for key ***');
    expect(err.message).to.not.include(SECRET).and.not.include(api.apiKey);
    expect(sleeps).to.deep.equal([]);
  });

  it('treats a 404 on a retried DELETE as done (the first attempt deleted it)', async () => {
    const w = api.seed({ event: 'message-reply', url: 'https://h.example/x', secret: SECRET });
    api.faults.push({ status: 502, when: (m) => m === 'DELETE', after: true });
    await client().remove(String(w.id));
    expect(api.webhooks.size).to.equal(0);
  });

  it('gives up on an unreachable API with the reason', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await client({ baseUrl: `http://127.0.0.1:${port}/v3` })
      .list()
      .catch((e) => e);
    expect(err).to.be.instanceOf(MtaUnreachable);
    expect(err.message).to.include('ECONNREFUSED').and.include('after 4 attempts');
    expect(sleeps).to.have.length(3);
  });

  it('reports an answer of an unexpected shape by its paths', async () => {
    const odd = await jsonServer({ data: { items: [] } });
    const err = await client({ baseUrl: odd.url })
      .list()
      .catch((e) => e);
    expect(err.message)
      .to.include('answered in a shape this version does not understand')
      .and.include('rows');
    odd.server.closeAllConnections();
    odd.server.close();
  });
});

async function jsonServer(body: unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3` };
}

async function retryAfterServer(seconds: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res
      .writeHead(429, { 'content-type': 'application/json', 'retry-after': seconds })
      .end(JSON.stringify({ httpCode: 429, message: 'Too many requests', requestId: 'r-1' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3` };
}
