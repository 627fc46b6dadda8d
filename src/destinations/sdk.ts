/**
 * The plugin SDK: everything a destination plugin needs, from one module. Built-in plugins (slack, http,
 * discord, email, file) import it, and so does a user's plugin, from anywhere on disk:
 *
 *   import { t, PermanentError, sendHttp, type DestinationPlugin } from 'switchboard/plugin-sdk';
 *
 * A plugin folder outside this repository has no node_modules of its own; the plugin host resolves
 * `switchboard/plugin-sdk` (and `io-ts`, `fp-ts`) to the gateway's copies (host-resolve.mjs). `t` is io-ts,
 * re-exported so a plugin's config codec and the core's are the same library.
 *
 * What it holds, by concern:
 * - the interface: DestinationPlugin, Destination, AttemptInfo, PluginContext, PluginLogger, GatewayEvent;
 *   for source plugins: SourcePlugin, SourceField, SourceRequest, Authentication, DecodeContext, DecodedEvent
 * - outcomes: PermanentError, RetryAfterError, TransientError (reason `rate_limited` = throttling: the whole
 *   destination pauses and no attempt is spent), classifyFailure, parseRetryAfter
 * - HTTP: sendHttp (one request under a deadline, never following redirects, classified),
 *   classifyHttpResponse (what a status means, the same for every plugin), failureForRequestError,
 *   headerProblem, describeTarget, redact, snippet, urlSecrets, deadline
 * - option codecs: Duration, Timeout (a Duration a timer can hold: at most 24d), Size, HttpUrl (the core's
 *   grammar: `10s`, `256kb`); Port and Flag, which also take their text, as a `${VAR}` gives it
 * - templates: escapeFor, TemplateRenderError, EscapeMode, Template (compile through ctx.template);
 *   truncate (cut to a limit on whole characters, never inside an escape), graphemeCount
 * - files: makeDirectory (`mkdir -p` that cannot spin where Node's recursive mkdir does, e.g. under /proc)
 */
export * as t from 'io-ts';
export type { GatewayEvent } from '../event.ts';
export { makeDirectory } from '../make-directory.ts';
export type {
  Authentication,
  DecodeContext,
  DecodedEvent,
  DecodeFailure,
  SourceField,
  SourcePlugin,
  SourceRequest,
} from '../sources/api.ts';
// MTA's event shape, for layouts that show MTA's fields (slack's Block Kit layout).
export type { AnyEventType, EventStatus, EventType, MtaEvent } from '../sources/mta/event.ts';
export { graphemeCount, truncate } from '../templates/fit.ts';
export type { EscapeMode, Template } from '../templates/template.ts';
export { escapeFor, TemplateRenderError } from '../templates/template.ts';
export type { AttemptInfo, Destination, DestinationPlugin, PluginContext, PluginLogger } from './api.ts';
export { Duration, Flag, HttpUrl, Port, Size, Timeout } from './codecs.ts';
export { type Deadline, deadline } from './deadline.ts';
export {
  classifyFailure,
  type FailureDetails,
  type FailureReason,
  PermanentError,
  parseRetryAfter,
  RetryAfterError,
  type SendFailure,
  TransientError,
} from './errors.ts';
export {
  classifyHttpResponse,
  describeTarget,
  failureForRequestError,
  type HttpAnswer,
  type HttpRequest,
  headerProblem,
  httpAgent,
  redact,
  sendHttp,
  snippet,
  urlSecrets,
} from './http.ts';
export { readCaFile, withPublicCas } from './tls.ts';
