import { resolveConfigPath } from '../../config/load.ts';
import { type ConfigWatch, watchConfig, watchPluginCode } from '../../config/watch.ts';
import { ConfigRejected, Service } from '../../service.ts';
import { StartAborted } from '../../store-wait.ts';
import { installLastResort, STOP_MARGIN_MS, stopDeadline } from '../last-resort.ts';
import type { Command } from '../main.ts';

/** `switchboard start`: run until SIGTERM/SIGINT; SIGHUP (or --watch) reloads the config. */
export const startCommand: Command = {
  usage: 'start [--watch]',
  summary: 'run the gateway (SIGHUP reloads the config; SIGTERM/SIGINT stop gracefully)',
  options: { watch: { type: 'boolean' } },
  optionHelp: {
    watch:
      'reload the config whenever its content changes, however it is saved (editor, sed -i, ConfigMap); plugin code changes are logged and need a restart',
  },
  examples: [
    'node bin/switchboard.js start --config /etc/switchboard/config.yaml',
    'kill -HUP <pid>   # reload the config (validated first; the old one is kept on error)',
  ],
  maxArguments: 0,
  async run(values, _positionals, io) {
    const { path, warning } = resolveConfigPath(values.config as string | undefined, io.env, io.cwd);
    if (warning) io.err(`warning: ${warning}`);
    let service: Service;
    const graceMs = Number(io.env.SWITCHBOARD_SHUTDOWN_GRACE_MS ?? 10_000);
    // A stop asked for while the start waits for an unreachable store ends that wait (exit 0, nothing started).
    const giveUp = new AbortController();
    const abortStart = () => giveUp.abort();
    process.once('SIGTERM', abortStart);
    process.once('SIGINT', abortStart);
    try {
      service = await Service.start({
        configPath: path,
        env: io.env,
        shutdownGraceMs: graceMs,
        pollMs: io.env.SWITCHBOARD_POLL_MS ? Number(io.env.SWITCHBOARD_POLL_MS) : undefined,
        signal: giveUp.signal,
      });
    } catch (err) {
      if (err instanceof ConfigRejected) {
        for (const line of err.lines) io.err(line);
        io.err(`switchboard: not started: ${err.lines.length} problem(s) in ${path}`);
        return 1;
      }
      if (err instanceof StartAborted) {
        io.err('switchboard: stopped while waiting for the event store; nothing was started');
        // The try it gave up on may still hold a connection (a migration waiting for a lock, a silent network).
        setTimeout(() => process.exit(0), 2_000).unref();
        return 0;
      }
      throw err;
    } finally {
      process.off('SIGTERM', abortStart);
      process.off('SIGINT', abortStart);
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
    const watches: ConfigWatch[] = [];
    if (values.watch) {
      watches.push(
        watchConfig(path, service.current.digest, {
          changed: reload,
          unavailable: (why) =>
            service.log.warn(
              { config: path, why },
              `the config file ${why}: keeping the running config, and reloading it when the file is back`,
            ),
        }),
      );
      watches.push(
        watchPluginCode(service.current.plugins.dirs, (file) =>
          service.log.warn(
            { file },
            'plugin code changed: restart switchboard to load it (a reload re-reads the config, not plugin code)',
          ),
        ),
      );
      await Promise.all(watches.map((w) => w.ready));
      service.log.info(
        { config: path },
        'watching the config for changes (plugin code changes need a restart)',
      );
    }
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        service.log.info({ signal }, 'stopping: finishing in-flight work');
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      // Asked during the last steps of the start, after the store answered: stop now.
      if (giveUp.signal.aborted) stop('signal during start');
      // Under `npm start`, npm forwards SIGTERM and SIGINT but dies of SIGHUP (and of SIGKILL) without telling
      // us: a gateway left behind would keep the port. When the parent that started us is gone, stop too.
      if (io.env.npm_lifecycle_event !== undefined) {
        const parent = process.ppid;
        setInterval(() => {
          if (process.ppid !== parent) stop('parent npm exited');
        }, 500).unref();
      }
    });
    const cancel = stopDeadline(service.log, graceMs + STOP_MARGIN_MS);
    await Promise.all(watches.map((w) => w.close()));
    await service.stop();
    cancel();
    uninstall();
    // Stopped: a connection still hanging (a hung store) must not keep the process up.
    setTimeout(() => process.exit(0), 2_000).unref();
    return 0;
  },
};
