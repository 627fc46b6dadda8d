import { expect } from 'chai';
import { sign, verify, verifyAny } from '../../src/ingress/signature.ts';

const body = Buffer.from('{"type":"message-reply","message":"hi"}');

describe('X-Signature over several secrets', () => {
  it('returns the index of the secret that signed the body', () => {
    expect(verifyAny(['new', 'old'], body, sign('new', body))).to.equal(0);
    expect(verifyAny(['new', 'old'], body, sign('old', body))).to.equal(1);
  });

  it('returns -1 for another secret, an altered body, or no secrets at all', () => {
    expect(verifyAny(['new', 'old'], body, sign('other', body))).to.equal(-1);
    expect(verifyAny(['new', 'old'], Buffer.from(`${body} `), sign('new', body))).to.equal(-1);
    expect(verifyAny([], body, sign('new', body))).to.equal(-1);
  });

  it('keeps verify for one secret, case-sensitive as MTA sends lowercase hex', () => {
    expect(verify('new', body, sign('new', body))).to.equal(true);
    expect(verify('new', body, sign('new', body).toUpperCase())).to.equal(false);
    expect(verifyAny(['new'], body, sign('new', body).toUpperCase())).to.equal(-1);
  });
});
