import { expect } from 'chai';
import { decoded, fixture, rejected } from './helpers.ts';

describe('mta event type: from the body, the URL, or both', () => {
  const spellings = ['message-reply', 'MESSAGE_REPLY', 'Message-Reply', 'message_reply'];
  for (const type of spellings) {
    it(`accepts the body type spelled ${type}`, () => {
      expect(decoded({ ...fixture(3, 'message-reply'), type }).type).to.equal('message-reply');
    });
  }

  // A body registered at /webhooks/mta/delivery-status whose type read "DeliveryStatus" (how C# and Java
  // serializers write an enum) was a 400 about `type`, so every such webhook became `unrecognized`.
  for (const type of ['MessageReply', 'messageReply', 'messagereply', 'message reply', ' message-reply ']) {
    it(`accepts the body type spelled ${JSON.stringify(type)}: the same words joined otherwise`, () => {
      const body = { ...fixture(3, 'message-reply'), type };
      expect(decoded(body).type).to.equal('message-reply');
      expect(decoded(body, { urlEvent: 'message-reply' }).type).to.equal('message-reply');
    });
  }

  it('accepts the URL event spelled as the same words joined otherwise', () => {
    const { type: _type, ...body } = fixture(3, 'number-opt-in');
    for (const urlEvent of ['NumberOptIn', 'numberoptin', 'Number_Opt-In']) {
      expect(decoded(body, { urlEvent }).type).to.equal('number-opt-in');
    }
  });

  it('takes the event from the URL when the body has no type', () => {
    const { type: _type, ...body } = fixture(3, 'message-send');
    expect(decoded(body, { urlEvent: 'message-send' }).type).to.equal('message-send');
  });

  it('takes the event from the URL when the body type is null', () => {
    expect(
      decoded({ ...fixture(3, 'message-send'), type: null }, { urlEvent: 'message-send' }).type,
    ).to.equal('message-send');
  });

  it('accepts a body type that agrees with the URL in another spelling', () => {
    const body = { ...fixture(3, 'delivery-status'), type: 'DELIVERY_STATUS' };
    expect(decoded(body, { urlEvent: 'delivery-status' }).type).to.equal('delivery-status');
  });

  it('answers 400 naming both when the body type and the URL disagree', () => {
    const error = rejected(fixture(3, 'message-reply'), { urlEvent: 'delivery-status' });
    expect(error.status).to.equal(400);
    expect(error.error).to.include('"message-reply"').and.include('"delivery-status"');
    expect(error.details).to.deep.equal([
      { path: 'type', message: 'is message-reply but the URL names delivery-status' },
    ]);
  });

  it('answers 400 when neither the body nor the URL names the event', () => {
    const { type: _type, ...body } = fixture(3, 'message-send');
    const error = rejected(body);
    expect(error.status).to.equal(400);
    expect(error.details).to.deep.equal([
      { path: 'type', message: 'is required unless the URL names the event' },
    ]);
  });

  it('answers 404 for an unknown event in the URL, listing the known ones', () => {
    const error = rejected(fixture(3, 'message-send'), { urlEvent: 'message-sent' });
    expect(error.status).to.equal(404);
    expect(error.error).to.match(/^unknown event "message-sent"/);
    for (const known of ['delivery-status', 'message-reply', 'message-send', 'number-opt-in']) {
      expect(error.error).to.include(known);
    }
  });

  it('answers 404 for an unknown URL event even when the body is not an object', () => {
    expect(rejected('nope', { urlEvent: 'nope' }).status).to.equal(404);
  });

  it('answers 400 with a suggestion for an unknown body type', () => {
    const error = rejected({ ...fixture(3, 'delivery-status'), type: 'DELIVERY_STATS' });
    expect(error.status).to.equal(400);
    expect(error.details).to.have.length(1);
    expect(error.details[0].path).to.equal('type');
    expect(error.details[0].message).to.include('"DELIVERY_STATS" is not an MTA event type');
    expect(error.details[0].message).to.include('(did you mean delivery-status?)');
  });

  it('answers 400 for a body type that is not a string', () => {
    const error = rejected({ ...fixture(3, 'delivery-status'), type: 5 });
    expect(error.status).to.equal(400);
    expect(error.details).to.deep.equal([{ path: 'type', message: 'expected a string, got 5' }]);
  });
});
