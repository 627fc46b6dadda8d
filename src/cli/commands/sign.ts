import { sign } from '../../ingress/signature.ts';
import { loadCliConfig, readInput, UsageError } from '../io.ts';
import type { Command } from '../main.ts';
import { pickSource } from './route.ts';

/** `switchboard sign FILE|-`: the X-Signature for a body, for curl tests. */
export const signCommand: Command = {
  usage: 'sign [--source S] FILE|-',
  summary: "print the signature header(s) for a body with the source's secret (MTA: the X-Signature value)",
  options: { source: { type: 'string' } },
  async run(values, positionals, io) {
    if (positionals.length !== 1) throw new UsageError('give one FILE, or - for standard input');
    const config = await loadCliConfig(values.config as string | undefined, io);
    const source = pickSource(config, values.source as string | undefined);
    if (!source.secret) {
      throw new Error(
        `source "${source.name}" has no secret: set sources.${source.name}.secret (e.g. via MTA_WEBHOOK_SECRET)`,
      );
    }
    const body = await readInput(positionals[0]);
    // MTA's answer stays the bare X-Signature value (what `curl -H "X-Signature: $(switchboard sign ...)"` wants).
    if (source.kind === 'mta') {
      io.out(sign(source.secret, body));
      return 0;
    }
    if (!source.plugin.sign) throw new Error(`the ${source.kind} source cannot sign bodies for tests`);
    const headers = source.plugin.sign(source.secret, Buffer.from(body), source.options, Date.now());
    for (const [name, value] of Object.entries(headers)) io.out(`${name}: ${value}`);
    return 0;
  },
};
