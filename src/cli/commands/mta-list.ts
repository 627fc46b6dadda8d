import type { MtaWebhook } from '../../sources/mta/api-client.ts';
import { UsageError } from '../io.ts';
import { withoutUserinfo } from '../url-text.ts';
import { apiClient, type MtaSubcommand, registrationsFor, table } from './mta-common.ts';

function trimUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    throw new UsageError(`--url "${withoutUserinfo(raw)}" is not a URL`);
  }
}

function print(rows: MtaWebhook[], io: Parameters<MtaSubcommand['run']>[2]): void {
  table(
    io,
    ['ID', 'EVENT', 'URL', 'ALERT EMAIL'],
    rows.map((w) => [w.id, w.event, w.url, w.sendAlertEmail ? (w.alertEmail ?? '(account email)') : '']),
  );
}

/** `switchboard mta list`: the registrations on the account (MTA never shows their secrets). */
export const listCommand: MtaSubcommand = {
  help: `switchboard mta list [--url URL] [--json]
  Lists the webhooks registered on the MTA account (their secrets cannot be read back).
    --url URL   only those delivering to URL or below it (e.g. https://HOST/webhooks/mta)
    --json      print them as JSON
  example:
    MTA_API_KEY=... switchboard mta list --url https://gw.example.com/webhooks/mta`,

  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const all = await apiClient(values, io).list();
    const url = values.url as string | undefined;
    const rows = url === undefined ? all : registrationsFor(all, trimUrl(url));
    if (values.json) {
      io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (rows.length === 0) {
      io.out(url === undefined ? 'no webhooks are registered' : `no webhooks are registered at ${url}`);
      return 0;
    }
    print(rows, io);
    return 0;
  },
};

/** `switchboard mta unregister ID...|--url URL`: deletes registrations. */
export const unregisterCommand: MtaSubcommand = {
  help: `switchboard mta unregister ID... | --url URL [--dry-run] [--json]
  Deletes webhook registrations: the given ids, or every one delivering to URL or below it.
    --url URL    e.g. https://HOST/webhooks/mta removes all of that source's registrations
    --dry-run    print what would be deleted; change nothing
    --json       print the deleted registrations as JSON
  examples:
    MTA_API_KEY=... switchboard mta unregister 1042 1043
    MTA_API_KEY=... switchboard mta unregister --url https://gw.example.com/webhooks/mta`,

  async run(values, positionals, io) {
    const url = values.url as string | undefined;
    if ((url === undefined) === (positionals.length === 0))
      throw new UsageError('give the ids to delete, or --url URL (not both)');
    const client = apiClient(values, io);
    const all = await client.list();
    let targets: MtaWebhook[];
    if (url !== undefined) {
      targets = registrationsFor(all, trimUrl(url));
      if (targets.length === 0) {
        io.out(`no webhooks are registered at ${url}; nothing to delete`);
        return 0;
      }
    } else {
      const unknown = positionals.filter((id) => !all.some((w) => w.id === id));
      if (unknown.length > 0) {
        throw new Error(
          `no webhook with id ${unknown.join(', ')} on this MTA account (see switchboard mta list); nothing was deleted`,
        );
      }
      targets = positionals.map((id) => all.find((w) => w.id === id) as MtaWebhook);
    }
    if (values['dry-run']) {
      io.out(`dry run: would delete ${targets.length} webhook(s) (nothing was changed at MTA):`);
      print(targets, io);
      return 0;
    }
    for (const w of targets) await client.remove(w.id);
    if (values.json) {
      io.out(JSON.stringify({ deleted: targets }, null, 2));
      return 0;
    }
    print(targets, io);
    io.out(`${targets.length} deleted.`);
    return 0;
  },
};
