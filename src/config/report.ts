/**
 * The config's one reporter. `reportErrors`: every io-ts decode error becomes a ConfigIssue with a key path and a
 * sentence in plain words (`expected an integer between 1 and 65535, got "80a"`), never io-ts's type dump (the
 * core schema's and every plugin's codec). `locateIssues` and `formatIssue`: issues as users read them,
 * `config.yaml:12:5 routes[2].match.status: …`, for the CLI and the logs.
 */
import { isAbsolute, relative } from 'node:path';
import type * as t from 'io-ts';
import type { ValueError } from './codecs.ts';
import { type ConfigIssue, describeValue, didYouMean, formatPath, type KeyPath } from './issues.ts';
import { locate, type ParsedConfig } from './parse.ts';
import type { Secrets } from './secrets.ts';

/** One problem, located in the file. `line` and `column` are 1-based; 0 when the file could not be read. */
export interface LocatedIssue {
  file: string;
  line: number;
  column: number;
  /** The key path as users write it, e.g. `routes[2].match.status`; '' for the whole file. */
  path: string;
  message: string;
}

/** Locates issues in the document, hides secrets once more, and sorts them top to bottom like the file. */
export function locateIssues(
  file: string,
  parsed: Pick<ParsedConfig, 'doc' | 'lines'>,
  issues: readonly ConfigIssue[],
  secrets?: Secrets,
): LocatedIssue[] {
  return issues
    .map((issue, order) => ({
      order,
      issue: {
        file,
        ...(issue.at ?? locate(parsed, issue.path)),
        // A key is written literally, so it is no secret by itself; but a secret pasted as a key (or a key
        // equal to one) would show in the path beside a message that hides it, so the path is redacted too.
        path: secrets ? secrets.redact(formatPath(issue.path)) : formatPath(issue.path),
        message: secrets ? secrets.redact(issue.message) : issue.message,
      },
    }))
    .sort((a, b) => a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.order - b.order)
    .map((x) => x.issue);
}

/** `config.yaml:12:5 routes[2].match.status: "DELIVERD" is not …`, the file relative to the working directory. */
export function formatIssue(issue: LocatedIssue, cwd: string = process.cwd()): string {
  const rel = relative(cwd, issue.file);
  const file = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : issue.file;
  const where = issue.line > 0 ? `${file}:${issue.line}:${issue.column}` : `${file}:`;
  return issue.path === '' ? `${where} ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

type Tagged = t.Decoder<unknown, unknown> & { _tag?: string; name: string };

/** Turns io-ts errors into issues, one per distinct problem; values that are secrets are not shown. */
export function reportErrors(errors: t.Errors, secrets?: Secrets): ConfigIssue[] {
  const issues = render(errors, 0, secrets);
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${JSON.stringify(i.path)}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Errors below a union come from every branch. When no branch got past the value's outer shape, say
 * what the union accepts; otherwise explain the branch that came closest (fewest errors).
 */
function render(errors: readonly t.ValidationError[], from: number, secrets?: Secrets): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const unions = new Map<string, { at: number; errors: t.ValidationError[] }>();
  for (const e of errors) {
    const at = e.context.findIndex(
      (entry, i) => i >= from && tagOf(unwrap(entry.type as Tagged)) === 'UnionType',
    );
    if (at < 0 || at === e.context.length - 1) {
      out.push(toIssue(e, secrets));
      continue;
    }
    const key = JSON.stringify(pathOf(e.context.slice(0, at + 1)));
    const group = unions.get(key) ?? { at, errors: [] };
    group.errors.push(e);
    unions.set(key, group);
  }
  for (const { at, errors: group } of unions.values()) {
    const byBranch = new Map<string, t.ValidationError[]>();
    for (const e of group) {
      const branch = e.context[at + 1].key;
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
    }
    const deep = [...byBranch.values()].filter((es) =>
      es.some((e) => e.context.length > at + 2 || e.message),
    );
    if (deep.length === 0) {
      const union = group[0].context[at];
      out.push({
        path: pathOf(group[0].context.slice(0, at + 1)),
        message: expected(union.type as Tagged, union.actual, secrets),
      });
    } else {
      // Closest: the fewest missing keys (the user wrote that branch's keys), then the fewest errors.
      const missing = (es: t.ValidationError[]) => es.filter((e) => e.value === undefined).length;
      deep.sort((a, b) => missing(a) - missing(b) || a.length - b.length);
      out.push(...render(deep[0], at + 2, secrets));
    }
  }
  return out;
}

function toIssue(e: t.ValidationError, secrets?: Secrets): ConfigIssue {
  const path = pathOf(e.context);
  if (isValueError(e))
    return { path, message: `expected ${e.want}, got ${describeValue(e.value, { secrets })}${e.detail}` };
  if (e.message !== undefined) return { path, message: e.message };
  const last = e.context[e.context.length - 1];
  return { path, message: expected(last.type as Tagged, e.value, secrets) };
}

/** A codec's failure that shows the value, which is described here, where secrets are known. */
function isValueError(e: t.ValidationError): e is ValueError {
  return typeof (e as Partial<ValueError>).want === 'string';
}

/** `expected X, got Y`, or `missing (expected X)` for an absent key. */
function expected(type: Tagged, value: unknown, secrets?: Secrets): string {
  const want = plainType(type);
  if (value === undefined) return `missing (expected ${want})`;
  const hint = typeof value === 'string' ? didYouMean(value, literalsOf(type)) : '';
  return `expected ${want}, got ${describeValue(value, { secrets })}${hint}`;
}

/**
 * The key path of a context: array indexes as numbers; union/intersection branch entries skipped. Exact,
 * refinement and readonly codecs validate within their parent's context entry, so a branch entry's parent
 * is found by looking through them.
 */
function pathOf(context: t.Context): KeyPath {
  const path: Array<string | number> = [];
  for (let i = 1; i < context.length; i++) {
    const parent = tagOf(unwrap(context[i - 1].type as Tagged));
    if (parent === 'UnionType' || parent === 'IntersectionType') continue;
    const key = context[i].key;
    const isIndex = parent === 'ArrayType' || parent === 'ReadonlyArrayType' || parent === 'TupleType';
    path.push(isIndex && /^\d+$/.test(key) ? Number(key) : key);
  }
  return path;
}

/** The codec that really validates: through exact, refinement and readonly wrappers. */
function unwrap(type: Tagged): Tagged {
  let current = type as Tagged & { type?: Tagged };
  while (
    (current._tag === 'ExactType' || current._tag === 'RefinementType' || current._tag === 'ReadonlyType') &&
    current.type !== undefined
  ) {
    current = current.type;
  }
  return current;
}

function tagOf(type: t.Decoder<unknown, unknown>): string | undefined {
  return (type as Tagged)._tag;
}

const PLAIN_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  Int: 'an integer',
  null: 'null',
  undefined: 'nothing',
  UnknownRecord: 'a map of keys',
  UnknownArray: 'a list',
};

/** An io-ts type described the way a user thinks of it. Our own codecs are already named in plain words. */
export function plainType(type: Tagged): string {
  const named = PLAIN_NAMES[type.name];
  if (named !== undefined) return named;
  const inner = type as Tagged & {
    types?: Tagged[];
    type?: Tagged;
    value?: unknown;
    keys?: Record<string, unknown>;
  };
  switch (type._tag) {
    case 'LiteralType':
      return JSON.stringify(inner.value);
    case 'KeyofType':
      return `one of ${Object.keys(inner.keys ?? {})
        .map((k) => JSON.stringify(k))
        .join(', ')}`;
    case 'UnionType': {
      const parts = [...new Set((inner.types ?? []).map(plainType))];
      return parts.length <= 2 ? parts.join(' or ') : `one of ${parts.join(', ')}`;
    }
    case 'ArrayType':
    case 'ReadonlyArrayType': {
      if (!/^(Readonly)?Array<.*>$/.test(type.name)) return type.name;
      const item = inner.type === undefined ? undefined : plainType(inner.type);
      return item !== undefined && /^an? /.test(item) ? `a list of ${item.replace(/^an? /, '')}s` : 'a list';
    }
    case 'InterfaceType':
    case 'PartialType':
    case 'ExactType':
    case 'StrictType':
    case 'DictionaryType':
    case 'IntersectionType':
      return 'a map of keys';
    case 'RefinementType':
    case 'ReadonlyType':
      return inner.type !== undefined && /[<>{}|(]/.test(type.name) ? plainType(inner.type) : type.name;
    default:
      return type.name;
  }
}

/** The string literals a type accepts, for "did you mean" on a near miss. */
function literalsOf(type: Tagged): string[] {
  const inner = type as Tagged & {
    types?: Tagged[];
    value?: unknown;
    keys?: Record<string, unknown>;
    literals?: readonly unknown[];
  };
  if (type._tag === 'OneOfType') return (inner.literals ?? []).filter((l) => typeof l === 'string');
  if (type._tag === 'LiteralType' && typeof inner.value === 'string') return [inner.value];
  if (type._tag === 'KeyofType') return Object.keys(inner.keys ?? {});
  if (type._tag === 'UnionType') return (inner.types ?? []).flatMap(literalsOf);
  return [];
}
