import type { Either } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { DecodeNote, GatewayEvent } from '../event.ts';

/**
 * The source plugin interface, mirroring destinations (contract §6): a module whose default export says which
 * `kind:` it is, decodes its options with its own io-ts codec, authenticates a request, turns a body into
 * events, and declares the event types and fields routes may name. Built-in sources (src/sources/mta,
 * standard-webhooks, hmac) use exactly this, and so does a user's plugin dropped into `plugins/`.
 */
export interface SourcePlugin<Options = unknown> {
  /** The `kind:` users write under `sources.<name>`. */
  kind: string;
  /**
   * io-ts codec for the plugin's options: everything under the source except the core's own keys (kind,
   * secret, secrets, allowUnsigned, dedupeWindow, onUndecodable). Unknown keys are refused when it is a
   * `t.type`/`t.partial`/`t.intersection`, as for destinations.
   */
  options: t.Decoder<unknown, Options>;
  /**
   * Checks that a request comes from the provider, over the bytes as received. `secrets` are the source's
   * `secret` or `secrets` (newest first; any one may match, for rotation), never empty. Pure: no I/O, and
   * synchronous. Throwing, or answering no verdict, is a bug: the request is answered 500 and logged.
   */
  authenticate(
    request: SourceRequest,
    secrets: readonly string[],
    options: Options,
    now: number,
  ): Authentication;
  /**
   * Turns a parsed JSON body into an event, or says why not (every bad field). Never throws for any JSON;
   * synchronous. Throwing, or answering no Either, is a bug: the authentic body is kept as `unrecognized`.
   */
  decode(body: unknown, ctx: DecodeContext<Options>): Either<DecodeFailure, DecodedEvent>;
  /**
   * Media types it takes besides JSON: `['application/x-www-form-urlencoded']` for a provider that posts forms
   * (Twilio, Slack). Such a body is authenticated over its bytes as any, and reaches `decode` as an object of
   * strings (a key repeated: the list of its values); `ctx.contentType` says so. Other types are answered 415.
   */
  contentTypes?: readonly 'application/x-www-form-urlencoded'[];
  /** The event types its events may have (for config validation and did-you-mean); `open` when any string. */
  eventTypes: readonly string[] | 'open';
  /** How a `type` operand users write is spelled canonically (MTA: `DELIVERY_STATUS` → `delivery-status`). */
  canonicalType?(written: string): string;
  /**
   * The fields its events carry beside the envelope, by the path routes, templates and `group.by` write.
   * Values are read from the event at the same path unless `read` says otherwise.
   */
  fields: Readonly<Record<string, SourceField>>;
  /**
   * One realistic body per event type (for `test-destination` and the console's "Try a route"), or a function
   * of the options when they change the bodies (MTA: one set per payload version).
   */
  samples?: Readonly<Record<string, unknown>> | ((options: Options) => Readonly<Record<string, unknown>>);
  /**
   * Default message layouts for the built-in destinations, by destination type then event type, e.g.
   * `{ slack: { 'message-reply': { text: '...' } }, email: { 'message-reply': { subject: '...' } } }`.
   */
  layouts?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;
  /**
   * The headers a sender would put on `body` (for `switchboard sign` and curl tests), signed with `secret` at
   * `now` (epoch ms). Optional: without it, `sign` says the source cannot sign.
   */
  sign?(secret: string, body: Buffer, options: Options, now: number): Record<string, string>;
  /**
   * Why a configured secret cannot be this source's key, or undefined when it can (Standard Webhooks: base64
   * after `whsec_`). `check` and start refuse such a secret at its line, so every webhook does not fail with a
   * 401 instead. The answer must not quote the secret. Optional: any non-empty string is taken.
   */
  checkSecret?(secret: string): string | undefined;
  /** Fields every event of this source carries, an `unrecognized` one too (MTA: the configured `version`). */
  baseFields?(options: Options): Record<string, unknown>;
  /** One line for `check`'s summary, e.g. `mta v3`; the kind when absent. */
  summary?(options: Options): string;
}

/** The media types besides JSON a source plugin may take (`contentTypes`): forms, as Twilio and Slack post. */
export const PLUGIN_CONTENT_TYPES = ['application/x-www-form-urlencoded'] as const;

/** A field a source declares: what it holds, so routes are checked when the config loads. */
export interface SourceField {
  kind: 'string' | 'number' | 'boolean' | 'json';
  /** The value on an event; by default the event's property at this dotted path. */
  read?(event: GatewayEvent): unknown;
  /** Normalizes a scalar operand written in a route (MTA statuses: a name becomes its code); Left is the message. */
  operand?(written: unknown): Either<string, string | number | boolean>;
  /** The value's text, for `regex`, string equality and reasons (MTA statuses: a code shows its name). */
  text?(value: unknown): string | undefined;
  /** A one-line description for docs and `shapes`. */
  description?: string;
}

/** What authentication sees: the headers (lowercase names) and the body bytes. */
export interface SourceRequest {
  headers: Readonly<Record<string, string | undefined>>;
  /** The body, decompressed when it came with a Content-Encoding. */
  raw: Buffer;
  /** The bytes as received, when they differ from `raw`; a provider may have signed either. */
  received?: Buffer;
}

/**
 * The verdict on a request. `missing` means it carried no signature at all (then `allowUnsigned: true` lets it
 * through); otherwise a refusal is a 401. A built-in's `error` is the answer's text (it must never include a
 * secret or a signature); a user plugin's is logged only, its secrets and digests taken out
 * (ingress/authenticate.ts), and the stranger gets a fixed sentence.
 * `idempotencyKey`, when the provider sends one (Standard Webhooks' `webhook-id`), replaces the body hash
 * for dedupe, so a replayed delivery is answered as a duplicate even when its bytes differ. `secretIndex` says
 * which of `secrets` matched (0: the newest), so a rotation can show when the old one is no longer used (one
 * naming no secret of the source is ignored).
 */
export type Authentication =
  | { ok: true; idempotencyKey?: string; secretIndex?: number }
  | { ok: false; missing: boolean; error: string };

/** What decoding needs besides the body. */
export interface DecodeContext<Options = unknown> {
  /** The source's name in config. */
  source: string;
  options: Options;
  /** The event segment of `/webhooks/<source>/<event>`, when the URL has one. */
  urlEvent?: string;
  /** `application/x-www-form-urlencoded` when the body was a form (see `contentTypes`); absent for JSON. */
  contentType?: 'application/x-www-form-urlencoded';
  /** Request headers (lowercase names); empty when decoding again from the store. */
  headers: Readonly<Record<string, string | undefined>>;
}

/** One thing wrong with a body: where (`tags.campaign`, `mediaUrls[0]`, `type`, '' for all of it) and what. */
export interface BodyProblem {
  path: string;
  message: string;
}

/**
 * Why a body could not become an event: 404 when the URL names an event that does not exist, 400 for everything
 * about the body. `details` names every bad field; it is what the HTTP answer and `route` print.
 */
export interface DecodeFailure {
  status: 400 | 404;
  error: string;
  details: BodyProblem[];
}

/**
 * What a source makes of a body; the core adds the envelope (`id`, `source`, `receivedAt`). `fields` are placed
 * beside the envelope under the names the source declares, so they must not reuse an envelope key.
 */
export interface DecodedEvent {
  type: string;
  /** ISO 8601 UTC, when the body says when it happened. */
  occurredAt?: string;
  fields?: Record<string, unknown>;
  tags?: Record<string, string>;
  /** Defaults to the body itself. */
  payload?: unknown;
  decodeNotes?: DecodeNote[];
}
