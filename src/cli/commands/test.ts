import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { didYouMean } from '../../config/issues.ts';
import type { Config } from '../../config/types.ts';
import { dryRun } from '../dry-run.ts';
import { CheckFailed, loadCliConfig, UsageError, unreadable } from '../io.ts';
import type { Command } from '../main.ts';
import { pickSource } from './route.ts';

/** One config unit test: a payload, where it comes from, and the destinations it must reach. */
interface Case {
  name: string;
  source?: string;
  event?: string;
  payload?: unknown;
  payloadFile?: string;
  expect: string[];
}

const CASE_KEYS = ['name', 'source', 'event', 'payload', 'payloadFile', 'expect'];

function readCases(text: string, file: string): Case[] {
  const doc = parse(text) as { cases?: unknown } | null;
  if (!doc || !Array.isArray(doc.cases))
    throw new CheckFailed([`${file}: expected a top-level "cases:" list`]);
  const problems: string[] = [];
  const cases = doc.cases.map((raw, i) => {
    const c = (raw ?? {}) as Record<string, unknown>;
    const at = `${file}: cases[${i}]`;
    for (const key of Object.keys(c))
      if (!CASE_KEYS.includes(key))
        problems.push(`${at}.${key}: unknown key (known: ${CASE_KEYS.join(', ')})`);
    if ((c.payload === undefined) === (c.payloadFile === undefined))
      problems.push(`${at}: give exactly one of payload or payloadFile`);
    if (!Array.isArray(c.expect) || !c.expect.every((d) => typeof d === 'string'))
      problems.push(`${at}.expect: a list of destination names ([] for unrouted)`);
    return { ...c, name: typeof c.name === 'string' ? c.name : `case ${i + 1}` } as Case;
  });
  if (problems.length > 0) throw new CheckFailed(problems);
  return cases;
}

/** Runs one case; returns null when it passes, else what differed. */
async function runCase(config: Config, c: Case, file: string): Promise<string | null> {
  // A misspelt name would only show as "missing" beside the real one it meant.
  const known = [...config.destinations.keys()];
  const unknown = c.expect.filter((d) => !config.destinations.has(d));
  if (unknown.length > 0)
    return unknown
      .map(
        (d) =>
          `expect names "${d}", which is not a destination of this config${didYouMean(d, known) || ` (known: ${known.join(', ')})`}`,
      )
      .join('; ');
  const source = pickSource(config, c.source);
  let raw: Buffer;
  try {
    raw =
      c.payloadFile !== undefined
        ? await readFile(resolve(dirname(file), c.payloadFile))
        : Buffer.from(JSON.stringify(c.payload));
  } catch (err) {
    // One case's missing file fails that case; the others still run and the summary is printed.
    return `payloadFile ${c.payloadFile}: cannot read it (${unreadable(err)}; relative to ${file})`;
  }
  const result = dryRun(config, source, c.event, raw);
  if (!result.ok)
    return `payload does not decode: ${result.failure.error}${result.failure.details.map((d) => `; ${d.path}: ${d.message}`).join('')}`;
  const got = result.decision.destinations.map((d) => d.destination);
  const missing = c.expect.filter((d) => !got.includes(d));
  const unexpected = got.filter((d) => !c.expect.includes(d));
  if (missing.length === 0 && unexpected.length === 0) return null;
  const parts = [`expected [${c.expect.join(', ')}], got [${got.join(', ')}]`];
  if (missing.length) parts.push(`missing: ${missing.join(', ')}`);
  if (unexpected.length) parts.push(`unexpected: ${unexpected.join(', ')}`);
  const matched = result.decision.routes.filter((r) => r.matched).map((r) => r.name);
  parts.push(`routes matched: ${matched.join(', ') || 'none'}`);
  return parts.join('; ');
}

/** `switchboard test [FILE...]`: config unit tests. Default file: <config>.test.yaml beside the config. */
export const testCommand: Command = {
  usage: 'test [--json] [FILE...]',
  summary: 'run config unit tests: payloads and the destinations they must reach',
  options: { json: { type: 'boolean' } },
  optionHelp: { json: 'print {"passed", "failed", "cases": [...]} as JSON' },
  examples: [
    'switchboard test   # runs config.test.yaml beside config.yaml',
    'switchboard test cases/*.yaml',
  ],
  async run(values, positionals, io) {
    const config = await loadCliConfig(values.config as string | undefined, io);
    let files = positionals;
    if (files.length === 0) {
      const beside = resolve(
        dirname(config.file),
        `${basename(config.file).replace(/\.ya?ml$/, '')}.test.yaml`,
      );
      if (!existsSync(beside)) throw new CheckFailed([noTestFile(beside)]);
      files = [beside];
    }
    let passed = 0;
    let failed = 0;
    const report: Array<{ file: string; name: string; ok: boolean; difference?: string }> = [];
    for (const file of files) {
      // A file that cannot be read is a usage error (exit 2), as for route and sign; a failed case exits 1.
      const text = await readFile(file, 'utf8').catch((err: unknown) => {
        throw new UsageError(`${file}: cannot read it (${unreadable(err)})`);
      });
      const cases = readCases(text, file);
      for (const c of cases) {
        const difference = await runCase(config, c, file);
        report.push({ file, name: c.name, ok: difference === null, ...(difference ? { difference } : {}) });
        if (difference === null) passed++;
        else failed++;
        if (!values.json) io.out(difference === null ? `✔ ${c.name}` : `✘ ${c.name}\n    ${difference}`);
      }
    }
    if (values.json) io.out(JSON.stringify({ passed, failed, cases: report }, null, 2));
    else io.out(`${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  },
};

/** Why `switchboard test` has nothing to run, and how to write the file it looks for. */
function noTestFile(beside: string): string {
  const example = fileURLToPath(new URL('../../../config.example.test.yaml', import.meta.url));
  return [
    `no test files given and ${beside} does not exist.`,
    `  Write it: a YAML file with a top-level cases: list, each case a payload (inline or payloadFile) and the`,
    `  destinations it must reach, e.g. cases: [{ name: replies reach ops, payloadFile: reply.json, expect: [ops] }].`,
    `  The commented example is`,
    `  ${example}; README "Routing" explains it. Or name case files: switchboard test FILE...`,
  ].join('\n');
}
