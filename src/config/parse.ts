/**
 * Stage 1: YAML text → a document that remembers where every node came from, so later stages can report a
 * key path and the loader can turn it into `line:column`.
 */

import * as E from 'fp-ts/lib/Either.js';
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import { isRecord } from './codecs.ts';
import { type ConfigIssue, fail, type KeyPath, type Position, type Validation } from './issues.ts';

export type { Position } from './issues.ts';

/** The parsed file: its document and the line index used to locate nodes. */
export interface ParsedConfig {
  doc: Document;
  lines: LineCounter;
  /** Every YAML syntax error, located. When non-empty, later stages do not run. */
  syntaxErrors: Array<Position & { message: string }>;
}

/** Parses YAML text, keeping source positions; collects every syntax error rather than the first. */
export function parseYaml(text: string): ParsedConfig {
  const lines = new LineCounter();
  // merge: YAML 1.1's `<<: *defaults` merge keys, which many configs use to share settings between entries.
  // uniqueKeys: false, as yaml's own check compares each key with every earlier one of its map (40,000 keys took
  // 18 s, a reload holding the gateway's event loop that long); duplicateKeys does the same check in one pass.
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false,
    merge: true,
  });
  const syntaxErrors = [
    ...doc.errors.map((e) => ({ at: e.pos[0], message: plainYamlMessage(e.message, e.code) })),
    ...duplicateKeys(doc),
  ]
    .sort((a, b) => a.at - b.at)
    .map(({ at, message }) => {
      const { line, col } = lines.linePos(at);
      return { line, column: col, message };
    });
  const unquoted = syntaxErrors.length > 0 ? unquotedReferences(text) : [];
  if (unquoted.length === 0) return { doc, lines, syntaxErrors };
  // What follows the first unquoted reference is the cascade it causes: said as a count, not 40 lines.
  const before = syntaxErrors.filter((e) => e.line < unquoted[0].line);
  const after = syntaxErrors.length - before.length;
  const cascade = { ...unquoted[0], message: `(${after} YAML syntax error(s) from here on follow from it)` };
  return { doc, lines, syntaxErrors: [...before, ...unquoted, cascade] };
}

/**
 * Every key that repeats an earlier key of its map, at the repeat, as yaml's `uniqueKeys` reports it (scalar keys
 * equal in value: `1` and `"1"` differ), but with one set per map instead of a scan of the map per key.
 */
function duplicateKeys(doc: Document): Array<{ at: number; message: string }> {
  const found: Array<{ at: number; message: string }> = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const { value } = pair.key;
        if (seen.has(value))
          found.push({ at: pair.key.range?.[0] ?? 0, message: 'YAML syntax error: Map keys must be unique' });
        seen.add(value);
      }
    },
  });
  return found;
}

/** `${` outside quotes after a `{` or `[` on its line: inside a flow collection, YAML reads `{`/`}` as structure. */
const UNQUOTED_IN_FLOW = /^[^"'#]*[{[][^"'#]*?(\$\{[^}]*\})/;

/**
 * The likely cause of a cascade of syntax errors, said first: a `${VAR}` written unquoted inside `{ }` or `[ ]`
 * (`store: { url: ${DATABASE_URL} }`), which YAML cannot read.
 */
function unquotedReferences(text: string): Array<Position & { message: string }> {
  return text.split('\n').flatMap((source, i) => {
    const found = UNQUOTED_IN_FLOW.exec(source);
    if (!found) return [];
    const reference = found[1];
    return [
      {
        line: i + 1,
        column: source.indexOf(reference) + 1,
        message: `YAML syntax error: ${reference} inside { } or [ ] must be quoted, "${reference}" (YAML reads its braces as structure)`,
      },
    ];
  });
}

/**
 * Stage 1 as a validation: the document's tree, a map of sections; or its syntax errors (located as yaml
 * found them), or why it is no such map.
 */
export function readTree(parsed: ParsedConfig): Validation<Record<string, unknown>> {
  if (parsed.syntaxErrors.length > 0) {
    return E.left(parsed.syntaxErrors.map(({ message, ...at }) => ({ path: [], message, at })));
  }
  const structure = structureIssues(parsed);
  if (structure.length > 0) return E.left(structure);
  let js: unknown;
  try {
    js = parsed.doc.toJS();
  } catch (err) {
    const message = (err as Error).message;
    return E.left([
      {
        path: [],
        message: /Excessive alias count/.test(message)
          ? 'its aliases (*name) expand to far more than any config needs (a YAML "billion laughs"?): write the values out or use fewer aliases'
          : message,
        at: { line: 1, column: 1 },
      },
    ]);
  }
  if (js === null || js === undefined) return fail([], 'the config file is empty');
  if (!isRecord(js)) return fail([], 'expected a map of sections (server, sources, destinations, routes…)');
  return E.right(js);
}

/**
 * What yaml would fail on, or warn about on stderr, only when turning the document into values, at 1:1 and in
 * its own words ("Merge sources must be maps or map aliases"): an alias of no anchor, a merge key (<<) of
 * something else than a map, a key that is a list or a map. Found here with the key path and position instead.
 */
function structureIssues(parsed: ParsedConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (node: unknown, path: KeyPath, message: string) => {
    const offset = rangeStart(node);
    const { line, col } = parsed.lines.linePos(offset ?? 0);
    issues.push({ path, message, at: { line, column: col } });
  };
  const targets = aliasTargets(parsed.doc);
  const resolved = (node: unknown) => (isAlias(node) ? targets.get(node) : node);
  const walk = (node: unknown, path: KeyPath): void => {
    if (isAlias(node)) {
      if (targets.get(node) === undefined)
        add(
          node,
          path,
          `*${node.source} refers to no anchor: set &${node.source} on a value above this alias`,
        );
    } else if (isMap(node)) {
      for (const pair of node.items) {
        // A key may be an alias of a name (`*name: value`), which yaml reads as that name.
        if (isAlias(pair.key) && targets.get(pair.key) === undefined) {
          walk(pair.key, path);
          continue;
        }
        const name = resolved(pair.key);
        if (!isScalar(name)) {
          add(pair.key, path, 'a key must be a name, not a list or a map');
          continue;
        }
        // With `merge: true`, yaml reads a plain `<<` key as a symbol; a quoted "<<" is a key like any other.
        const merge = typeof name.value === 'symbol';
        const key = merge ? '<<' : String(name.value);
        if (merge && !isMergeSource(resolved(pair.value), resolved)) {
          // `<<: *missing` is an alias of no anchor, said as such at the alias; what it would merge is unknown.
          const dangling = undefinedAliases(pair.value, [...path, key], targets);
          if (dangling.length > 0) for (const [alias, at] of dangling) walk(alias, at);
          else
            add(
              pair.key,
              [...path, key],
              'a merge key (<<) takes a map, an alias of one (<<: *name) or a list of those',
            );
          continue;
        }
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) walk(item, [...path, i]);
    }
  };
  walk(parsed.doc.contents, []);
  return issues;
}

/**
 * What each alias of `doc` refers to (undefined: no anchor before it), as yaml's Alias.resolve finds it: the last
 * node with its anchor before it in document order. Found in one walk: resolve(doc) walks the whole document for
 * each alias, and a config of 2,000 `<<: *defaults` took 28 s to load (a reload holds the event loop that long).
 */
function aliasTargets(doc: Document): Map<Alias, Node | undefined> {
  const anchored = new Map<string, Node>();
  const targets = new Map<Alias, Node | undefined>();
  visit(doc, {
    Node(_, node) {
      if (isAlias(node)) targets.set(node, anchored.get(node.source));
      else if (node.anchor) anchored.set(node.anchor, node);
    },
  });
  return targets;
}

/** The aliases of no anchor that a merge key's value is (`<<: *a`) or lists (`<<: [*a, *b]`), with their paths. */
function undefinedAliases(
  value: unknown,
  path: KeyPath,
  targets: Map<Alias, Node | undefined>,
): Array<[Alias, KeyPath]> {
  const items: Array<[unknown, KeyPath]> = isSeq(value)
    ? value.items.map((item, i) => [item, [...path, i]])
    : [[value, path]];
  return items.filter((entry): entry is [Alias, KeyPath] => isAlias(entry[0]) && !targets.get(entry[0]));
}

/** A merge key's value: a map, or a list of maps, each possibly through an alias. */
function isMergeSource(value: unknown, resolved: (node: unknown) => unknown): boolean {
  if (isMap(value)) return true;
  return isSeq(value) && value.items.every((item) => isMap(resolved(item)));
}

/** yaml's messages end with "at line X, column Y" (we print the position ourselves) and a source excerpt. */
function plainYamlMessage(message: string, code?: string): string {
  if (code === 'MULTIPLE_DOCS')
    return 'YAML syntax error: a second YAML document starts here (---): a config is one document; remove this line and what follows it';
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return `YAML syntax error: ${first}`;
}

/**
 * The `line:column` of the node at a key path: the key itself for a map entry (where a user looks for it),
 * the item for a list entry. For a path that does not exist, the nearest existing parent.
 */
export function locate(parsed: Pick<ParsedConfig, 'doc' | 'lines'>, path: KeyPath): Position {
  let node: unknown = parsed.doc.contents;
  let offset: number | undefined = rangeStart(node);
  for (const key of path) {
    const step = child(node, key);
    if (step === undefined) break;
    node = step.node;
    offset = step.offset ?? offset;
  }
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = parsed.lines.linePos(offset);
  return { line, column: col };
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

/** One step down the document: the child node and the offset that represents it. */
function child(node: unknown, key: string | number): { node: unknown; offset?: number } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(k) === String(key))
        return { node: pair.value, offset: rangeStart(pair.key) ?? rangeStart(pair.value) };
    }
    return undefined;
  }
  if (isSeq(node) && typeof key === 'number') {
    const item = node.items[key];
    return item === undefined ? undefined : { node: item, offset: rangeStart(item) };
  }
  return undefined;
}
