import type { Config } from '../config/types.ts';

/** The label every source name that is not configured is counted under. */
export const UNKNOWN_SOURCE = 'unknown';

/** Longest piece of request input (a source or event name from the URL) quoted in a log line or error. */
export const MAX_QUOTED_CHARS = 64;

/**
 * The source name as a metric label and log field: a configured source's own name, else `unknown`. The URL is
 * the stranger's to choose, and one label set per random name grew /metrics and memory without bound.
 */
export function sourceLabel(config: Config, name: string): string {
  return config.sources.has(name) ? name : UNKNOWN_SOURCE;
}

/** Request input cut to MAX_QUOTED_CHARS (with an ellipsis when cut), for messages and logs. */
export function quoted(text: string): string {
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}
