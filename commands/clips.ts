import { z } from 'zod';
import { studioVideoUrl } from '../src/clips/tracker.js';
import { UserError } from '../src/core/errors.js';
import { defineGrammar } from '../src/core/grammar.js';
import { defineCommand } from '../src/core/types.js';
import { type ClipListItem, renderClipList } from '../src/slack/clip-render.js';
import { clipsFor } from './clip.js';

interface ClipsArgs {
  jobId?: string;
  limit: number;
}

const grammar = defineGrammar({
  usage: ['clips [<live-job-id>] [--limit N]'],
  positionals: z
    .array(z.string())
    .max(1, 'clips takes at most one live job id')
    .refine(
      (p) => p[0] === undefined || /^[0-9a-f]{32}$/i.test(p[0]),
      'A live job id is 32 hex characters, e.g. 3ae7fa89943f4a96aa273fbbf175d527.',
    ),
  flags: {
    limit: {
      description: 'how many clips (1–100, default 20)',
      check: z.coerce
        .number({ message: '--limit must be a number' })
        .int('--limit must be a whole number')
        .min(1, '--limit must be at least 1')
        .max(100, '--limit can be at most 100')
        .default(20),
    },
  },
});

export const clips = defineCommand<ClipsArgs>({
  name: 'clips',
  topic: 'Live clips',
  summary: 'Recent clips: those made with Brightcove Ops, or every clip job of one live job.',
  grammar,
  examples: ['clips', 'clips 3ae7fa89943f4a96aa273fbbf175d527'],
  mutates: false,
  args: grammar.tokens.transform((t): ClipsArgs => {
    const jobId = t.positionals[0]?.toLowerCase();
    return jobId ? { jobId, limit: t.flags.limit } : { limit: t.flags.limit };
  }),
  async run({ args, services, surface }) {
    const svc = clipsFor(services);
    const fromRecord = (jvodId: string): Partial<ClipListItem> => {
      const o = svc.get(jvodId)?.data.outcome;
      return o?.state === 'finished' && o.video
        ? { videoId: o.video.id, videoUrl: studioVideoUrl(o.video.id) }
        : {};
    };
    if (!args.jobId) {
      const items: ClipListItem[] = svc.recent(args.limit).map((r) => ({
        jvodId: r.data.jvodId,
        label: r.data.label,
        state: r.state,
        liveJobId: r.data.liveJobId,
        createdAt: new Date(r.createdAt),
        ...fromRecord(r.data.jvodId),
      }));
      await surface.reply(renderClipList(items, 'Recent clips made with Brightcove Ops'));
      return;
    }
    const listed = await svc.listClipsOf(args.jobId);
    if (!listed) {
      throw new UserError(
        `No live job ${args.jobId} in this Brightcove Live account. Check the id; /brightcove clip with no ` +
          'arguments lists active and recent jobs.',
      );
    }
    const items: ClipListItem[] = listed.slice(0, args.limit).map((s) => {
      const created = typeof s.jvod_created_at === 'number' ? new Date(s.jvod_created_at) : undefined;
      return {
        jvodId: s.jvod_id,
        label: typeof s.label === 'string' ? s.label : '(no label)',
        state: s.jvod_state,
        liveJobId: args.jobId ?? '',
        ...(created ? { createdAt: created } : {}),
        ...fromRecord(s.jvod_id),
      };
    });
    await surface.reply(renderClipList(items, `Clips of live job ${args.jobId}`));
  },
});
