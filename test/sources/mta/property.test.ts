import { expect } from 'chai';
import fc from 'fast-check';
import { EVENT_TYPES } from '../../../src/sources/mta/event.ts';
import { decode } from './helpers.ts';

const VERSIONS = [1, 2, 3] as const;
const FIELDS = [
  'destinationNumber',
  'fromNumber',
  'toNumber',
  'number',
  'messageId',
  'replyId',
  'externalId',
  'status',
  'message',
  'tags',
  'senderName',
  'optInType',
  'mediaUrls',
  'carrier',
  'errorMessage',
  'channel',
  'timestamp',
  '__proto__',
  'constructor',
];

function expectEither(result: unknown) {
  expect(result).to.have.property('_tag').that.is.oneOf(['Left', 'Right']);
}

describe('mta decoding never throws', () => {
  for (const version of VERSIONS) {
    it(`returns Left or Right for any JSON value (V${version})`, () => {
      fc.assert(
        fc.property(
          fc.jsonValue(),
          fc.option(fc.constantFrom(...EVENT_TYPES, 'bogus'), { nil: undefined }),
          (body, urlEvent) => {
            expectEither(decode(body, { version, urlEvent }));
          },
        ),
        { numRuns: 500 },
      );
    });

    it(`returns Left or Right for typed bodies with any values in known fields (V${version})`, () => {
      const body = fc.record({
        type: fc.constantFrom(...EVENT_TYPES),
        fields: fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 3 })),
      });
      fc.assert(
        fc.property(body, ({ type, fields }) => {
          // Through JSON so that __proto__ becomes an own key, as it would from a request body.
          expectEither(decode(JSON.parse(JSON.stringify({ ...fields, type })), { version }));
        }),
        { numRuns: 500 },
      );
    });
  }
});
