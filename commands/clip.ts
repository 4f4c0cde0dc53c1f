import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  type ClipFlags,
  ClipInputError,
  type ClipRequest,
  clipExamples,
  clipGrammar,
  parseClipArgs,
} from '../src/clips/index.js';
import { type ClipPublisher, type ClipRecord, type ClipService, HOOK_PATH } from '../src/clips/service.js';
import { context, escapeMrkdwn, section } from '../src/core/blocks.js';
import { reportFailure } from '../src/core/dispatch.js';
import { UserError } from '../src/core/errors.js';
import {
  type Actor,
  defineCommand,
  type Host,
  type Services,
  type Surface,
  type ViewContext,
  type ViewResult,
} from '../src/core/types.js';
import type { Logger } from '../src/log.js';
import { sendJson } from '../src/server.js';
import {
  CLIP_INPUT_ACTION,
  jobOption,
  noClippableJobs,
  renderClipCard,
  renderClipModal,
  renderClipNotSent,
  renderClippableJobs,
  renderClipSnapshot,
  renderCredentials,
} from '../src/slack/clip-render.js';

type ClipArgs =
  | { kind: 'modal' }
  | { kind: 'status'; jvodId: string }
  | { kind: 'credentials' }
  | { kind: 'cancel'; jvodId: string }
  | { kind: 'create'; request: ClipRequest; wait: boolean };

const HEX32 = /^[0-9a-f]{32}$/;
/** The options that shape the clip (--no-wait only changes how the terminal follows it). */
function clipFlags({ 'no-wait': _, ...values }: ClipFlags & { 'no-wait'?: true }): ClipFlags {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

/** The Live API key is the one thing every clip needs; say so instead of failing with an error id. */
export function clipsFor(services: Services): ClipService {
  if (!services.config.liveApiKey) {
    throw new UserError(
      'The Brightcove Live API is not configured: set BRIGHTCOVE_LIVE_API_KEY (or live.api_key in brightcove-ops.yml).',
    );
  }
  return services.clips;
}

function inputErrorText(errors: ClipInputError[]): string {
  if (errors.length === 1) return `Can't create the clip: ${errors[0]?.message}`;
  return `Can't create the clip:\n${errors.map((e) => `• ${e.message}`).join('\n')}`;
}

/**
 * Creates the clip, posts its card and follows it until it ends: in Slack the card updates in the
 * background; the terminal waits and prints each state (unless --no-wait).
 */
async function startClip(
  services: Services,
  surface: Surface,
  actor: Actor,
  req: ClipRequest,
  wait: boolean,
): Promise<void> {
  const svc = clipsFor(services);
  const result = await svc.create(req, actor.userId, surface.channelId);
  if (!result.ok) throw new UserError(inputErrorText(result.errors));
  const { jvodId } = result.record.data;
  const message = await surface.post(renderClipCard(result.record));
  const record = svc.attachMessage(jvodId, message.channel, message.ts) ?? result.record;
  if (!surface.background && !wait) {
    await surface.reply({
      text: `Follow it with: clip status ${jvodId}`,
      data: { jvodId, referenceId: record.data.referenceId },
    });
    return;
  }
  svc.track(record, (r) => message.update(renderClipCard(r)));
  // The app follows the clip in the background; a terminal process waits, or the tracking would die with it.
  if (surface.background) return;
  await svc.tracking(jvodId);
  await message.flush();
}

/**
 * Clips nobody follows any more (a restart, a dead replica) are followed again through their cards; a
 * create cut short is settled, and its card posted in the channel it was asked for in.
 */
function watchClips(svc: ClipService, host: Host): void {
  svc.watch({
    publisherFor: (record) => publisherFor(host, record),
    show: async (record) => {
      if (!record.channel) return () => {};
      const message = await host.channel(record.channel).post(renderClipCard(record));
      svc.attachMessage(record.data.jvodId, message.channel, message.ts);
      return (r) => message.update(renderClipCard(r));
    },
    notSent: async (intent, reason) => {
      if (intent.channel) await host.channel(intent.channel).post(renderClipNotSent(intent, reason));
    },
  });
}

function publisherFor(host: Host, record: ClipRecord): ClipPublisher {
  const { channel, ts } = record;
  if (!channel || !ts) return () => {};
  const message = host.channel(channel).message(channel, ts);
  return (r) => message.update(renderClipCard(r));
}

/** `POST /hooks/live/<secret>`: Live API clip notifications. Unknown secrets get 404, like any other path. */
function hookHandler(svc: ClipService, logger: Logger) {
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const secret = path.slice(HOOK_PATH.length + 1);
    if (!svc.checkHookSecret(secret)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      sendJson(res, 400, { error: 'expected a JSON body' });
      return;
    }
    const moved = svc.notify(payload);
    logger.debug('live notification', { moved });
    // 200 even for duplicates and unknown clips: anything else makes the Live API retry up to 50 times.
    sendJson(res, 200, { ok: true, moved });
  };
}

// ---------------------------------------------------------------- the modal

type Values = ViewContext['values'];

function fieldValue(values: Values, field: string): string | undefined {
  const v = values[field]?.[CLIP_INPUT_ACTION];
  const raw = v?.selected_option?.value ?? v?.value ?? undefined;
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

const MODE_NEEDS: Record<string, { needs: ('start' | 'end' | 'duration')[]; label: string }> = {
  last: { needs: ['duration'], label: '"Last …"' },
  range: { needs: ['start', 'end'], label: '"From … to …"' },
  for: { needs: ['start', 'duration'], label: '"From … for"' },
};

const FIELD_EXAMPLE = { start: '00:02:00', end: '00:03:00', duration: '90s' };
const ARTICLE = { start: 'a', end: 'an', duration: 'a' };

/** Modal values → the same words the command takes; missing or stray fields are reported per field. */
function modalToRequest(values: Values): { request: ClipRequest } | { errors: Record<string, string> } {
  const mode = fieldValue(values, 'mode') ?? 'last';
  const spec = MODE_NEEDS[mode];
  if (!spec) return { errors: { mode: 'Pick what to clip.' } };
  const errors: Record<string, string> = {};
  for (const field of ['start', 'end', 'duration'] as const) {
    const given = fieldValue(values, field);
    if (spec.needs.includes(field) && !given) {
      errors[field] = `${spec.label} needs ${ARTICLE[field]} ${field}, e.g. ${FIELD_EXAMPLE[field]}.`;
    } else if (!spec.needs.includes(field) && given) {
      errors[field] =
        `${spec.label} does not use ${ARTICLE[field]} ${field}: clear it, or pick another "What to clip".`;
    }
  }
  if (Object.keys(errors).length > 0) return { errors };
  const start = fieldValue(values, 'start') ?? '';
  const end = fieldValue(values, 'end') ?? '';
  const duration = fieldValue(values, 'duration') ?? '';
  const words =
    mode === 'last'
      ? ['last', duration]
      : mode === 'range'
        ? ['from', start, 'to', end]
        : ['from', start, 'for', duration];
  const f: ClipFlags = {};
  for (const name of ['name', 'tags', 'credentials', 'profile'] as const) {
    const v = fieldValue(values, name);
    if (v !== undefined) f[name] = v;
  }
  const to = fieldValue(values, 'destination');
  if (to !== undefined) f.to = to;
  try {
    return { request: parseClipArgs([fieldValue(values, 'job') ?? '', ...words], f) };
  } catch (err) {
    if (err instanceof ClipInputError) return { errors: { [err.field]: fieldMessage(err.message) } };
    throw err;
  }
}

/** Modal errors sit under one field: drop the command-line usage that the messages end with. */
function fieldMessage(message: string): string {
  const cut = message
    .replace(/\s*Usage: .*$/s, '')
    .replace(/ ?Run \/brightcove clip with no arguments[^.]*\./, '');
  return cut.length > 400 ? `${cut.slice(0, 399)}…` : cut;
}

async function submitModal(ctx: ViewContext): Promise<ViewResult> {
  const { services, actor, surface } = ctx;
  if (!(await services.roles.isOperator(actor))) {
    const msg = `Only operators can create clips. ${services.roles.describe('operator')}`;
    services.repos.audit.append({
      actor: actor.userId,
      command: 'clip',
      action: 'modal',
      outcome: 'refused',
      details: msg,
    });
    return { errors: { job: fieldMessage(msg) } };
  }
  const parsed = modalToRequest(ctx.values);
  if ('errors' in parsed) return { errors: parsed.errors };
  const svc = clipsFor(services);
  // Validation needs the live job; it must answer within the ack, so only creation happens after.
  const validation = await svc.validate(parsed.request);
  if (!validation.ok) {
    const errors: Record<string, string> = {};
    for (const e of validation.errors) errors[e.field] ??= fieldMessage(e.message);
    return { errors };
  }
  void startClip(services, surface, actor, parsed.request, true).catch((err: unknown) =>
    reportFailure(err, { actor, surface, services }, 'clip', 'clip.create'),
  );
  return undefined;
}

// ---------------------------------------------------------------- the command

async function showStatus(services: Services, surface: Surface, jvodId: string): Promise<void> {
  const svc = clipsFor(services);
  const record = svc.get(jvodId);
  const snapshot = await svc.fetchClip(jvodId);
  if (!record && !snapshot) {
    throw new UserError(
      `No clip job ${jvodId}: neither Brightcove Ops nor the Live API knows it. ` +
        'List recent clips with /brightcove clips [<live-job-id>].',
    );
  }
  if (!record && snapshot) {
    await surface.reply(renderClipSnapshot(snapshot));
    return;
  }
  if (!record) return;
  const card = renderClipCard(record);
  const apiNote =
    snapshot && snapshot.jvod_state !== record.data.apiState
      ? `The Live API now reports "${snapshot.jvod_state}".`
      : undefined;
  await surface.reply({
    text: apiNote ? `${card.text} (${apiNote})` : card.text,
    blocks: [...(card.blocks ?? []), ...(apiNote ? [context(apiNote)] : [])],
    data: { ...(card.data as object), live: snapshot ?? null },
  });
}

export const clip = defineCommand<ClipArgs>({
  name: 'clip',
  topic: 'Live clips',
  summary:
    'Cut a VOD clip from a live job (last 90s, from/to stream time, a wall-clock window or SMPTE timecodes) ' +
    'and follow it to the new video. Without arguments: a form in Slack, the live jobs to clip in a terminal.',
  grammar: clipGrammar,
  examples: [
    ...clipExamples,
    'clip status 9582606c50d84be5ad4bc104f2aa3360',
    'clip cancel 9582606c50d84be5ad4bc104f2aa3360',
    'clip credentials',
  ],
  mutates: (args) => args.kind !== 'status' && args.kind !== 'credentials',
  args: clipGrammar.tokens.transform((t, ctx): ClipArgs => {
    const f = clipFlags(t.flags);
    const first = t.positionals[0]?.toLowerCase();
    if (first === undefined && Object.keys(f).length === 0) return { kind: 'modal' };
    if (first === 'credentials') {
      if (t.positionals.length > 1 || Object.keys(f).length > 0) {
        ctx.addIssue({ code: 'custom', message: 'clip credentials takes no arguments.' });
        return z.NEVER;
      }
      return { kind: 'credentials' };
    }
    if (first === 'cancel' || first === 'status') {
      // One clip job id and nothing else (status ignored stray flags before; cancel never takes any).
      const id = t.positionals[1]?.trim().toLowerCase();
      const strayFlags = first === 'cancel' && Object.keys(f).length > 0;
      if (!id || !HEX32.test(id) || t.positionals.length > 2 || strayFlags) {
        ctx.addIssue({
          code: 'custom',
          message:
            `clip ${first} takes one clip job id (32 hex characters, e.g. 9582606c50d84be5ad4bc104f2aa3360); ` +
            'list recent clips with /brightcove clips.',
        });
        return z.NEVER;
      }
      return { kind: first, jvodId: id };
    }
    try {
      return {
        kind: 'create',
        request: parseClipArgs(t.positionals, f),
        wait: t.flags['no-wait'] !== true,
      };
    } catch (err) {
      if (!(err instanceof ClipInputError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
      return z.NEVER;
    }
  }),
  async run({ args, services, surface, actor }) {
    if (args.kind === 'status') {
      await showStatus(services, surface, args.jvodId);
      return;
    }
    if (args.kind === 'cancel') {
      const after = await clipsFor(services).cancel(args.jvodId, actor.userId);
      const text = `Cancelling clip job ${args.jvodId} (Live API: ${after.jvod_state}). Its card says when it has stopped; follow it with ${surface.prefix} clip status ${args.jvodId}.`;
      await surface.reply({
        text,
        blocks: [section(escapeMrkdwn(text))],
        data: { jvodId: args.jvodId, state: after.jvod_state },
      });
      return;
    }
    if (args.kind === 'credentials') {
      await surface.reply(renderCredentials(await clipsFor(services).api.listCredentials()));
      return;
    }
    if (args.kind === 'create') {
      await startClip(services, surface, actor, args.request, args.wait);
      return;
    }
    const jobs = await clipsFor(services).clippableJobs(101);
    if (jobs.length === 0) {
      await surface.reply(noClippableJobs());
      return;
    }
    // Without forms (the terminal): what the form would offer, as a list to pick from.
    if (!surface.buttons) {
      await surface.reply(renderClippableJobs(jobs, services.clips.recent(5)));
      return;
    }
    await surface.openModal(renderClipModal(jobs, JSON.stringify({ channel: surface.channelId ?? '' })));
  },
  views: { create: submitModal },
  // the form's job field, when there are more jobs than a list holds: searched by id or "live"
  suggest: {
    'create.job': async ({ services, query }) => {
      const q = query.trim().toLowerCase();
      const jobs = await clipsFor(services).clippableJobs(1000);
      return jobs
        .filter((j) => !q || j.id.startsWith(q) || (q === 'live' && !j.finished_at))
        .slice(0, 100)
        .map((j) => {
          const o = jobOption(j);
          return { text: o.text.text, value: o.value ?? j.id };
        });
    },
  },
  start(services, host) {
    if (!services.config.liveApiKey) return;
    const svc = services.clips;
    if (host.publicUrl) {
      svc.enableNotifications(host.publicUrl);
      host.route('POST', HOOK_PATH, hookHandler(svc, services.logger));
    }
    watchClips(svc, host);
  },
});
