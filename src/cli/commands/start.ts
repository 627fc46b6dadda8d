import { watch } from 'node:fs';
import { resolveConfigPath } from '../../config/load.ts';
import { ConfigRejected, Service } from '../../service.ts';
import { installLastResort, STOP_MARGIN_MS, stopDeadline } from '../last-resort.ts';
import type { Command } from '../main.ts';

/** `switchboard start`: run until SIGTERM/SIGINT; SIGHUP (or --watch) reloads the config. */
export const startCommand: Command = {
  usage: 'start [--watch]',
  summary: 'run the gateway (SIGHUP reloads the config; SIGTERM/SIGINT stop gracefully)',
  options: { watch: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const { path, warning } = resolveConfigPath(values.config as string | undefined, io.env, io.cwd);
    if (warning) io.err(`warning: ${warning}`);
    let service: Service;
    const graceMs = Number(io.env.SWITCHBOARD_SHUTDOWN_GRACE_MS ?? 10_000);
    try {
      service = await Service.start({
        configPath: path,
        env: io.env,
        shutdownGraceMs: graceMs,
        pollMs: io.env.SWITCHBOARD_POLL_MS ? Number(io.env.SWITCHBOARD_POLL_MS) : undefined,
      });
    } catch (err) {
      if (err instanceof ConfigRejected) {
        for (const line of err.lines) io.err(line);
        io.err(`switchboard: not started: ${err.lines.length} problem(s) in ${path}`);
        return 1;
      }
      throw err;
    }
    const uninstall = installLastResort(service.log);
    let reloading = Promise.resolve();
    const reload = () => {
      reloading = reloading.then(async () => {
        service.log.info({ config: path }, 'reloading config');
        await service.reload();
      });
    };
    process.on('SIGHUP', reload);
    if (values.watch) {
      let timer: NodeJS.Timeout | undefined;
      watch(path, () => {
        clearTimeout(timer);
        timer = setTimeout(reload, 200); // editors write in several steps
      }).unref();
    }
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        service.log.info({ signal }, 'stopping: finishing in-flight work');
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    const cancel = stopDeadline(service.log, graceMs + STOP_MARGIN_MS);
    await service.stop();
    cancel();
    uninstall();
    // Stopped: a connection still hanging (a hung store) must not keep the process up.
    setTimeout(() => process.exit(0), 2_000).unref();
    return 0;
  },
};
