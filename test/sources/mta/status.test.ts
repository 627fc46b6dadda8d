import { expect } from 'chai';
import { decoded, fixture } from './helpers.ts';

describe('mta delivery status on the event', () => {
  const cases = [
    { code: 1, expected: { code: 1, name: 'QUEUED', failed: false, final: false } },
    { code: 3, expected: { code: 3, name: 'SENT', failed: false, final: false } },
    { code: 4, expected: { code: 4, name: 'DELIVERED', failed: false, final: true } },
    { code: 5, expected: { code: 5, name: 'SENDING_FAILED', failed: true, final: true } },
    { code: 6, expected: { code: 6, name: 'DELIVERY_FAILED', failed: true, final: true } },
    { code: 14, expected: { code: 14, name: 'QUEUEING_FAILED', failed: true, final: true } },
    { code: 99, expected: { code: 99, name: 'UNKNOWN_99', failed: false, final: false } },
    { code: 0, expected: { code: 0, name: 'UNKNOWN_0', failed: false, final: false } },
  ];
  for (const { code, expected } of cases) {
    it(`status ${code} is ${expected.name}, ${expected.failed ? 'failed' : 'not failed'}, ${expected.final ? 'final' : 'not final'}`, () => {
      expect(decoded({ ...fixture(3, 'delivery-status'), status: code }).status).to.deep.equal(expected);
    });
  }

  it('has no status on events other than delivery-status', () => {
    expect(decoded(fixture(3, 'message-send'))).not.to.have.property('status');
  });
});
