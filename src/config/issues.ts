/**
 * The one validation idiom of every config stage (parse, interpolate, decode, link, build) and of routing:
 * a stage is `input → Validation<Output>`, an fp-ts Either whose left is every issue the stage found (never
 * just the first). Parts of a stage are gathered with `everyIssue` (applicative: all parts run, all issues
 * kept); a step that needs the previous one's value uses `E.chain`.
 */
import { getSemigroup } from 'fp-ts/lib/Array.js';
import * as E from 'fp-ts/lib/Either.js';

/** A key path into the config document, e.g. ['routes', 2, 'match', 'status']. */
export type KeyPath = ReadonlyArray<string | number>;

/** A position in the config file, both 1-based. */
export interface Position {
  line: number;
  column: number;
}

/**
 * One problem found while loading config. Stages report issues with a key path; the loader turns the path
 * into `file:line:column` using the YAML document's source positions.
 */
export interface ConfigIssue {
  path: KeyPath;
  message: string;
  /** Where it is, when the stage knows without a key path (a YAML syntax error); else located by `path`. */
  at?: Position;
}

/** Every issue of a stage, or its output. */
export type Validation<A> = E.Either<ConfigIssue[], A>;

/** The applicative that runs every part and keeps every part's issues (for `sequenceS`, `sequenceT`). */
export const everyIssue = E.getApplicativeValidation(getSemigroup<ConfigIssue>());

/** One issue at `path` (relative to the node being validated). */
export function fail<T = never>(path: KeyPath, message: string): Validation<T> {
  return E.left([{ path, message }]);
}

/** The output, or these issues when there are any (for checks that find problems but change nothing). */
export function unless<A>(issues: ConfigIssue[], value: A): Validation<A> {
  return issues.length > 0 ? E.left(issues) : E.right(value);
}

/** Every right in order, or every issue from every left (never just the first). */
export function collect<T>(results: ReadonlyArray<Validation<T>>): Validation<T[]> {
  const issues: ConfigIssue[] = [];
  const values: T[] = [];
  for (const r of results) {
    if (E.isLeft(r)) issues.push(...r.left);
    else values.push(r.right);
  }
  return unless(issues, values);
}

/** The values of the parts that validated (what a later part may still use when others failed). */
export function rights<T>(results: ReadonlyArray<Validation<T>>): T[] {
  return results.flatMap((r) => (E.isRight(r) ? [r.right] : []));
}

/** The issues of a validation ([] when it succeeded). */
export function issuesOf(result: Validation<unknown>): ConfigIssue[] {
  return E.isLeft(result) ? result.left : [];
}

/** Re-roots a sub-tree's validation under `prefix`. */
export function at<A>(prefix: KeyPath, result: Validation<A>): Validation<A> {
  return E.isLeft(result) ? E.left(under(prefix, result.left)) : result;
}

/** Renders a key path the way users write it: `routes[2].match.status`. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** Prefixes every issue's path, for a stage that validated a sub-tree. */
export function under(prefix: KeyPath, issues: ConfigIssue[]): ConfigIssue[] {
  return issues.map((i) => ({ ...i, path: [...prefix, ...i.path] }));
}

/** Levenshtein distance, for "did you mean …?" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The nearest candidate to `word` if it is close enough to be a likely typo. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** ` (did you mean X?)` or '' — appended to messages about unknown names. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const n = nearest(word, candidates);
  return n === undefined ? '' : ` (did you mean ${n}?)`;
}

/** What `describeValue` needs to hide secrets: true when a value is a secret or contains one. */
export interface SecretCheck {
  covers(value: unknown): boolean;
}

/**
 * How a config value is named in a message, never showing a secret: strings quoted (long ones cut), a list, a
 * map, or the scalar as YAML shows it. `got` is the decoders' wording (`expected …, got null (an empty value)`);
 * `not` the routing engine's (`…, not a mapping`, `not null`), both as users and the tests know them.
 */
export function describeValue(
  value: unknown,
  opts: { secrets?: SecretCheck; wording?: 'got' | 'not' } = {},
): string {
  const got = opts.wording !== 'not';
  if (opts.secrets?.covers(value)) return 'a secret value (hidden)';
  if (value === undefined && got) return 'nothing';
  if (value === null) return got ? 'null (an empty value)' : 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return got ? 'a map of keys' : 'a mapping';
  if (typeof value === 'string') {
    const shown = got && value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}
