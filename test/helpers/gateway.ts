import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './tmp.ts';

const BIN = join(ROOT, 'bin/switchboard.js');

/** The result of running the CLI to completion. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `switchboard ...args` as a child process (the real CLI) and collects its output. */
export async function runCli(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.end(opts.input ?? '');
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stdout, stderr };
}

/**
 * A gateway running as a child process (`switchboard start`), as users run it. Its JSON log lines are parsed and
 * kept; `started` resolves with the URL it listens on.
 */
export class GatewayProcess {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  readonly child: ChildProcess;
  url = '';
  /** The admin listener (admin API, /metrics, /readyz details). */
  adminUrl = '';
  private exited: Promise<number | null>;

  constructor(configPath: string, env: Record<string, string> = {}, extraArgs: string[] = []) {
    this.child = spawn(process.execPath, [BIN, 'start', '--config', configPath, ...extraArgs], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SWITCHBOARD_POLL_MS: '200', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.raw.push(line);
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          // not a log line (e.g. a config error printed by the CLI)
        }
      });
    }
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  /** Starts a gateway and waits until it listens. */
  static async start(
    configPath: string,
    env: Record<string, string> = {},
    extraArgs: string[] = [],
  ): Promise<GatewayProcess> {
    const g = new GatewayProcess(configPath, env, extraArgs);
    await g.waitForLog((l) => l.msg === 'switchboard listening', 'the gateway to listen', 20_000);
    const line = g.lines.find((l) => l.msg === 'switchboard listening');
    g.url = String(line?.url);
    g.adminUrl = String(line?.admin);
    return g;
  }

  /** Resolves when a log line satisfies `check`; rejects if the process exits first or after `timeoutMs`. */
  async waitForLog(
    check: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((c) => (exitCode = c));
    for (;;) {
      const found = this.lines.find(check);
      if (found) return found;
      if (exitCode !== undefined)
        throw new Error(`gateway exited (${exitCode}) before ${what}:\n${this.raw.join('\n')}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}:\n${this.raw.slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** POSTs a webhook body. */
  async post(
    path: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(this.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch {
      json = { text };
    }
    return { status: res.status, json };
  }

  /** Sends a signal and waits for the process to exit; returns its exit code. */
  async signal(sig: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill(sig);
    return this.exited;
  }

  /** Graceful stop (SIGTERM). */
  stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  /**
   * For a start expected to be refused: whether it listened anyway (within `timeoutMs`), its exit code (a
   * gateway that did start is stopped, not waited on) and everything it printed.
   */
  async outcome(timeoutMs = 20_000): Promise<{ listened: boolean; code: number | null; output: string }> {
    const listened = await this.waitForLog(
      (l) => l.msg === 'switchboard listening',
      'listening',
      timeoutMs,
    ).then(
      () => true,
      () => false,
    );
    const code = await this.stop();
    return { listened, code, output: this.raw.join('\n') };
  }
}
