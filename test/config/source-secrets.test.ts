// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text, where ${NAME} is the interpolation syntax under test.
import { expect } from 'chai';
import { built, lines, loadText, VALID } from './helpers.ts';

const NEW = 'new-secret-9f8e7d6c5b4a';
const OLD = 'old-secret-0a1b2c3d4e5f';

describe('a source with several secrets (secrets: [new, old], during a rotation)', () => {
  it('accepts a list, newest first; secret is its first entry', async () => {
    const config = built(await loadText(VALID.replace('secret: s3cr3t-value', `secrets: [${NEW}, ${OLD}]`)));
    const mta = config.sources.get('mta');
    expect(mta?.secrets).to.deep.equal([NEW, OLD]);
    expect(mta?.secret).to.equal(NEW);
  });

  it('gives a single secret as a list of one', async () => {
    const config = built(await loadText(VALID));
    expect(config.sources.get('mta')?.secrets).to.deep.equal(['s3cr3t-value']);
  });

  it('refuses secret and secrets together', async () => {
    const out = lines(
      await loadText(VALID.replace('secret: s3cr3t-value', `secret: ${OLD}\n    secrets: [${NEW}]`)),
    );
    expect(out).to.have.length(1);
    expect(out[0]).to.match(
      /sources\.mta\.secrets: give either secret or secrets \(a list, during a rotation\), not both$/,
    );
    expect(out[0]).to.not.include(OLD).and.not.include(NEW);
  });

  it('drops entries left empty by unset variables, and needs one that is not', async () => {
    const both = VALID.replace('secret: s3cr3t-value', 'secrets: ["${NEXT:-}", "${CURRENT}"]');
    const config = built(await loadText(both, { CURRENT: OLD }));
    expect(config.sources.get('mta')?.secrets).to.deep.equal([OLD]);
    const none = lines(await loadText(both, { CURRENT: '' }));
    expect(none.join('\n')).to.include('no secret to verify signatures with');
  });

  it('treats every entry as a secret: redacted from problems and listed for the log redactor', async () => {
    const config = built(await loadText(VALID.replace('secret: s3cr3t-value', `secrets: [${NEW}, ${OLD}]`)));
    expect(config.secrets).to.include(NEW).and.include(OLD);
    const bad = lines(await loadText(VALID.replace('secret: s3cr3t-value', `secrets: [${NEW}, [${OLD}]]`)));
    expect(bad.join('\n')).to.match(/sources\.mta\.secrets\S*1\S*: expected a string/);
    expect(bad.join('\n')).to.not.include(OLD);
  });
});
