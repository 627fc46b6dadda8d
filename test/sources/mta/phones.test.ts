import { expect } from 'chai';
import { normalizePhone } from '../../../src/sources/mta/fields/phone.ts';

// [as given, the source's default country, the format this version is thought to use, phone, phoneNational]
// Expected values are written out by hand from each country's numbering plan (trunk prefix 0 in GB, DE, FR,
// AU, IN, JP; 1 in NANP), not taken from the library's output.
const VALID: Array<[string, string, 'national' | 'e164', string, string | undefined]> = [
  ['07700 900123', '44', 'national', '+447700900123', '7700900123'],
  ['+44 7700 900123', '1', 'e164', '+447700900123', undefined],
  ['020 7946 0958', '44', 'national', '+442079460958', '2079460958'],
  ['+442079460958', '1', 'e164', '+442079460958', undefined],
  ['13125550143', '1', 'national', '+13125550143', '3125550143'],
  ['3125550143', '1', 'national', '+13125550143', '3125550143'],
  ['(312) 555-0143', '1', 'national', '+13125550143', '3125550143'],
  ['312.555.0143', '1', 'national', '+13125550143', '3125550143'],
  ['+1 (312) 555-0143', '1', 'e164', '+13125550143', '3125550143'],
  ['3125550143', '1', 'e164', '+13125550143', '3125550143'],
  ['030 901820', '49', 'national', '+4930901820', '30901820'],
  ['+49 30 901820', '1', 'e164', '+4930901820', undefined],
  ['01512 3456789', '49', 'national', '+4915123456789', '15123456789'],
  ['06 12 34 56 78', '33', 'national', '+33612345678', '612345678'],
  ['+33612345678', '1', 'e164', '+33612345678', undefined],
  ['0412 345 678', '61', 'national', '+61412345678', '412345678'],
  ['+61 2 9374 4000', '1', 'e164', '+61293744000', undefined],
  ['98765 43210', '91', 'national', '+919876543210', '9876543210'],
  ['+919876543210', '1', 'e164', '+919876543210', undefined],
  ['090-1234-5678', '81', 'national', '+819012345678', '9012345678'],
  ['+52 55 1234 5678', '1', 'e164', '+525512345678', undefined],
];

// Not possible numbers: never guessed into an E.164 form.
const INVALID: Array<[string, string]> = [
  ['+1 555 0100', 'too short for NANP'],
  ['123', 'too short anywhere'],
  ['555-0100', 'a 7-digit local number without an area code'],
  ['+999123456789', 'no such country calling code'],
  ['+1234567890123456', 'longer than E.164 allows'],
  ['call me', 'not a number'],
  ['', 'empty'],
  ['+', 'a plus alone'],
];

describe('phone numbers are normalized by libphonenumber-js', () => {
  for (const [given, country, format, phone, national] of VALID) {
    it(`reads ${JSON.stringify(given)} in country +${country} as ${phone}`, () => {
      const { fields, notes } = normalizePhone(given, country, format);
      expect(fields.phone).to.equal(phone);
      expect(fields.phoneNational).to.equal(national);
      expect(fields).to.not.have.property('phoneRaw');
      expect(notes.map((n) => n.kind)).to.not.include('invalid-phone');
    });
  }

  for (const [given, why] of INVALID) {
    it(`keeps ${JSON.stringify(given)} raw without a phone (${why})`, () => {
      const { fields, notes } = normalizePhone(given, '1', 'e164');
      expect(fields).to.deep.equal({ phoneRaw: given });
      expect(notes.map((n) => n.kind)).to.deep.equal(['invalid-phone']);
    });
  }

  it('notes formatting and trunk prefixes, but not a number already in its expected form', () => {
    expect(normalizePhone('+13125550143', '1', 'e164').notes).to.deep.equal([]);
    expect(normalizePhone('3125550143', '1', 'national').notes).to.deep.equal([]);
    expect(normalizePhone('13125550143', '1', 'national').notes.map((n) => n.kind)).to.deep.equal([
      'formatted-number',
    ]);
    expect(normalizePhone('3125550143', '1', 'e164').notes.map((n) => n.kind)).to.deep.equal([
      'national-number',
    ]);
    expect(normalizePhone('+13125550143', '1', 'national').notes.map((n) => n.kind)).to.deep.equal([
      'e164-number',
    ]);
  });

  it('never puts the number itself in a note', () => {
    const notes = normalizePhone('(312) 555-0143', '1', 'e164').notes;
    for (const n of notes) expect(n.message).to.not.match(/312|555|0143/);
  });
});
