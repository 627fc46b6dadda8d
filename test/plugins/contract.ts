/**
 * The contract every HTTP-speaking destination keeps (contract §7): what each kind of answer means for the
 * delivery, that the per-attempt timeout and the attempt's signal are respected, and that secrets stay out
 * of error messages. Each plugin's test file runs it with its own configuration.
 */
import { expect } from 'chai';
import type { Destination, PluginContext } from '../../src/destinations/api.ts';
import { classifyFailure, type SendFailure } from '../../src/destinations/errors.ts';
import { collectGarbageOften } from '../helpers/gc.ts';
import { attempt, testContext } from './context.ts';
import { deliveryFailed } from './events.ts';
import { type Receiver, refusedPort, startReceiver } from './server.ts';

/** A destination under test, configured against a base URL such as `http://127.0.0.1:1234`. */
export interface HttpDestinationSubject {
  /** Builds the destination; its options must contain `secret` (token, webhook URL path, signing secret…). */
  create(baseUrl: string, ctx: PluginContext): Destination;
  /** A secret-looking value the options contain and no error message may show. */
  secret: string;
  /** What the receiver answers on success (Slack's Web API wants `{"ok":true}`). */
  success: { status: number; headers?: Record<string, string>; body: string };
}

/** Sends one event and returns how the failure classifies; fails the test if the send succeeds. */
export async function failureOf(send: Promise<void>): Promise<{ failure: SendFailure; error: unknown }> {
  try {
    await send;
  } catch (error) {
    return { failure: classifyFailure(error), error };
  }
  throw new Error('expected the send to fail, but it succeeded');
}

/** Registers the shared contract tests for one destination. */
export function behavesLikeAnHttpDestination(subject: HttpDestinationSubject): void {
  describe('as an HTTP destination', () => {
    let server: Receiver;
    beforeEach(async () => {
      server = await startReceiver();
      server.answer(() => subject.success);
    });
    afterEach(() => server.close());

    const destination = (timeoutMs = 5000) => subject.create(server.url, testContext({ timeoutMs }).ctx);

    it('resolves when the receiver accepts the event', async () => {
      await destination().send(deliveryFailed(), attempt());
      expect(server.received).to.have.length(1);
      expect(server.received[0].method).to.equal('POST');
    });

    for (const status of [400, 401, 404, 410]) {
      it(`fails permanently when the receiver answers ${status}`, async () => {
        server.answer(() => ({ status, body: 'nope' }));
        const { failure } = await failureOf(destination().send(deliveryFailed(), attempt()));
        expect(failure.kind).to.equal('permanent');
        expect(failure.statusCode).to.equal(status);
      });
    }

    it('asks the queue to slow down (throttled, no attempt spent) when the receiver answers 429', async () => {
      server.answer(() => ({ status: 429, body: 'slow down' }));
      const { failure } = await failureOf(destination().send(deliveryFailed(), attempt()));
      expect(failure).to.include({ kind: 'throttled', statusCode: 429, retryAfterMs: undefined });
    });

    it('throttles for as long as a 429 says in Retry-After', async () => {
      server.answer(() => ({ status: 429, headers: { 'retry-after': '7' }, body: '' }));
      const { failure } = await failureOf(destination().send(deliveryFailed(), attempt()));
      expect(failure).to.include({ kind: 'throttled', retryAfterMs: 7000 });
    });

    it('ignores an unreadable Retry-After (-1, garbage) so the normal backoff applies', async () => {
      for (const value of ['-1', 'soon', '2026-11-30T12:00:00Z']) {
        server.answer(() => ({ status: 503, headers: { 'retry-after': value }, body: '' }));
        const { failure } = await failureOf(destination().send(deliveryFailed(), attempt()));
        expect(failure).to.include({ kind: 'transient', retryAfterMs: undefined });
      }
    });

    for (const status of [408, 500, 502, 503]) {
      it(`fails transiently when the receiver answers ${status}`, async () => {
        server.answer(() => ({ status, body: 'try later' }));
        const { failure } = await failureOf(destination().send(deliveryFailed(), attempt()));
        expect(failure.kind).to.equal('transient');
        expect(failure.statusCode).to.equal(status);
      });
    }

    it('honours Retry-After on 503 as retryAfterMs', async () => {
      server.answer(() => ({ status: 503, headers: { 'retry-after': '7' }, body: '' }));
      const { failure } = await failureOf(destination().send(deliveryFailed(), attempt()));
      expect(failure).to.include({ kind: 'transient', retryAfterMs: 7000 });
    });

    it('fails transiently when the connection is refused', async () => {
      const port = await refusedPort();
      const dest = subject.create(`http://127.0.0.1:${port}`, testContext().ctx);
      const { failure, error } = await failureOf(dest.send(deliveryFailed(), attempt()));
      expect(failure).to.include({ kind: 'transient', reason: 'network' });
      expect(String(error)).not.to.contain(subject.secret);
    });

    it('keeps secrets out of error messages even when the receiver echoes the request', async () => {
      server.answer((req) => ({
        status: 401,
        body: `Cannot POST ${req.url} with ${req.headers.authorization ?? 'no authorization'} ${req.body}`,
      }));
      const { error } = await failureOf(destination().send(deliveryFailed(), attempt()));
      expect(String(error)).not.to.contain(subject.secret);
      expect((error as Error).message).not.to.contain(subject.secret);
    });

    it('gives up transiently when the receiver never answers within the timeout', async () => {
      server.answer(() => 'hang');
      // Collections while waiting: a timeout held only weakly (AbortSignal.any on Node 20) would be lost.
      const stopCollecting = collectGarbageOften();
      try {
        const { failure } = await failureOf(destination(200).send(deliveryFailed(), attempt()));
        expect(failure).to.include({ kind: 'transient', reason: 'timeout' });
      } finally {
        stopCollecting();
      }
    });

    it("gives up transiently when the attempt's signal is aborted", async () => {
      server.answer(() => 'hang');
      const controller = new AbortController();
      const arrived = server.nextRequest().then(() => controller.abort());
      const send = destination().send(deliveryFailed(), attempt({ signal: controller.signal }));
      const [{ failure }] = await Promise.all([failureOf(send), arrived]);
      expect(failure).to.include({ kind: 'transient', reason: 'timeout' });
    });
  });

  behavesLikeADestination(httpSubject(subject));
}

/** How a target can be told to refuse: never recover, recover later, or never answer. */
export type Refusal = 'permanent' | 'transient' | 'hang';

/** A running target (HTTP receiver, SMTP server, folder…) and the destination's view of it. */
export interface DestinationFixture {
  /** Builds the destination against this target. */
  create(ctx: PluginContext): Destination;
  /** Events the target has accepted so far. */
  accepted(): number;
  /** Makes the following sends fail this way (only the kinds listed in `refusals`). */
  refuse(kind: Refusal): void;
  close(): Promise<void>;
}

/** Any destination plugin under the shared contract. */
export interface DestinationSubject {
  /** Starts a target that accepts everything until told otherwise. */
  start(): Promise<DestinationFixture>;
  /** A destination whose target cannot be reached at all (refused port…); absent when that cannot happen. */
  unreachable?(ctx: PluginContext): Promise<Destination>;
  /** The ways this target can refuse; a file cannot hang, for instance. */
  refusals: readonly Refusal[];
  /** A secret the options hold (password, token, webhook path) that no error message may show. */
  secret?: string;
}

/**
 * The contract every destination keeps, built-in or not (contract §6–§7): create() does no I/O; a send
 * resolves only once the target took the event; a refusal that cannot pass is permanent, one that may pass is
 * transient, an unreachable target is transient; the attempt's signal ends a send that hangs; a digest is
 * one message; and secrets stay out of error messages.
 */
export function behavesLikeADestination(subject: DestinationSubject): void {
  describe('as a destination', () => {
    let target: DestinationFixture;
    beforeEach(async () => {
      target = await subject.start();
    });
    afterEach(async () => {
      await target.close();
    });

    it('does no I/O when created (config loads and `check` create destinations)', async () => {
      await subject.unreachable?.(testContext().ctx);
      target.create(testContext().ctx);
      expect(target.accepted()).to.equal(0);
    });

    it('resolves once the target has accepted the event', async () => {
      const dest = target.create(testContext().ctx);
      await dest.send(deliveryFailed(), attempt());
      expect(target.accepted()).to.equal(1);
      await dest.close?.();
    });

    it('sends a digest of several events as one message, if it offers digests', async () => {
      const dest = target.create(testContext().ctx);
      if (dest.sendDigest === undefined) return;
      await dest.sendDigest(
        [deliveryFailed(), deliveryFailed({ id: '01J9Z3Y4K5M6N7P8Q9R0S1T2V4' })],
        attempt(),
      );
      expect(target.accepted()).to.equal(1);
      await dest.close?.();
    });

    for (const kind of ['permanent', 'transient'] as const) {
      it(`fails ${kind}ly when the target refuses in a way that ${kind === 'permanent' ? 'cannot' : 'may'} pass`, async function () {
        if (!subject.refusals.includes(kind)) this.skip();
        target.refuse(kind);
        const dest = target.create(testContext().ctx);
        const { failure, error } = await failureOf(dest.send(deliveryFailed(), attempt()));
        expect(failure.kind).to.equal(kind);
        if (subject.secret !== undefined) expect(String(error)).not.to.contain(subject.secret);
        await dest.close?.();
      });
    }

    it('fails transiently when the target cannot be reached', async function () {
      if (subject.unreachable === undefined) this.skip();
      const dest = await subject.unreachable(testContext().ctx);
      const { failure, error } = await failureOf(dest.send(deliveryFailed(), attempt()));
      expect(failure.kind).to.equal('transient');
      if (subject.secret !== undefined) expect(String(error)).not.to.contain(subject.secret);
      await dest.close?.();
    });

    it("gives up transiently when the target hangs and the attempt's signal is aborted", async function () {
      if (!subject.refusals.includes('hang')) this.skip();
      target.refuse('hang');
      const dest = target.create(testContext().ctx);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 300);
      try {
        const { failure } = await failureOf(
          dest.send(deliveryFailed(), attempt({ signal: controller.signal })),
        );
        expect(failure.kind).to.equal('transient');
      } finally {
        clearTimeout(timer);
        await dest.close?.();
      }
    });
  });
}

/** The shared contract's subject for a destination that speaks HTTP, from its HTTP contract subject. */
export function httpSubject(http: HttpDestinationSubject): DestinationSubject {
  return {
    secret: http.secret,
    refusals: ['permanent', 'transient', 'hang'],
    async start() {
      const server = await startReceiver();
      let refusal: Refusal | undefined;
      let accepted = 0;
      server.answer(() => {
        if (refusal === 'hang') return 'hang';
        if (refusal !== undefined) return { status: refusal === 'permanent' ? 400 : 503, body: 'no' };
        accepted++;
        return http.success;
      });
      return {
        create: (ctx) => http.create(server.url, ctx),
        accepted: () => accepted,
        refuse: (kind) => {
          refusal = kind;
        },
        close: () => server.close(),
      };
    },
    unreachable: async (ctx) => http.create(`http://127.0.0.1:${await refusedPort()}`, ctx),
  };
}
