import { z } from 'zod';
import { defineGrammar } from '../src/core/grammar.js';
import { defineCommand } from '../src/core/types.js';
import { type AcceptanceFacts, summarizeShares } from '../src/sharing/status.js';
import type { AffiliateRef } from '../src/sharing/types.js';
import { renderShares } from '../src/slack/share-render.js';
import { MASTER_FLAG } from './shared-flags.js';

interface SharesArgs {
  video: string;
  from?: string;
}

const USAGE = 'shares <video-id|ref:REF> [--from <account>]';
const grammar = defineGrammar({
  usage: [USAGE],
  positionals: z
    .array(z.string())
    .min(1, 'Name a video: shares <video-id|ref:REF>')
    .max(1, `shares takes one video: ${USAGE}`),
  flags: { from: MASTER_FLAG },
});

export const shares = defineCommand<SharesArgs>({
  name: 'shares',
  topic: 'Sharing',
  summary:
    'Where a video is shared, in what state, and whether each copy waits for the affiliate to accept it.',
  grammar,
  examples: ['shares 6301234567001', 'shares ref:seal-0042 --from neo'],
  mutates: false,
  args: grammar.tokens.transform(
    (t): SharesArgs => ({ video: t.positionals[0]!, ...(t.flags.from ? { from: t.flags.from } : {}) }),
  ),
  async run({ args, surface, services }) {
    const svc = services.sharing;
    const { master, video, records, members } = await svc.shares(args.video, args.from);
    const nameOf = (id: string): AffiliateRef => {
      const alias = services.config.accounts.find((a) => a.id === id)?.alias;
      const name = members.find((m) => m.account_id === id)?.account_name || alias || id;
      return { id, name, ...(alias ? { alias } : {}) };
    };
    // The copy's state (PENDING until accepted) is readable only in affiliates the app has credentials for.
    const facts = new Map<string, AcceptanceFacts>();
    await Promise.all(
      records.map(async (r) => {
        const cms = svc.cmsFor(r.affiliate_id);
        if (!cms || !r.affiliate_video_id) return;
        const copy = await cms.getVideo(r.affiliate_video_id).catch(() => undefined);
        if (copy?.state) facts.set(r.affiliate_id, { affiliateVideoState: copy.state });
      }),
    );
    await surface.reply(
      renderShares(
        master,
        video,
        summarizeShares(records, nameOf, (id) => facts.get(id)),
      ),
    );
  },
});
