import { expect } from 'chai';
import { locate, parseYaml } from '../../src/config/parse.ts';

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
});
