/**
 * Route regexes run on text that strangers send (an SMS reply), on the event loop, while the webhook waits for its
 * answer. A pattern with nested quantifiers (`^(a+)+$`) backtracks exponentially on crafted text: 40 characters
 * held the whole gateway for longer than anyone waits, every webhook and delivery with it.
 *
 * V8's own remedy is switched on here, for every process that compiles route regexes (this module is imported
 * by conditions.ts, which compiles them): past a backtrack limit (V8's default, 50,000 backtracks) a match is
 * finished by V8's linear-time engine, with the same answer, instead of going on backtracking. The flags must be
 * set before a pattern is compiled; V8 reads them then. That engine cannot run every pattern: lookarounds
 * (`^(?!STOP$)`), backreferences, Unicode mode (`\p{…}`) and case-insensitivity (`(?i)`) keep backtracking. For
 * those, `backtrackingHazard` tells the ones with nested quantifiers apart, by safe-regex2's star-height test, for
 * a config warning.
 */
import { setFlagsFromString } from 'node:v8';
import safeRegex from 'safe-regex2';

setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

/** What in `re` V8's linear-time engine cannot run: its Unicode mode, case-insensitivity, or else its lookarounds. */
function notLinear(re: RegExp): string {
  if (re.flags.includes('u')) return 'Unicode mode (\\p{…}, \\u{…})';
  if (re.flags.includes('i') && linearTimeCapable(new RegExp(re.source, re.flags.replace('i', ''))))
    return 'case-insensitivity ((?i))';
  return 'a lookaround or a backreference';
}

/** Whether V8's linear-time engine can run the pattern (then an excessive backtrack falls back to it). */
function linearTimeCapable(re: RegExp): boolean {
  try {
    new RegExp(re.source, `${re.flags}l`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why `re` could hold the event loop on crafted text, or undefined: it nests quantifiers (safe-regex2) and uses
 * what V8's linear-time fallback cannot run. A heuristic: it may flag a pattern that is in fact fast on every
 * text, and it does not see every slow one (`(a|aa)+` with a lookahead), so it is said as a warning.
 */
export function backtrackingHazard(re: RegExp): string | undefined {
  if (linearTimeCapable(re) || safeRegex(re)) return undefined;
  return `regex ${re} nests quantifiers, so some texts make it backtrack for minutes, holding the gateway; with ${notLinear(re)} it cannot be finished in linear time instead: rewrite it without a quantified group inside another quantifier (e.g. \`(\\w+)+\` as \`\\w+\`)`;
}
