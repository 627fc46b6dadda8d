import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { runCli } from '../helpers/gateway.ts';
import { tempDir } from '../helpers/tmp.ts';

/** The CLI with sources other than MTA (the real CLI as a child process). */
describe('the CLI with standard-webhooks and hmac sources', () => {
  const config = (dir: string) => `store: { driver: sqlite, path: ${dir}/s.db }
sources:
  github: { kind: hmac, secret: gh-secret, header: X-Hub-Signature-256, prefix: "sha256=", typeFrom: "header:X-GitHub-Event" }
  billing: { kind: standard-webhooks, secret: "whsec_dGVzdC1rZXktMDEyMzQ1Njc4OQ==" }
destinations:
  audit: { type: file, path: ${dir}/events.jsonl }
routes:
  - name: issues
    match: { source: github, type: issues, payload.action: opened }
    to: [audit]
`;

  it('routes an hmac payload whose type comes from a header given with --header', async () => {
    const dir = tempDir('cli-sources');
    const file = dir.write('config.yaml', config(dir.dir));
    try {
      const body = '{"action":"opened","issue":{"number":7}}';
      const args = ['route', '--config', file, '--source', 'github', '--json'];
      const routed = await runCli([...args, '--header', 'X-GitHub-Event: issues', '-'], { input: body });
      expect(routed.code, routed.stderr).to.equal(0);
      const out = JSON.parse(routed.stdout);
      expect(out.event).to.deep.include({ source: 'github', type: 'issues' });
      expect(out.destinations).to.deep.equal(['audit']);
      const untyped = await runCli([...args, '-'], { input: body });
      expect(untyped.code).to.equal(1);
      expect(JSON.parse(untyped.stdout).details).to.deep.equal([
        {
          path: 'header x-github-event',
          message: 'no event type: typeFrom is header:x-github-event and the request has none',
        },
      ]);
    } finally {
      dir.cleanup();
    }
  });

  it("signs a body the way each kind's sender would", async () => {
    const dir = tempDir('cli-sign');
    const file = dir.write('config.yaml', config(dir.dir));
    try {
      const gh = await runCli(['sign', '--config', file, '--source', 'github', '-'], {
        input: 'Hello, World!',
      });
      const expected = createHmac('sha256', 'gh-secret').update('Hello, World!').digest('hex');
      expect(gh.stdout.trim()).to.equal(`X-Hub-Signature-256: sha256=${expected}`);
      const sw = await runCli(['sign', '--config', file, '--source', 'billing', '-'], { input: '{}' });
      expect(sw.stdout).to.match(
        /^webhook-id: msg_\w+\nwebhook-timestamp: \d+\nwebhook-signature: v1,[A-Za-z0-9+/]+=*\n$/,
      );
    } finally {
      dir.cleanup();
    }
  });
});

describe('a Standard Webhooks secret that is not base64', () => {
  it('is refused by check at its line, without quoting it, instead of every webhook failing with a 401', async () => {
    const dir = tempDir('cli-sw-secret');
    const config = (secrets: string) =>
      dir.write(
        'config.yaml',
        `store: { driver: sqlite, path: ${dir.dir}/s.db }
sources:
  billing: { kind: standard-webhooks, ${secrets} }
destinations:
  audit: { type: file, path: ${dir.dir}/events.jsonl }
routes:
  - to: [audit]
`,
      );
    try {
      for (const [secrets, at] of [
        ['secret: "my billing passphrase"', 'sources.billing.secret'],
        ['secret: "whsec_abc-def_ghi"', 'sources.billing.secret'],
        [
          'secrets: ["whsec_dGVzdC1rZXktMDEyMzQ1Njc4OQ==", "whsec_dGVzdC1rZXktMDEyMzQ1Njc4OQ=x"]',
          'sources.billing.secrets[1]',
        ],
      ]) {
        const r = await runCli(['check', '--config', config(secrets)]);
        expect(r.code, secrets).to.equal(1);
        expect(r.stderr, secrets).to.include(`${at}: is not base64 after whsec_`);
        for (const part of ['passphrase', 'abc-def', 'MDEyMzQ1Njc4OQ=x'])
          expect(r.stderr).to.not.include(part);
      }
      // The reference form, prefixed or not, padded or not, is taken.
      for (const secret of [
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'whsec_dGVzdA',
      ]) {
        const r = await runCli(['check', '--config', config(`secret: "${secret}"`)]);
        expect(r.code, `${secret}: ${r.stderr}`).to.equal(0);
      }
    } finally {
      dir.cleanup();
    }
  });
});
