import { createServer } from 'node:http';
import { expect } from 'chai';
import { listenOn } from '../../src/listen.ts';

describe('listening on the configured addresses', () => {
  it('names the setting and the host when the host name does not resolve, instead of a bare getaddrinfo error (found by an attack)', async () => {
    const server = createServer();
    try {
      const err = await listenOn(
        server,
        { host: 'no-such-host.invalid', port: 0 },
        { host: 'admin.listen', port: 'admin.listen' },
      ).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.equal(
        'the host name no-such-host.invalid does not resolve to an address (ENOTFOUND): check admin.listen (an address of this machine, such as 127.0.0.1 or 0.0.0.0)',
      );
    } finally {
      server.close();
    }
  });
});
