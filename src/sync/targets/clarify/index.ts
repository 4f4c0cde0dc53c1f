import { ClarifyClient } from '../../../clarify/client.js';
import { UserError } from '../../../core/errors.js';
import type { TargetType } from '../types.js';
import { type ClarifyTargetConfig, clarifyTargetSchema } from './config.js';
import { ClarifyTarget } from './target.js';

export const clarifyTargetType: TargetType<ClarifyTargetConfig> = {
  type: 'clarify',
  schema: clarifyTargetSchema,
  async create(name, cfg, ctx) {
    const apiKey = cfg.api_key ?? ctx.config.clarifyApiKey;
    if (!apiKey) {
      throw new UserError(
        `Sync target ${name} (Clarify) has no API key: set CLARIFY_API_KEY, or api_key under sync.targets.${name} in brightcove-ops.yml.`,
      );
    }
    const client = new ClarifyClient({
      baseUrl: cfg.url ?? ctx.config.endpoints.clarify,
      apiKey,
      dispatcher: ctx.dispatcher,
      // The app's dispatcher (createHttpDispatcher) is a RetryAgent: it owns the retries of idempotent calls.
      dispatcherRetries: true,
      logger: ctx.logger,
      clock: ctx.clock,
    });
    return new ClarifyTarget(client, name);
  },
};
