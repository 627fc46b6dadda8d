/** Options of the `slack` destination: Web API (token + channel) or an incoming webhook, never both. */
import { HttpUrl, t } from 'switchboard/plugin-sdk';

const SlackFields = t.exact(
  t.partial({
    token: t.string,
    channel: t.string,
    webhookUrl: HttpUrl,
    text: t.string,
    apiUrl: HttpUrl,
    username: t.string,
    iconEmoji: t.string,
    /** A template rendering a JSON array of Block Kit blocks (event values JSON-escaped). */
    blocks: t.string,
  }),
  'SlackOptions',
);

type SlackFields = t.TypeOf<typeof SlackFields>;

/** Why a set of options does not pick exactly one way of posting, or undefined when it does. */
function modeProblem(o: SlackFields): string | undefined {
  const api = o.token !== undefined || o.channel !== undefined;
  if (api && o.webhookUrl !== undefined) {
    return 'give either token and channel (Web API) or webhookUrl (incoming webhook), not both';
  }
  if (!api && o.webhookUrl === undefined) return 'needs either token and channel, or webhookUrl';
  if (api && o.token === undefined) return 'channel needs a token (a bot token, xoxb-…)';
  if (api && o.channel === undefined) return 'token needs a channel to post to';
  if (o.apiUrl !== undefined && o.webhookUrl !== undefined) return 'apiUrl applies only with token';
  return undefined;
}

/**
 * The slack destination's options. The refinement turns "both or neither way of posting" into a config error
 * with a plain message; unknown keys are stripped by t.exact and reported by the config loader.
 */
export const SlackOptions = new t.RefinementType<typeof SlackFields>(
  'SlackOptions',
  (u): u is SlackFields => SlackFields.is(u) && modeProblem(u) === undefined,
  (u, c) => {
    const decoded = SlackFields.validate(u, c);
    if (decoded._tag === 'Left') return decoded;
    const problem = modeProblem(decoded.right);
    return problem === undefined ? decoded : t.failure(u, c, problem);
  },
  SlackFields.encode,
  SlackFields,
  (o) => modeProblem(o) === undefined,
);

/** Decoded options of a slack destination. */
export type SlackOptions = t.TypeOf<typeof SlackOptions>;

/**
 * The `text` of events the core itself makes, whatever their source; each source declares its own types' texts
 * as layouts (MTA: src/sources/mta/layouts.ts). Notifications show it.
 */
export const CORE_TEXT: Record<string, { text: string }> = {
  unrecognized: { text: 'Undecodable webhook from source {{ source }}: {{ problems[0].message }}' },
};

/** The `text` of an event whose source declares no Slack layout for its type. */
export const GENERIC_TEXT = '{{ type }} event from {{ source }}';
