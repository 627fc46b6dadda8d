import { expect } from 'chai';
import { startService } from '../helpers/service.ts';
import { Sink } from '../helpers/sink.ts';

const TOKEN = 'console-filters-token-0123456789';

describe('the console event filters speak the admin API vocabulary (real HTTP)', function () {
  this.timeout(20_000);
  let gw: Awaited<ReturnType<typeof startService>>;
  let sink: Sink;
  let cookie: string;

  before(async () => {
    sink = await Sink.start();
    gw = await startService(
      `admin: { token: "${TOKEN}", listen: "127.0.0.1:0" }
destinations:
  crm: { type: http, url: "${sink.url}" }
routes:
  - name: main
    to: [crm]`,
    );
    const login = await fetch(`${gw.adminUrl}/ui/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN }),
      redirect: 'manual',
    });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  });
  after(async () => {
    await gw.stop();
    await sink.stop();
  });

  const page = async (query: string) => {
    const res = await fetch(`${gw.adminUrl}/ui/events${query}`, { headers: { cookie } });
    return { status: res.status, text: await res.text() };
  };

  it('answers 400 with the nearest name for a typo, and keeps the filter form filled', async () => {
    const cases: Array<[string, RegExp, RegExp]> = [
      [
        '?status=UNDELIVERD',
        /status: &#34;UNDELIVERD&#34; is not a status name or code \(did you mean UNDELIVERED\?\)/,
        /name="status" value="UNDELIVERD"/,
      ],
      [
        '?type=delivery-stats',
        /type: .*did you mean delivery-status\?/,
        /<option value="delivery-stats" selected>/,
      ],
      ['?destination=crn', /destination: .*did you mean crm\?/, /<option value="crn" selected>/],
      ['?source=mat', /source: .*did you mean mta\?/, /<option value="mat" selected>/],
      ['?type=nope', /type: &#34;nope&#34; is not an event type \(known: /, /<option value="nope" selected>/],
      [
        '?unrouted=maybe&status=UNDELIVERED',
        /unrouted: must be true or false/,
        /name="status" value="UNDELIVERED"/,
      ],
      ['?cursor=garbage', /cursor: .*not a cursor from this API/, /<form class="filters"/],
      [
        '?sorce=mta',
        /sorce: .*is not a query parameter of this request \(did you mean source\?\)/,
        /<form class="filters"/,
      ],
      [
        '?sorce=mta&stauts=X',
        /sorce: .*did you mean source\?.*; stauts: .*did you mean status\?/,
        /<form class="filters"/,
      ],
    ];
    for (const [query, problem, form] of cases) {
      const { status, text } = await page(query);
      expect(status, query).to.equal(400);
      expect(text, query).to.match(/<p class="error" role="alert">/);
      expect(text, query).to.match(problem);
      expect(text, query).to.match(form);
      expect(text, query).not.to.include('No events match.</td>');
    }
  });

  it('answers 200 for names in the vocabulary', async () => {
    const { status, text } = await page(
      '?status=UNDELIVERED&type=delivery-status&destination=crm&source=mta',
    );
    expect(status).to.equal(200);
    expect(text).not.to.match(/class="error"/);
  });
});
