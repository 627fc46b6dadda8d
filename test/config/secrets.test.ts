// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text, where ${NAME} is the interpolation syntax under test.
import { expect } from 'chai';
import { built, lines, loadText, VALID } from './helpers.ts';

describe('config secrets', () => {
  it('collects values from ${...} and values under secret-named keys', async () => {
    const text = `${VALID}admin:\n  token: \${ADMIN_TOKEN}\n`.replace(
      'secret: s3cr3t-value',
      'secret: literal-secret',
    );
    const config = built(await loadText(text, { ADMIN_TOKEN: 'admin-token-value' }));
    expect(config.secrets).to.include.members(['admin-token-value', 'literal-secret']);
    expect(config.admin.token).to.equal('admin-token-value');
  });

  it('treats pass, password, signingSecret and webhookUrl as secret keys wherever they are, in any case', async () => {
    const text = VALID.replace('path: ./events.jsonl', 'path: ./events.jsonl\n    format: event').concat(
      'server:\n  host: 127.0.0.1\n',
    );
    const config = built(await loadText(text));
    expect(config.secrets).to.deep.equal(['s3cr3t-value']);
    const { collectKeyedSecrets } = await import('../../src/config/secrets.ts');
    expect(
      collectKeyedSecrets({
        a: { smtp: { auth: { PASS: 'p1' } } },
        b: [{ Password: 'p2', signingSecret: 'p3' }],
        webhookUrl: 'p4',
      }),
    ).to.deep.equal(['p1', 'p2', 'p3', 'p4']);
  });

  it('describes a wrong-typed value that came from a secret variable without showing it', async () => {
    const out = lines(
      await loadText(`server:\n  port: \${PORT_SECRET}\n${VALID}`, { PORT_SECRET: 'hunter2-port' }),
    );
    expect(out).to.deep.equal([
      'config.yaml:2:3 server.port: expected an integer between 0 and 65535, got a secret value (hidden)',
    ]);
  });

  it('never shows a secret in any issue message, even in messages that quote the value', async () => {
    const text = VALID.replace('kind: mta', 'kind: ${KIND}').replace('type: file', 'type: ${PLUGIN_TYPE}');
    const out = lines(await loadText(text, { KIND: 'kind-from-secret', PLUGIN_TYPE: 'type-from-secret' }));
    expect(out).to.have.length(2);
    for (const line of out) {
      expect(line).not.to.include('kind-from-secret');
      expect(line).not.to.include('type-from-secret');
      expect(line).to.include('***');
    }
  });

  it('hides the value of a secret-named key from plugin option errors', async () => {
    const text = VALID.replace(
      'routes:',
      '  chat:\n    type: chat\n    channel: x\n    token: 12345678\n    retries: 1\nroutes:',
    );
    const out = lines(await loadText(text));
    expect(out).to.deep.equal([
      'config.yaml:13:5 destinations.chat.token: expected a string, got a secret value (hidden)',
    ]);
  });
});
