/** How a failed Slack Web API call reads as a delivery outcome. */
import { ErrorCode } from '@slack/web-api';
import {
  classifyHttpResponse,
  type Deadline,
  failureForRequestError,
  PermanentError,
  parseRetryAfter,
  RetryAfterError,
  snippet,
  TransientError,
} from 'switchboard/plugin-sdk';

/**
 * `ok: false` errors that retrying cannot fix: bad or revoked credentials, a channel the bot cannot post to,
 * a message Slack will never accept. Any other error is transient (the safe default: it ends dead, replayable).
 */
const PERMANENT: Record<string, string> = {
  invalid_auth: 'check the token',
  not_authed: 'check the token',
  account_inactive: 'the token belongs to a deactivated user or workspace',
  token_revoked: 'the token was revoked; install the app again',
  token_expired: 'the token expired',
  no_permission: 'the token lacks permission',
  missing_scope: 'the app needs the chat:write scope',
  not_allowed_token_type: 'use a bot token (xoxb-…)',
  channel_not_found: 'check the channel (the bot must be able to see it)',
  not_in_channel: 'invite the bot to the channel',
  is_archived: 'the channel is archived',
  restricted_action: 'the workspace does not let the bot post there',
  msg_too_long: 'shorten the text template',
  msg_blocks_too_long: 'the blocks hold too much text; shorten the blocks template',
  no_text: 'the text template rendered nothing',
  invalid_blocks: 'Slack rejected the message layout; check the blocks template',
  invalid_blocks_format: 'the blocks template must render a JSON array of blocks',
  too_many_attachments: 'Slack rejected the message layout',
  invalid_attachments: 'Slack rejected the message layout',
  invalid_arguments: 'Slack rejected the request arguments',
  channel_is_archived: 'the channel is archived',
};

/** `ok: false` errors that mean "slow down": the destination pauses, no attempt is spent. */
const THROTTLED = new Set(['ratelimited', 'rate_limited', 'message_limit_exceeded']);

/**
 * Reads an error thrown by WebClient (configured with no retries and rejectRateLimitedCalls) as a send failure.
 * `secrets` (the token) are scrubbed from anything quoted from Slack's answer. `retryAfter` is the answer's
 * Retry-After header as sent, when there was an answer: WebClient reads only whole seconds from it.
 */
export function failureForSlackError(
  err: unknown,
  target: string,
  limit: Deadline,
  secrets: readonly string[],
  retryAfter: string | null = null,
): Error {
  const e = err as {
    code?: unknown;
    data?: { error?: unknown };
    retryAfter?: unknown;
    statusCode?: unknown;
    headers?: Record<string, string>;
    body?: unknown;
    original?: unknown;
    message?: unknown;
  };
  // Seconds, fractions or an HTTP date, as every plugin reads it (WebClient's parseInt read a date as none).
  const rateLimitedFor = parseRetryAfter(retryAfter);
  const isRateLimited =
    e?.code === ErrorCode.RateLimitedError ||
    (typeof e?.message === 'string' && e.message.startsWith('Retry header did not contain'));
  if (isRateLimited && rateLimitedFor !== undefined) {
    return new RetryAfterError(
      `Slack rate-limited the call (retry after ${Math.ceil(rateLimitedFor / 1000)} s)`,
      rateLimitedFor,
      { statusCode: 429 },
    );
  }
  switch (e?.code) {
    case ErrorCode.RateLimitedError: {
      const seconds = Number(e.retryAfter);
      // An unreadable Retry-After (WebClient passes -1 or NaN through) is ignored: the default pause applies.
      if (!Number.isFinite(seconds) || seconds < 0) {
        return new TransientError('Slack rate-limited the call without a usable Retry-After', {
          statusCode: 429,
          reason: 'rate_limited',
        });
      }
      return new RetryAfterError(`Slack rate-limited the call (retry after ${seconds} s)`, seconds * 1000, {
        statusCode: 429,
      });
    }
    case ErrorCode.PlatformError: {
      const code = String(e.data?.error ?? 'unknown_error');
      // Slack's error codes are snake_case words; anything else came from whatever answered in Slack's place (a
      // proxy, a captive portal, a wrong apiUrl), and Slack refused nothing.
      if (!/^[a-z0-9_]+$/.test(code))
        return new TransientError(
          `${target} did not answer as the Slack API does (a proxy, a captive portal, or a wrong apiUrl?): ${snippet(code, secrets)}`,
          { reason: 'server_error' },
        );
      const hint = PERMANENT[code];
      if (hint !== undefined) {
        const reason = /auth|token|account|scope|permission/.test(code) ? 'auth' : 'client_error';
        return new PermanentError(`Slack refused the message: ${code} (${hint})`, { reason });
      }
      if (THROTTLED.has(code)) {
        return new TransientError(`Slack refused the message: ${code}`, { reason: 'rate_limited' });
      }
      return new TransientError(`Slack refused the message: ${code}`, { reason: 'server_error' });
    }
    case ErrorCode.HTTPError: {
      const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? '');
      const answer = {
        status: Number(e.statusCode),
        snippet: snippet(body, secrets),
        retryAfter: e.headers?.['retry-after'] ?? null,
      };
      return (
        classifyHttpResponse(target, answer) ?? new TransientError(`${target} answered ${answer.status}`)
      );
    }
    case ErrorCode.RequestError:
      return failureForRequestError(e.original, target, limit);
  }
  // WebClient rejects a 429 without a usable Retry-After with a plain Error; so do unexpected failures.
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (message.startsWith('Retry header did not contain')) {
    return new TransientError('Slack rate-limited the call without a Retry-After', {
      statusCode: 429,
      reason: 'rate_limited',
    });
  }
  if (limit.signal.aborted) return failureForRequestError(err, target, limit);
  return new TransientError(`Slack call failed: ${snippet(message, secrets)}`, { reason: 'other' });
}
