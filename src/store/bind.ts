/** An operation written as a function of its connection and its one named-argument object. */
// biome-ignore lint/suspicious/noExplicitAny: the argument types are each operation's own, kept by Bound.
type Operation<D> = (db: D, ...args: any[]) => unknown;

/** The operations with their connection bound: what callers see as store methods. */
export type Bound<O> = {
  [K in keyof O]: O[K] extends (db: never, ...args: infer A) => infer R ? (...args: A) => R : never;
};

/**
 * Binds every operation in `ops` to one connection: `{ complete: (db, args) => … }` becomes
 * `{ complete: (args) => … }`. One generic step instead of a class that forwards each method by hand.
 */
export function bindOperations<D, O extends Record<string, Operation<D>>>(db: D, ops: O): Bound<O> {
  const bound: Record<string, unknown> = {};
  for (const [name, op] of Object.entries(ops)) bound[name] = (...args: unknown[]) => op(db, ...args);
  return bound as Bound<O>;
}
