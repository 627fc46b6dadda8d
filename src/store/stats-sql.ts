/**
 * The queue-statistics queries, in SQL both backends speak as is (no placeholders): counts of deliveries not
 * yet finished, and the oldest one's creation time, per destination. Both read the (state, destination,
 * created_at) index over the few non-final rows.
 */

/** Pending and sending deliveries per destination and state. */
export const QUEUE_DEPTH_SQL = `
  SELECT destination, state, COUNT(*) AS count FROM deliveries
  WHERE state IN ('pending', 'sending') GROUP BY destination, state ORDER BY destination, state`;

/** The oldest unfinished delivery's creation time per destination. */
export const OLDEST_PENDING_SQL = `
  SELECT destination, MIN(created_at) AS created_at FROM deliveries
  WHERE state IN ('pending', 'sending') GROUP BY destination ORDER BY destination`;
