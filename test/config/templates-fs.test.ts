import { expect } from 'chai';
import { compileTemplate, TemplateRenderError } from '../../src/templates/template.ts';

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

describe('Liquid templates have limits', () => {
  for (const source of [
    '{% for i in (1..messageId) %}x{% endfor %}',
    '{% for i in (1..9000) %}{% for j in (1..9000) %}x{% endfor %}{% endfor %}',
    '{% assign a = text %}{% for i in (1..40) %}{% assign a = a | append: a %}{% endfor %}{{ a | size }}',
  ]) {
    it(`fails the render of ${source} with a permanent error instead of ending the process (found by an attack)`, function () {
      this.timeout(20_000);
      const compiled = compileTemplate(source, 'none');
      expect(compiled.ok).to.equal(true);
      if (!compiled.ok) return;
      let error: unknown;
      try {
        compiled.template.render({ messageId: 300_000_000, text: 'hello' } as never);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(TemplateRenderError);
      expect((error as TemplateRenderError).permanent).to.equal(true);
      expect(String(error)).to.match(
        /went past the limits of one render \(1000 ms, 10,000,000 values\): .*limit exceeded/,
      );
    });
  }

  it('fails the render of a template whose output is past the limit, however little it looped (found by an attack)', () => {
    // A loop of 1,000 over a 200 kB reply made 200 MB of output in 40 ms: liquidjs counts loop items and what
    // filters build, not what {{ }} outputs, so the email or http body was 200 MB.
    for (const source of [
      '{% for i in (1..1000) %}{{ text }}{% endfor %}',
      '{% capture s %}{{ text }}{% endcapture %}{% for i in (1..10) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}',
    ]) {
      const compiled = compileTemplate(source, 'none');
      expect(compiled.ok).to.equal(true);
      if (!compiled.ok) return;
      expect(() => compiled.template.render({ text: 'x'.repeat(200_000) } as never))
        .to.throw(TemplateRenderError)
        .with.property(
          'message',
          source.startsWith('{% for')
            ? 'template failed for this event: it rendered 200,000,000 characters, past the limits of one render (1000 ms, 10,000,000 values); check its loops'
            : 'template failed for this event: it rendered 204,800,000 characters, past the limits of one render (1000 ms, 10,000,000 values); check its loops',
        );
      // The same template on an ordinary reply renders.
      expect(compiled.template.render({ text: 'hi' } as never)).to.have.length.greaterThan(0);
    }
  });

  it('still renders a loop of ordinary size', () => {
    const compiled = compileTemplate('{% for i in (1..1000) %}x{% endfor %}', 'none');
    expect(compiled.ok && compiled.template.render({} as never)).to.equal('x'.repeat(1000));
  });
});
