import { expect } from 'chai';
import { getCountries, getCountryCallingCode, getExampleNumber } from 'libphonenumber-js/min';
import examples from 'libphonenumber-js/mobile/examples';
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

// Numbers written with an international dialling prefix instead of "+": 00 (the ITU's, dialled in most of the
// world) or the default country's own (011 in NANP, 0011 in AU, 010 in JP, 810 in RU). [as given, country, phone,
// phoneNational, the prefix the note names]
const DIALLED: Array<[string, string, string, string | undefined, string]> = [
  ['0044 20 7946 0958', '1', '+442079460958', undefined, '00'],
  ['011 44 20 7946 0958', '1', '+442079460958', undefined, '011'],
  ['011 1 312 555 0143', '1', '+13125550143', '3125550143', '011'],
  ['0033 6 12 34 56 78', '1', '+33612345678', undefined, '00'],
  // Ten digits, a possible NANP length (+1 005 001 2345), but no NANP area code starts with 0: the Falklands.
  ['00500 12345', '1', '+50012345', undefined, '00'],
  ['0044 7700 900123', '44', '+447700900123', '7700900123', '00'],
  ['00 1 312 555 0143', '44', '+13125550143', undefined, '00'],
  // Possible, though in no assigned range, as a German national number (044 2079 460958): not valid, so reread.
  ['0044 20 7946 0958', '49', '+442079460958', undefined, '00'],
  ['0011 44 20 7946 0958', '61', '+442079460958', undefined, '0011'],
  ['0044 20 7946 0958', '61', '+442079460958', undefined, '00'],
  ['010 33 6 12 34 56 78', '81', '+33612345678', undefined, '010'],
  ['810 44 20 7946 0958', '7', '+442079460958', undefined, '810'],
  // Brazil's own prefix is 00 and a two-digit carrier: read with it, 0055 11 … would be +1 1… (not valid).
  ['0055 11 96123 4567', '55', '+5511961234567', '11961234567', '00'],
];

// Valid national numbers of the default country that start like a dialling prefix: read as written, never reread.
const NATIONAL: Array<[string, string, string]> = [
  ['0066 33 123456', '81', '+81006633123456'], // a Japanese 0066 service number (Japan dials 010 abroad)
  ['0120 123 456', '81', '+81120123456'], // Japan's freephone, trunk prefix 0
  ['011 234 5678', '27', '+27112345678'], // Johannesburg: trunk 0, area 11 (011 is NANP's prefix, not South Africa's)
  ['06 1234 5678', '39', '+390612345678'], // Rome: Italy keeps the 0 in the number, and dials 00 abroad
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

  for (const [given, country, phone, national, prefix] of DIALLED) {
    it(`reads ${JSON.stringify(given)} in country +${country} as ${phone} (international prefix ${prefix})`, () => {
      const { fields, notes } = normalizePhone(given, country, 'e164');
      expect(fields).to.deep.equal(national === undefined ? { phone } : { phone, phoneNational: national });
      expect(notes[0]).to.deep.equal({
        kind: 'international-prefix',
        message: `the international dialling prefix ${prefix} read as "+"`,
      });
    });
  }

  it('notes an international prefix alone when the number has no spaces or punctuation', () => {
    expect(normalizePhone('00442079460958', '1', 'national').notes.map((n) => n.kind)).to.deep.equal([
      'international-prefix',
    ]);
    expect(normalizePhone('0044 20 7946 0958', '1', 'national').notes.map((n) => n.kind)).to.deep.equal([
      'international-prefix',
      'formatted-number',
    ]);
  });

  for (const [given, country, phone] of NATIONAL) {
    it(`keeps ${JSON.stringify(given)} a national number of country +${country} (${phone})`, () => {
      const { fields, notes } = normalizePhone(given, country, 'national');
      expect(fields.phone).to.equal(phone);
      expect(notes.map((n) => n.kind)).to.not.include('international-prefix');
    });
  }

  it("never rereads any country's example mobile number, written nationally, as international", () => {
    // libphonenumber's example number of every country, in its national format (trunk prefix included) and as
    // bare national digits, read with that country's calling code as the default.
    let checked = 0;
    for (const country of getCountries()) {
      const example = getExampleNumber(country, examples);
      if (example === undefined) continue;
      for (const written of [example.formatNational(), example.nationalNumber]) {
        const { fields, notes } = normalizePhone(written, getCountryCallingCode(country), 'national');
        expect(fields.phone, `${country} ${written}`).to.equal(example.number);
        expect(notes.map((n) => n.kind)).to.not.include('international-prefix');
        checked++;
      }
    }
    expect(checked).to.be.above(400);
  });

  it('keeps a number raw when what follows an international prefix is no possible number', () => {
    for (const given of ['00 123', '0099 123 456 789', '011 0 312 555 0143']) {
      const { fields, notes } = normalizePhone(given, '1', 'e164');
      expect(fields, given).to.deep.equal({ phoneRaw: given });
      expect(notes.map((n) => n.kind)).to.deep.equal(['invalid-phone']);
    }
  });

  // RCS addresses a subscriber by a tel: URI (RFC 3966), and a reply's fromNumber "tel:+13125550143" was kept
  // raw with no phone: routes and filters on phone missed it, though the number is as plain as E.164.
  it('reads a tel: URI as the number it holds, noting the scheme removed', () => {
    for (const given of ['tel:+13125550143', 'TEL:+1-312-555-0143', ' tel:+13125550143']) {
      const { fields, notes } = normalizePhone(given, '1', 'e164');
      expect(fields, given).to.deep.equal({ phone: '+13125550143', phoneNational: '3125550143' });
      expect(notes.map((n) => n.kind)).to.deep.equal(['formatted-number']);
    }
    expect(normalizePhone('tel:3125550143', '1', 'e164').fields.phone).to.equal('+13125550143');
    // A local number with its context (RFC 3966 §5.1.5) names no number alone: kept raw, as before.
    expect(normalizePhone('tel:7042;phone-context=example.com', '1', 'e164').fields).to.deep.equal({
      phoneRaw: 'tel:7042;phone-context=example.com',
    });
  });

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
    for (const given of ['(312) 555-0143', '011 1 (312) 555-0143']) {
      const notes = normalizePhone(given, '1', 'e164').notes;
      for (const n of notes) expect(n.message).to.not.match(/312|555|0143/);
    }
  });
});
