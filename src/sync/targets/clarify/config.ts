import { z } from 'zod';

/**
 * `sync.targets.<name>` of `type: clarify`. Without `api_key`/`url` it uses the app's Clarify settings
 * (CLARIFY_API_KEY, CLARIFY_API_URL, `clarify:`), as the original tool did.
 */
export const clarifyTargetSchema = z.strictObject({
  type: z.literal('clarify'),
  api_key: z.string().min(1, 'api_key is empty').optional(),
  url: z.url({ message: 'url must be a URL such as https://api.clarify.io' }).optional(),
});
export type ClarifyTargetConfig = z.infer<typeof clarifyTargetSchema>;
