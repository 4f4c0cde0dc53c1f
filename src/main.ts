import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { errorIdOf } from './core/errors.js';
import { createLogger } from './log.js';

/**
 * Entry point: the real app when Slack credentials are configured; otherwise the local sandbox
 * (simulated Brightcove and Slack with a browser console), so a newcomer can try everything.
 */
async function main(): Promise<void> {
  const logger = createLogger();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (!config.slack.botToken) {
    const { startSandbox } = await import('./sandbox/index.js');
    await startSandbox({ logger });
    return;
  }
  // A stray rejection in background work must be logged, not take every user's app down.
  process.on('unhandledRejection', (err: unknown) => {
    logger.error('unhandled rejection', { errorId: errorIdOf(err), err });
  });
  const app = await startApp({ config, logger });
  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    await app.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`brightcove-ops failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
