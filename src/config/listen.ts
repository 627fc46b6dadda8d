import { type Codec, refine } from './codecs.ts';

/** An address to listen on. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Where the admin listener binds unless `admin.listen` says otherwise: this machine only. */
export const DEFAULT_ADMIN_LISTEN: ListenAddress = { host: '127.0.0.1', port: 9091 };

/** Parses `HOST:PORT` (`127.0.0.1:9091`, `[::1]:9091`, `0.0.0.0:9091`); port 0 picks a free one. */
export function parseListen(text: string): ListenAddress | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

/** `admin.listen`: a HOST:PORT string. */
export const listenAddress: Codec<ListenAddress> = refine(
  'HOST:PORT, e.g. 127.0.0.1:9091 (an address of this machine and a port 0-65535)',
  (u) => (typeof u === 'string' ? parseListen(u) : undefined),
);
