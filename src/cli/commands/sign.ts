import { resolveConfigPath } from '../../config/load.ts';
import { loadSourcesOnly } from '../../config/store-only.ts';
import { sign } from '../../ingress/signature.ts';
import { pluginTextRedactor } from '../../observability/redact.ts';
import { errorText } from '../../sources/decode.ts';
import { CheckFailed, readInput, UsageError } from '../io.ts';
import type { Command } from '../main.ts';
import { pickSource } from './route.ts';

/** `switchboard sign FILE|-`: the X-Signature for a body, for curl tests. */
export const signCommand: Command = {
  usage: 'sign [--source S] FILE|-',
  summary: "print the signature header(s) for a body with the source's secret (MTA: the X-Signature value)",
  options: { source: { type: 'string' } },
  optionHelp: { source: 'whose secret signs it (default: the only source configured)' },
  examples: [
    'curl -H "X-Signature: $(switchboard sign body.json)" -H "Content-Type: application/json" --data-binary @body.json http://127.0.0.1:8080/webhooks/mta',
  ],
  async run(values, positionals, io) {
    if (positionals.length !== 1) throw new UsageError('give one FILE, or - for standard input');
    // Only the sources section matters here: signing works while a destination's secret is unset.
    const { path, warning } = resolveConfigPath(values.config as string | undefined, io.env, io.cwd);
    if (warning) io.err(`warning: ${warning}`);
    const loaded = await loadSourcesOnly(path, io.env);
    if (!loaded.ok)
      throw new CheckFailed([
        ...loaded.problems,
        `${loaded.problems.length} problem(s) in the sources of ${path}`,
      ]);
    for (const w of loaded.warnings ?? []) io.err(`warning: ${w}`);
    const source = pickSource(loaded.config, values.source as string | undefined);
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
    if (!source.plugin.sign)
      throw new Error(
        `the ${source.kind} source cannot sign bodies for tests: its plugin has no sign(secret, body, options, now) (see the plugin API, src/sources/api.ts)`,
      );
    // A plugin's sign is its own code: one that fails is named, and its words lose the secrets (its message may
    // well quote the key it could not use; this command's output is pasted into tickets and shells).
    const fault = (what: string) =>
      new Error(pluginTextRedactor(source.secrets).redact(`the ${source.kind} source plugin's sign ${what}`));
    let headers: unknown;
    try {
      headers = source.plugin.sign(source.secret, Buffer.from(body), source.options, Date.now());
    } catch (err) {
      throw fault(`failed: ${errorText(err)}`);
    }
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
      throw fault(`answered ${headers === null ? 'null' : typeof headers}, not an object of headers`);
    const entries = Object.entries(headers);
    const bad = entries.find(([, value]) => typeof value !== 'string');
    if (bad !== undefined) throw fault(`answered header ${bad[0]} as ${typeof bad[1]}, not a string`);
    for (const [name, value] of entries) io.out(`${name}: ${value}`);
    return 0;
  },
};
