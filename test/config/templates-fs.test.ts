import { expect } from 'chai';
import { compileTemplate } from '../../src/templates/template.ts';

describe('Liquid templates have no file system', () => {
  for (const source of [
    "{% include 'package.json' %}",
    "{% render '/etc/passwd' %}",
    "{% layout 'base' %}text",
    '{% include "config.yaml" %}',
  ]) {
    it(`refuses ${source} when the config is loaded`, () => {
      const compiled = compileTemplate(source, 'none');
      expect(compiled.ok).to.equal(false);
      if (!compiled.ok) expect(compiled.error).to.match(/templates cannot read files/);
    });
  }

  it('still renders ordinary templates', () => {
    const compiled = compileTemplate('{{ phone }}: {{ text | upcase }}', 'none');
    expect(compiled.ok).to.equal(true);
    if (compiled.ok)
      expect(compiled.template.render({ phone: '+1555', text: 'hi' } as never)).to.equal('+1555: HI');
  });
});
