/** An error as it crosses between the store thread and the main thread (Error objects do not survive whole). */
export interface ErrorFields {
  message: string;
  name: string;
  code?: string;
}

/** The fields of anything thrown, for sending across threads. */
export function errorFields(err: unknown): ErrorFields {
  const e = err as { message?: string; name?: string; code?: string };
  return { message: String(e?.message ?? err), name: e?.name ?? 'Error', code: e?.code };
}

/** A store error carried back from the worker thread. */
export class StoreThreadError extends Error {
  constructor(
    message: string,
    name: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = name;
  }

  static from(fields: ErrorFields): StoreThreadError {
    return new StoreThreadError(fields.message, fields.name, fields.code);
  }
}
