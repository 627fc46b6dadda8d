// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text, where ${NAME} is the interpolation syntax under test.
import { expect } from 'chai';
import { built, lines, loadText, VALID } from './helpers.ts';

/** Each kind of config error, reported with file:line:column, the key path and a plain sentence. */
describe('config errors', () => {
  it('reports YAML syntax errors with line and column', async () => {
    const out = lines(await loadText('server:\n  port: 8080\nsources: [a\n'));
    expect(out.length).to.be.greaterThan(0);
    expect(out[0]).to.match(/^config\.yaml:\d+:\d+ YAML syntax error: /);
  });

  it('says to quote a ${VAR} written inside { }, instead of the cascade of syntax errors it causes', async () => {
    const text = `server: { port: 0 }\nstore: { driver: postgres, url: \${DATABASE_URL}, poolSize: 10 }\n${VALID}`;
    const out = lines(await loadText(text, { DATABASE_URL: 'postgres://u:pw@db/x' }));
    expect(out[0]).to.equal(
      'config.yaml:2:33 YAML syntax error: ${DATABASE_URL} inside { } or [ ] must be quoted, "${DATABASE_URL}" (YAML reads its braces as structure)',
    );
    expect(out[1]).to.match(/^config\.yaml:2:33 \(\d+ YAML syntax error\(s\) from here on follow from it\)$/);
    expect(out).to.have.length(2);
    const quoted = text.replace('url: ${DATABASE_URL}', 'url: "${DATABASE_URL}"');
    expect(built(await loadText(quoted, { DATABASE_URL: 'postgres://u:pw@db/x' })).store.driver).to.equal(
      'postgres',
    );
  });

  it('reports an unknown key with a suggestion', async () => {
    const out = lines(await loadText(`server:\n  prot: 8080\n${VALID}`));
    expect(out).to.deep.equal(['config.yaml:2:3 server.prot: unknown key "prot" (did you mean port?)']);
  });

  it('suggests a source or destination core key for a misspelt one, and lists the core keys too', async () => {
    // Found by a newcomer trial: only the plugin's own keys were offered ("allowed here: version, defaultCountry"),
    // as if `secret` were not allowed on a source.
    const text = `sources:
  mta: { kind: mta, secret: s3cr3t-value, allowUnsinged: true, dedupWindow: 1h, weird: 1 }
destinations:
  audit: { type: file, path: ./events.jsonl, rateLimt: 5/s, fallbak: [x] }
routes:
  - name: everything
    to: [audit]
`;
    const out = lines(await loadText(text));
    expect(out).to.include(
      'config.yaml:2:43 sources.mta.allowUnsinged: unknown key "allowUnsinged" (did you mean allowUnsigned?)',
    );
    expect(out).to.include(
      'config.yaml:2:64 sources.mta.dedupWindow: unknown key "dedupWindow" (did you mean dedupeWindow?)',
    );
    expect(out.find((l) => l.includes('"weird"'))).to.match(
      /\(allowed here: version, defaultCountry, kind, secret, secrets, allowUnsigned, dedupeWindow, onUndecodable\)$/,
    );
    expect(out).to.include(
      'config.yaml:4:46 destinations.audit.rateLimt: unknown key "rateLimt" (did you mean rateLimit?)',
    );
    expect(out).to.include(
      'config.yaml:4:61 destinations.audit.fallbak: unknown key "fallbak" (did you mean fallback?)',
    );
  });

  it('reports an unknown top-level section with a suggestion', async () => {
    const out = lines(await loadText(`destination:\n  x: 1\n${VALID}`));
    expect(out).to.deep.equal([
      'config.yaml:1:1 destination: unknown key "destination" (did you mean destinations?)',
    ]);
  });

  it('reports a wrong type in plain words', async () => {
    const out = lines(await loadText(`server:\n  port: 80a\n${VALID}`));
    expect(out).to.deep.equal([
      'config.yaml:2:3 server.port: expected an integer between 0 and 65535, got "80a"',
    ]);
  });

  it('reports a bare number where a duration is expected, asking for a unit', async () => {
    const out = lines(await loadText(`delivery:\n  timeout: 10\n${VALID}`));
    expect(out).to.deep.equal([
      'config.yaml:2:3 delivery.timeout: expected a duration longer than 0, like 500ms, 10s or 15m, got 10 (add a unit, e.g. 10s)',
    ]);
  });

  it('reports a missing environment variable by name', async () => {
    const out = lines(await loadText(VALID.replace('s3cr3t-value', '${MTA_WEBHOOK_SECRET}')));
    // Only the variable is reported, not also the empty secret it left behind.
    expect(out).to.deep.equal([
      'config.yaml:5:5 sources.mta.secret: environment variable MTA_WEBHOOK_SECRET is not set (set it, or write ${MTA_WEBHOOK_SECRET:-default})',
    ]);
  });

  it('reports an unknown source kind with the kinds there are and a suggestion', async () => {
    const out = lines(await loadText(VALID.replace('kind: mta', 'kind: standard-webhook')));
    expect(out).to.deep.equal([
      'config.yaml:4:5 sources.mta.kind: unknown source kind "standard-webhook" (known: hmac, mta, standard-webhooks) (did you mean standard-webhooks?)',
    ]);
  });

  it("reports a bad option of the source's plugin, located like the core's keys", async () => {
    const out = lines(
      await loadText(VALID.replace('kind: mta', 'kind: mta\n    version: 4\n    verison: 3')),
    );
    expect(out).to.deep.equal([
      'config.yaml:5:5 sources.mta.version: expected 1, 2 or 3, got 4',
      'config.yaml:6:5 sources.mta.verison: unknown key "verison" (did you mean version?)',
    ]);
  });

  it('requires a secret unless allowUnsigned is true', async () => {
    const out = lines(await loadText(VALID.replace('secret: s3cr3t-value', "secret: ''")));
    expect(out).to.deep.equal([
      'config.yaml:5:5 sources.mta.secret: no secret to verify signatures with: set secret, or allowUnsigned: true for local testing',
    ]);
  });

  it('accepts an empty secret with allowUnsigned, and warns about it', async () => {
    const result = await loadText(
      VALID.replace('secret: s3cr3t-value', "secret: ''\n    allowUnsigned: true"),
    );
    const mta = built(result).sources.get('mta');
    expect(mta?.allowUnsigned).to.equal(true);
    expect(mta?.secret).to.equal(undefined);
    expect(result.ok && result.warnings[0]).to.match(
      /config\.yaml:6:5 sources\.mta\.allowUnsigned: true and no secret is set, so every webhook is accepted/,
    );
  });

  it('reports an unknown destination type with the known ones and a suggestion', async () => {
    const out = lines(await loadText(VALID.replace('type: file', 'type: fiel')));
    expect(out).to.deep.equal([
      'config.yaml:8:5 destinations.audit.type: unknown destination type "fiel" (known: chat, file) (did you mean file?)',
    ]);
  });

  it("reports errors from a plugin's own codec under the destination", async () => {
    const out = lines(
      await loadText(
        `${VALID}  chat:\n    type: chat\n    channel: 5\n    token: t0ken-abc\n    retries: many\n`.replace(
          'routes:\n  - name: everything\n    to: [audit]\n',
          '',
        ) + 'routes:\n  - name: everything\n    to: [audit]\n',
      ),
    );
    expect(out).to.deep.equal([
      'config.yaml:12:5 destinations.chat.channel: expected a string, got 5',
      'config.yaml:14:5 destinations.chat.retries: expected a number, got "many"',
    ]);
  });

  it("reports an option the plugin's codec does not declare, with a suggestion", async () => {
    const out = lines(
      await loadText(VALID.replace('path: ./events.jsonl', 'path: ./events.jsonl\n    fromat: event')),
    );
    expect(out).to.deep.equal([
      'config.yaml:10:5 destinations.audit.fromat: unknown key "fromat" (did you mean format?)',
    ]);
  });

  it('reports a template that does not compile at its key', async () => {
    const out = lines(
      await loadText(
        VALID.replace('path: ./events.jsonl', 'path: ./events.jsonl\n    text: "{{ phone | nope }}"'),
      ),
    );
    expect(out).to.have.length(1);
    expect(out[0]).to.match(
      /^config\.yaml:10:5 destinations\.audit\.text: template does not compile: .*nope/,
    );
  });

  it('reports a route naming an unknown destination', async () => {
    const out = lines(await loadText(VALID.replace('to: [audit]', 'to: [audti]')));
    expect(out).to.deep.equal([
      'config.yaml:12:10 routes[0].to[0]: unknown destination "audti" (did you mean audit?)',
    ]);
  });

  it('reports a route matching on an unknown status with a suggestion', async () => {
    const out = lines(
      await loadText(VALID.replace('    to: [audit]', '    match: { status: DELIVERD }\n    to: [audit]')),
    );
    expect(out).to.deep.equal([
      'config.yaml:12:14 routes[0].match.status: "DELIVERD" is not a delivery status (did you mean DELIVERED?)',
    ]);
  });

  it('reports a number YAML read out of text meant for a text field of a route, which never matched (found by an attack)', async () => {
    // `phone: +13125550143` unquoted is the number 13125550143 to YAML, and `007` is 7: compared as "13125550143"
    // and "7", such routes never matched, and check said nothing.
    const match = [
      '    match:',
      '      phone: +13125550143',
      '      any: [{ tags.code: { not: { in: [007, 7] } } }, { externalId: 1.50 }]',
      '      tags.store: 3',
      '      messageId: 880012347.0',
      '      payload.zip: 02134',
    ].join('\n');
    const out = lines(await loadText(VALID.replace('    to: [audit]', `${match}\n    to: [audit]`)));
    expect(out).to.deep.equal([
      'config.yaml:13:7 routes[0].match.phone: phone is text, but YAML reads +13125550143 unquoted as the number 13125550143 (compared as "13125550143", not "+13125550143"): quote it, "+13125550143"',
      'config.yaml:14:40 routes[0].match.any[0]["tags.code"].not.in[0]: tags.code is text, but YAML reads 007 unquoted as the number 7 (compared as "7", not "007"): quote it, "007"',
      'config.yaml:14:57 routes[0].match.any[1].externalId: externalId is text, but YAML reads 1.50 unquoted as the number 1.5 (compared as "1.5", not "1.50"): quote it, "1.50"',
    ]);
    const quoted = match
      .replace('+13125550143', '"+13125550143"')
      .replace('007', '"007"')
      .replace('1.50', '"1.50"');
    built(await loadText(VALID.replace('    to: [audit]', `${quoted}\n    to: [audit]`)));
  });

  it('reports a fallback that does not exist or is the destination itself', async () => {
    const text = VALID.replace('path: ./events.jsonl', 'path: ./events.jsonl\n    fallback: [audit, nope]');
    expect(lines(await loadText(text))).to.deep.equal([
      'config.yaml:10:16 destinations.audit.fallback[0]: a destination cannot be its own fallback',
      'config.yaml:10:23 destinations.audit.fallback[1]: unknown destination "nope"',
    ]);
  });

  it('reports bad delivery controls on a destination', async () => {
    const text = VALID.replace(
      'path: ./events.jsonl',
      'path: ./events.jsonl\n    rateLimit: 5/fortnight\n    circuitBreaker: { failures: 0 }\n    group: { by: [stauts.name] }',
    );
    expect(lines(await loadText(text))).to.deep.equal([
      'config.yaml:10:5 destinations.audit.rateLimit: expected a rate like 1/s, 60/m or 100/hour, got "5/fortnight"',
      'config.yaml:11:23 destinations.audit.circuitBreaker.failures: expected an integer of at least 1, got 0',
      'config.yaml:12:19 destinations.audit.group.by[0]: unknown field path "stauts.name" (did you mean status.name?)',
    ]);
  });

  it('reports a postgres store without a url at the store', async () => {
    const out = lines(await loadText(`store:\n  driver: postgres\n${VALID}`));
    expect(out).to.deep.equal(['config.yaml:1:1 store.url: missing (expected a PostgreSQL URL)']);
  });

  it('refuses a store url that is no PostgreSQL URL, without showing it', async () => {
    const like = 'expected a PostgreSQL URL like postgres://USER:PASSWORD@HOST:5432/DATABASE';
    const cases = {
      'postgres://u:pw-Secr3t@[bad/x': `${like}; this one does not parse as a URL (not shown: it may hold a password)`,
      'postgres://u:pw-Secr3t@h:99999/x': `${like}; this one does not parse as a URL (not shown: it may hold a password)`,
      'mysql://u:pw-Secr3t@h/x': `${like}, got one starting mysql://`,
    };
    for (const [url, message] of Object.entries(cases)) {
      const out = lines(await loadText(`store:\n  driver: postgres\n  url: "${url}"\n${VALID}`));
      expect(out, url).to.deep.equal([`config.yaml:3:3 store.url: ${message}`]);
    }
    const socket = built(await loadText(`store:\n  driver: postgres\n  url: postgresql:///test\n${VALID}`));
    expect(socket.store.driver).to.equal('postgres');
  });

  it('reports an unknown store driver with a suggestion', async () => {
    const out = lines(await loadText(`store:\n  driver: postgress\n${VALID}`));
    expect(out).to.deep.equal([
      'config.yaml:2:3 store.driver: unknown store driver "postgress" (known: sqlite, postgres) (did you mean postgres?)',
    ]);
  });

  it('reports a backoff whose max is shorter than its initial wait', async () => {
    const out = lines(await loadText(`delivery:\n  backoff: { initial: 1m, max: 1s }\n${VALID}`));
    expect(out).to.deep.equal([
      'config.yaml:2:27 delivery.backoff.max: is shorter than backoff.initial (1000ms < 60000ms)',
    ]);
  });

  it('reports an empty file', async () => {
    expect(lines(await loadText(''))).to.deep.equal(['config.yaml:1:1 the config file is empty']);
  });

  it('reports a file that does not exist without a position', async () => {
    const { loadConfig, formatIssue } = await import('../../src/config/load.ts');
    const result = await loadConfig('/nonexistent/config.yaml', { env: {}, plugins: new Map() });
    expect(result.ok).to.equal(false);
    if (!result.ok)
      expect(formatIssue(result.issues[0], '/')).to.equal('nonexistent/config.yaml: config file not found');
  });
});

describe('config errors, all at once', () => {
  it('reports problems from every stage in one run, top to bottom', async () => {
    const text = `server:
  port: 80a
sources:
  mta:
    kind: foo
    secret: \${MISSING_SECRET}
destinations:
  audit:
    type: slak
  other:
    type: file
    path: 5
routes:
  - name: a
    to: [audti]
`;
    expect(lines(await loadText(text))).to.deep.equal([
      'config.yaml:2:3 server.port: expected an integer between 0 and 65535, got "80a"',
      'config.yaml:5:5 sources.mta.kind: unknown source kind "foo" (known: hmac, mta, standard-webhooks)',
      'config.yaml:6:5 sources.mta.secret: environment variable MISSING_SECRET is not set (set it, or write ${MISSING_SECRET:-default})',
      'config.yaml:9:5 destinations.audit.type: unknown destination type "slak" (known: chat, file)',
      'config.yaml:12:5 destinations.other.path: expected a string, got 5',
      'config.yaml:15:10 routes[0].to[0]: unknown destination "audti" (did you mean audit?)',
    ]);
  });
});
