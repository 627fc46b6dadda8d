import type { Store } from '../store/types.ts';
import { BadParam, BadParams } from './params.ts';
import { HttpRefusal } from './request-body.ts';

/** Errors that came out of a store call: only these are answered 503 (the store did not answer). */
const fromStore = new WeakSet<object>();

/** Programming mistakes, even when thrown inside a store call: a bug (500), not an outage. */
const BUGS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

/**
 * The same store, remembering every error its methods reject with, so the admin API's error edge can tell a
 * store failure (503) from a bad request (4xx) or a bug (500) without guessing from messages.
 */
export function markStoreFailures(store: Store): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = value.apply(target, args);
        } catch (err) {
          if (err !== null && typeof err === 'object') fromStore.add(err);
          throw err;
        }
        if (result instanceof Promise)
          return result.catch((err: unknown) => {
            if (err !== null && typeof err === 'object') fromStore.add(err);
            throw err;
          });
        return result;
      };
    },
  });
}

/** A store failure reported rather than thrown (ingress answers 503 outcomes), for the error edge to answer 503. */
export function markedStoreFailure(cause: unknown): Error {
  const err = cause instanceof Error ? cause : new Error(String(cause ?? 'the store did not answer'));
  fromStore.add(err);
  return err;
}

/** How the admin API answers an error, and what the log must say about it. */
export interface Classified {
  status: number;
  body: { error: string; details?: { path: string; message: string }[] };
  /** `store`: log as "store unavailable"; `bug`: log as an unexpected error with its cause; none: the 4xx says it. */
  log?: 'store' | 'bug';
}

/**
 * Classifies anything a request handler threw (contract §4): a bad field → 400 naming it (or each of them); an
 * HTTP error of the body parser keeps its status (413 too large, 415, 400 not JSON); a store failure → 503;
 * anything else → 500.
 */
export function classifyError(err: unknown): Classified {
  if (err instanceof BadParams)
    return {
      status: 400,
      body: { error: err.message, details: err.problems.map((p) => ({ path: p.param, message: p.message })) },
    };
  if (err instanceof BadParam)
    return {
      status: 400,
      body: { error: `${err.param}: ${err.message}`, details: [{ path: err.param, message: err.message }] },
    };
  if (err instanceof HttpRefusal) return { status: err.status, body: { error: err.message } };
  const e = err as { status?: unknown; expose?: unknown; message?: unknown; name?: unknown } | null;
  const status = typeof e?.status === 'number' ? e.status : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    const message = String(e?.message ?? '');
    if (status === 413) return { status, body: { error: 'request body too large: at most 64 KB of JSON' } };
    if (status === 400 && /prototype property/i.test(message))
      return {
        status,
        body: {
          error: 'body: the keys "__proto__" and "constructor.prototype" are not allowed in a request body',
          details: [{ path: '__proto__', message: 'not allowed' }],
        },
      };
    if (status === 400) return { status, body: { error: 'request body is not valid JSON' } };
    return { status, body: { error: e?.expose ? message : `HTTP ${status}` } };
  }
  if (err !== null && typeof err === 'object' && fromStore.has(err) && !BUGS.has(String(e?.name)))
    return { status: 503, body: { error: 'the store did not answer; try again' }, log: 'store' };
  return { status: 500, body: { error: 'internal error: the gateway logged it' }, log: 'bug' };
}
