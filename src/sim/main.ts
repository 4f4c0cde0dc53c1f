/**
 * `npm run sim`: start the simulators on fixed ports with a demo dataset and print the environment that
 * points the app at them. Other simulators (Clarify, Slack) register in `starters` with a few lines each.
 */
import { createLogger } from '../log.js';
import { startBrightcoveSim } from './brightcove/index.js';

interface RunningSim {
  name: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

type Starter = () => Promise<RunningSim>;

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const starters: Starter[] = [
  async () => {
    const sim = await startBrightcoveSim({
      dataset: {
        seed: 42,
        videosPerAccount: { neo: 120, 'neo-north': 20, 'neo-south': 20, research: 60 },
        analyticsDays: 90,
      },
      latencyMs: Number(process.env.SIM_LATENCY_MS ?? 0),
      enforceLimits: true,
      autoTickMs: 1000,
      ports: {
        oauth: port('SIM_OAUTH_PORT', 4010),
        cms: port('SIM_CMS_PORT', 4011),
        analytics: port('SIM_ANALYTICS_PORT', 4012),
        live: port('SIM_LIVE_PORT', 4013),
      },
      logger: createLogger({ base: { sim: 'brightcove' } }),
    });
    const cred = sim.credentials.find((c) => c.clientId === 'sim-client-all')!;
    return {
      name: 'brightcove',
      env: {
        BRIGHTCOVE_OAUTH_URL: sim.urls.oauth,
        BRIGHTCOVE_CMS_URL: sim.urls.cms,
        BRIGHTCOVE_ANALYTICS_URL: sim.urls.analytics,
        BRIGHTCOVE_LIVE_URL: sim.urls.live,
        BRIGHTCOVE_CLIENT_ID: cred.clientId,
        BRIGHTCOVE_CLIENT_SECRET: cred.clientSecret,
        BRIGHTCOVE_ACCOUNT_ID: sim.data.accounts[0]!.id,
        BRIGHTCOVE_LIVE_API_KEY: sim.liveApiKey,
      },
      close: () => sim.close(),
    };
  },
];

async function main(): Promise<void> {
  const running: RunningSim[] = [];
  for (const start of starters) running.push(await start());
  const lines = running.flatMap((r) => [
    `# ${r.name}`,
    ...Object.entries(r.env).map(([k, v]) => `export ${k}=${v}`),
  ]);
  process.stdout.write(`${lines.join('\n')}\n# simulators running; Ctrl-C to stop\n`);
  const stop = async () => {
    await Promise.all(running.map((r) => r.close()));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
