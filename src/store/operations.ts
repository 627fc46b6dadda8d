/**
 * Every store operation written once for both dialects, by job. Each is `(sql, { …named arguments })`; a
 * backend binds them to its connection (bindOperations) beside its own dialect's operations. An operation
 * exported from one of these files is part of every backend.
 */
export * from './events.ts';
export * from './holds.ts';
export * from './maintenance.ts';
export * from './queue.ts';
export * from './rejected.ts';
