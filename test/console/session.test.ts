import { expect } from 'chai';
import { html, raw } from '../../src/console/html.ts';
import { maskPhone, maskText } from '../../src/console/mask.ts';
import {
  consoleAuth,
  csrfToken,
  endSession,
  issueSession,
  SESSION_TTL_MS,
  sessionCookie,
  verifySession,
} from '../../src/console/session.ts';

const TOKEN = 'admin-token-0123456789abcdef';
const NOW = Date.parse('2031-03-04T05:06:07Z');

describe('console sessions', () => {
  it('verifies a cookie it issued, naming who logged in, and never carries the token', () => {
    const { value, session } = issueSession(TOKEN, 'Dana. O.', NOW);
    expect(value).not.to.include(TOKEN);
    expect(verifySession(TOKEN, value, NOW + 1000)).to.deep.equal(session);
    expect(session.who).to.match(/^Dana\. O\. \(session .{6}\)$/);
  });

  it('refuses a forged, truncated, expired or old-token cookie', () => {
    const { value } = issueSession(TOKEN, '', NOW);
    const [id, exp, name, sig] = value.split('.');
    expect(verifySession(TOKEN, `${id}.${Number(exp) + 3_600_000}.${name}.${sig}`, NOW)).to.equal(null);
    expect(verifySession(TOKEN, `${id}.${exp}.${name}`, NOW)).to.equal(null);
    expect(verifySession(TOKEN, value, NOW + SESSION_TTL_MS)).to.equal(null);
    expect(verifySession(`${TOKEN}-rotated`, value, NOW)).to.equal(null);
    expect(verifySession(TOKEN, undefined, NOW)).to.equal(null);
  });

  it('refuses a session after logout', () => {
    const { value, session } = issueSession(TOKEN, '', NOW);
    endSession(session, NOW);
    expect(verifySession(TOKEN, value, NOW)).to.equal(null);
  });

  it('lets the admin API in only with the session cookie and its own CSRF token', () => {
    const a = issueSession(TOKEN, 'a', NOW);
    const b = issueSession(TOKEN, 'b', NOW);
    const cookie = `other=1; switchboard_session=${a.value}`;
    expect(consoleAuth(TOKEN, { cookie, csrf: csrfToken(TOKEN, a.session) }, NOW)).to.deep.equal({
      ok: true,
      who: a.session.who,
    });
    expect(consoleAuth(TOKEN, { cookie, csrf: csrfToken(TOKEN, b.session) }, NOW)).to.include({
      status: 403,
    });
    expect(consoleAuth(TOKEN, { cookie }, NOW)).to.include({ status: 403 });
    expect(consoleAuth(TOKEN, { csrf: csrfToken(TOKEN, a.session) }, NOW)).to.include({ status: 401 });
  });

  it('sets the cookie HttpOnly and SameSite=Strict, Secure over TLS, and clears it on logout', () => {
    expect(sessionCookie('v', false)).to.equal(
      'switchboard_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800',
    );
    expect(sessionCookie('v', true)).to.match(/; Secure$/);
    expect(sessionCookie('', false)).to.include('Max-Age=0');
  });
});

describe('console rendering', () => {
  it('escapes every value, so a payload can never become markup', () => {
    const text = '<script>alert(1)</script> & "quotes" \'too\'';
    expect(html`<p title="${text}">${text}</p>`.text).to.equal(
      '<p title="&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34; &#39;too&#39;">&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34; &#39;too&#39;</p>',
    );
    expect(html`<ul>${['<a>', html`<li>${'<b>'}</li>`, raw('<hr>')]}</ul>`.text).to.equal(
      '<ul>&#60;a&#62;<li>&#60;b&#62;</li><hr></ul>',
    );
  });

  it('masks phone numbers to their last four digits and message text to its length', () => {
    expect(maskPhone('+13125550143')).to.equal('•••0143');
    expect(maskPhone('911')).to.equal('•••');
    expect(maskPhone(undefined)).to.equal('');
    expect(maskText('Yes 📦')).to.equal('(text, 5 chars)');
    expect(maskText(undefined)).to.equal('');
  });
});
