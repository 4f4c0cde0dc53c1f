import type { BrightcoveSim } from './brightcove/index.js';
import type { ClarifySim } from './clarify/index.js';

/** The environment that points the app (or the CLI) at running simulators: the API base URLs and keys. */
export function simEnv(bc: BrightcoveSim, clarify?: ClarifySim): Record<string, string> {
  return {
    BRIGHTCOVE_OAUTH_URL: bc.urls.oauth,
    BRIGHTCOVE_CMS_URL: bc.urls.cms,
    BRIGHTCOVE_ANALYTICS_URL: bc.urls.analytics,
    BRIGHTCOVE_LIVE_URL: bc.urls.live,
    BRIGHTCOVE_LIVE_API_KEY: bc.liveApiKey,
    ...(clarify ? { CLARIFY_API_URL: clarify.url, CLARIFY_API_KEY: clarify.apiKey } : {}),
  };
}
