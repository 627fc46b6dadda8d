import { expect } from 'chai';
import { Alias } from 'yaml';
import { locate, parseYaml } from '../../src/config/parse.ts';
import { built, lines, loadText, VALID } from './helpers.ts';

/** What the process writes to stderr while `run` runs (Node's warnings included). */
async function captureStderr(run: () => Promise<void>): Promise<{ stderr: string }> {
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  const warn = (w: Error) => {
    stderr += `${w.name}: ${w.message}\n`;
  };
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  process.on('warning', warn);
  try {
    await run();
  } finally {
    process.stderr.write = write;
    process.off('warning', warn);
  }
  return { stderr };
}

const TEXT = `server:
  port: 8080
routes:
  - name: a
    match:
      status: DELIVERD
  - { name: b, to: [audit] }
`;

describe('config parse stage', () => {
  it('locates a key path at the key itself', () => {
    const parsed = parseYaml(TEXT);
    expect(locate(parsed, ['server', 'port'])).to.deep.equal({ line: 2, column: 3 });
    expect(locate(parsed, ['routes', 0, 'match', 'status'])).to.deep.equal({ line: 6, column: 7 });
  });

  it('locates list items and keys inside flow collections', () => {
    const parsed = parseYaml(TEXT);
    expect(locate(parsed, ['routes', 1])).to.deep.equal({ line: 7, column: 5 });
    expect(locate(parsed, ['routes', 1, 'to', 0])).to.deep.equal({ line: 7, column: 21 });
  });

  it('points a missing key at its nearest existing parent', () => {
    const parsed = parseYaml(TEXT);
    expect(locate(parsed, ['server', 'host'])).to.deep.equal({ line: 1, column: 1 });
    expect(locate(parsed, ['routes', 0, 'to', 0])).to.deep.equal({ line: 4, column: 5 });
    expect(locate(parsed, ['nowhere'])).to.deep.equal({ line: 1, column: 1 });
  });

  it('reports every YAML syntax error with its line and column', () => {
    const parsed = parseYaml('server:\n  port: [8080\nsources: {mta: x\nadmin:\n  token: "a\n');
    expect(parsed.syntaxErrors.length).to.be.greaterThan(1);
    for (const e of parsed.syntaxErrors) {
      expect(e.line).to.be.greaterThan(0);
      expect(e.column).to.be.greaterThan(0);
      expect(e.message).to.match(/^YAML syntax error: /);
      expect(e.message).not.to.include('\n');
    }
  });

  it('reports a duplicated key as a syntax error', () => {
    const parsed = parseYaml('server:\n  port: 1\n  port: 2\n');
    expect(parsed.syntaxErrors).to.have.length(1);
    expect(parsed.syntaxErrors[0]).to.include({ line: 3, column: 3 });
  });

  it('reports duplicated keys in flow maps too, and tells 1 from "1" as yaml does', () => {
    const parsed = parseYaml('a: { x: 1, y: 2, x: 3 }\nb: { 1: a, "1": b }\n');
    expect(parsed.syntaxErrors.map((e) => [e.line, e.column])).to.deep.equal([[1, 18]]);
  });

  it('reads a file of many keys in linear time, so a reload does not hold the gateway for minutes (found by an attack)', () => {
    // yaml's own duplicate-key check compares each key with every earlier one: 40,000 keys took 18 s.
    const keys = Array.from({ length: 100_000 }, (_, i) => `  k${i}: v\n`).join('');
    // Not timed (no timing assertions): the quadratic check took minutes here, past the test's timeout.
    const parsed = parseYaml(`x-many:\n${keys}  k7: again\n`);
    expect(parsed.syntaxErrors.map((e) => [e.line, e.column])).to.deep.equal([[100_002, 3]]);
  });
});

describe('YAML anchors, merge keys and files that are not configs (found by an attack)', () => {
  it('reads merge keys (<<: *anchor), with the anchor under an x- extension key, as Compose files do', async () => {
    const config = built(
      await loadText(`x-defaults: &file { type: file }
sources:
  mta: { kind: mta, secret: s3cr3t-value }
destinations:
  a: { <<: *file, path: ./a.jsonl }
  b:
    <<: *file
    path: ./b.jsonl
routes:
  - name: everything
    to: [a, b]
`),
    );
    expect([...config.destinations.values()].map((d) => d.type)).to.deep.equal(['file', 'file']);
  });

  it('still refuses an unknown top-level key that does not start with x-', async () => {
    expect(lines(await loadText(`${VALID}defaults: { type: file }\n`))).to.deep.equal([
      'config.yaml:13:1 defaults: unknown key "defaults" (allowed here: server, sources, store, delivery, admin, plugins, destinations, routes)',
    ]);
  });

  it('says an alias bomb expands too much, with the fix', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const l of 'bcdefghi')
      bomb.push(
        `${l}: &${l} [${Array(9)
          .fill(`*${String.fromCharCode(l.charCodeAt(0) - 1)}`)
          .join(',')}]`,
      );
    const out = lines(await loadText(`${bomb.join('\n')}\n`));
    expect(out).to.have.length(1);
    expect(out[0]).to.include('its aliases (*name) expand to far more than any config needs');
  });

  it('locates a bad alias, a bad merge, a second document and a key that is a list, in plain words (found by an attack)', async () => {
    const text = `x-port: &port 8080
server:
  <<: *port
destinations:
  audit: { type: file, path: *nowhere }
  ? [a, b]
  : { type: file, path: ./b.jsonl }
routes:
  - to: [audit]
---
more: 1
`;
    const { stderr } = await captureStderr(async () => {
      expect(lines(await loadText(text))).to.deep.equal([
        'config.yaml:10:1 YAML syntax error: a second YAML document starts here (---): a config is one document; remove this line and what follows it',
      ]);
      expect(lines(await loadText(text.slice(0, text.indexOf('---'))))).to.deep.equal([
        'config.yaml:3:3 server["<<"]: a merge key (<<) takes a map, an alias of one (<<: *name) or a list of those',
        'config.yaml:5:30 destinations.audit.path: *nowhere refers to no anchor: set &nowhere on a value above this alias',
        'config.yaml:6:5 destinations: a key must be a name, not a list or a map',
      ]);
    });
    expect(stderr).to.equal('');
  });

  it('names the anchor a merge key (<<: *missing) refers to when it is not defined, at its line (found by an attack)', async () => {
    const text = `x-file: &file { type: file }
destinations:
  audit:
    <<: *missing
    path: ./a.jsonl
  b: { <<: [*file, *nope, *also], path: ./b.jsonl }
  c: { <<: [*file, 5], path: ./c.jsonl }
routes:
  - to: [audit]
`;
    expect(lines(await loadText(text))).to.deep.equal([
      'config.yaml:4:9 destinations.audit["<<"]: *missing refers to no anchor: set &missing on a value above this alias',
      'config.yaml:6:20 destinations.b["<<"][1]: *nope refers to no anchor: set &nope on a value above this alias',
      'config.yaml:6:27 destinations.b["<<"][2]: *also refers to no anchor: set &also on a value above this alias',
      'config.yaml:7:8 destinations.c["<<"]: a merge key (<<) takes a map, an alias of one (<<: *name) or a list of those',
    ]);
  });

  it('reads a file of many aliases in linear time: each alias is resolved once, not by a walk of the whole file', async () => {
    // Alias.resolve(doc) without a context walks the whole document: 2,000 `<<: *dN` took 28 s. Each anchor is
    // used 75 times, within yaml's alias count.
    const anchors = Array.from({ length: 40 }, (_, a) => `  d${a}: &d${a} { a: ${a} }\n`).join('');
    const items = Array.from(
      { length: 3_000 },
      (_, i) => `  k${i}:\n    <<: *d${i % 40}\n    c: ${i}\n`,
    ).join('');
    // Counted, not timed: each call of Alias.resolve without yaml's cache of anchors walks the whole document.
    const resolve = Alias.prototype.resolve;
    let walks = 0;
    Alias.prototype.resolve = function (this: Alias, ...args: Parameters<Alias['resolve']>) {
      if (!(args[1] as { aliasResolveCache?: unknown } | undefined)?.aliasResolveCache) walks++;
      return resolve.apply(this, args);
    };
    try {
      const config = built(await loadText(`${VALID}x-d:\n${anchors}x-many:\n${items}`));
      expect(config.destinations.size).to.equal(1);
    } finally {
      Alias.prototype.resolve = resolve;
    }
    // yaml's own toJS walks once to build its cache; before the fix there were one or two walks per alias (3,000+).
    expect(walks).to.be.below(10);
  });

  it('reads a key given by an alias of a name (*name: value), and a quoted "<<" as a plain key, as yaml does', async () => {
    const config = built(
      await loadText(`x-name: &name audit
sources:
  mta: { kind: mta, secret: s3cr3t-value }
destinations:
  *name : { type: file, path: ./a.jsonl }
x-plain: { "<<": 5 }
routes:
  - to: [audit]
`),
    );
    expect([...config.destinations.keys()]).to.deep.equal(['audit']);
  });

  it('does not quote the lines of a file that is no config (a --config pointing at /etc/shadow)', async () => {
    const shadow =
      'root:$y$j9T$abcdefgh$0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcde:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\n';
    const out = lines(await loadText(shadow));
    expect(out).to.deep.equal([
      "config.yaml:1:1 none of this file's 2 top-level key(s) is a section of a Switchboard config (server, sources, store, delivery, admin, plugins, destinations, routes): is it the right file?",
    ]);
    expect(out.join('\n')).not.to.include('root');
  });
});
