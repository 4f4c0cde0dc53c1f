import type { WebClient } from '@slack/web-api';
import { type Block, escapeEntities, escapeMrkdwn, type ModalView } from '../core/blocks.js';
import { RefusalError } from '../core/errors.js';
import { SLASH } from '../core/registry.js';
import type { FileUpload, PostedMessage, Reply, Surface } from '../core/types.js';
import type { Logger } from '../log.js';
import { LatestWins } from './throttle.js';

export type RespondFn = (msg: {
  text: string;
  blocks?: Block[];
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
}) => Promise<unknown>;

interface SlackSurfaceOptions {
  client: WebClient;
  channelId?: string;
  userId: string;
  respond?: RespondFn;
  triggerId?: string;
  logger: Logger;
  updateIntervalMs: number;
}

/**
 * A reply's `text` is plain text (the CLI prints it as it is); Slack reads the same field as mrkdwn,
 * so a video named `<!channel> Breaking` would notify the whole channel. Its entities are escaped
 * here, once, for every message the app sends (entities already escaped by a renderer are left as
 * they are); its `*`, `_` and `~` are not: `text` is what notifications show, and a stray bold there
 * hides nothing, while the blocks people read escape them too (escapeMrkdwn). Slack rejects a message
 * whose fallback text is empty.
 */
export function fallback(reply: Reply): string {
  return escapeEntities((reply.text || ' ').slice(0, 3900));
}

/**
 * One Slack message the app posted: progress goes through `update` (throttled, last wins),
 * follow-ups go to its thread.
 */
class SlackMessage implements PostedMessage {
  readonly #updates: LatestWins<Reply>;

  constructor(
    private readonly client: WebClient,
    readonly channel: string,
    readonly ts: string,
    private readonly logger: Logger,
    intervalMs: number,
  ) {
    this.#updates = new LatestWins<Reply>(
      async (r) => {
        await this.client.chat.update({ channel, ts, text: fallback(r), blocks: r.blocks ?? [] });
      },
      intervalMs,
      (err) => logger.warn('chat.update failed', { channel, ts, err }),
    );
  }

  update(reply: Reply): void {
    this.#updates.push(reply);
  }

  flush(): Promise<void> {
    return this.#updates.flush();
  }

  async reply(reply: Reply): Promise<PostedMessage> {
    const res = await this.client.chat.postMessage({
      channel: this.channel,
      thread_ts: this.ts,
      text: fallback(reply),
      ...(reply.blocks ? { blocks: reply.blocks } : {}),
    });
    return new SlackMessage(this.client, this.channel, String(res.ts), noopLogger, 1000);
  }

  async upload(file: FileUpload): Promise<void> {
    await uploadFile(this.client, this.channel, this.ts, file, this.logger);
  }
}

const noopLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => noopLogger,
};

/** Slack's error code of a failed Web API call (`not_in_channel`, …), when it is one. */
function slackErrorCode(err: unknown): string | undefined {
  const code = (err as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof code === 'string' ? code : undefined;
}

/** What to do when the app is not in a channel it cannot join by itself (a private one). */
const INVITE_HINT = 'Invite the app here with `/invite @brightcove-ops`, then run the command again.';

/**
 * Uploads a file into a channel (or a thread). chat:write.public lets the bot post in public channels it
 * has not joined, but sharing a file needs membership: on not_in_channel it joins (channels:join) and
 * tries once more. A private channel cannot be joined: the refusal says how to invite the app, so the
 * file is never lost silently.
 */
async function uploadFile(
  client: WebClient,
  channel: string | undefined,
  threadTs: string | undefined,
  file: FileUpload,
  logger: Logger,
) {
  try {
    await sendFile(client, channel, threadTs, file);
  } catch (err) {
    if (!channel || slackErrorCode(err) !== 'not_in_channel') throw err;
    try {
      await client.conversations.join({ channel });
    } catch (joinErr) {
      const code = slackErrorCode(joinErr);
      if (code === 'method_not_supported_for_channel_type' || code === 'missing_scope')
        throw new RefusalError(
          `I can't attach ${escapeMrkdwn(file.filename)} in this channel: I'm not a member. ${INVITE_HINT}`,
        );
      throw joinErr;
    }
    // The app changed its own membership: said in the log, with the channel, for whoever runs it.
    logger.info('joined a public channel to attach a file there', { channel, file: file.filename });
    await sendFile(client, channel, threadTs, file);
  }
}

async function sendFile(
  client: WebClient,
  channel: string | undefined,
  threadTs: string | undefined,
  file: FileUpload,
) {
  const content = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
  await client.filesUploadV2({
    file: content,
    filename: file.filename,
    title: file.title ?? file.filename,
    ...(channel ? { channel_id: channel } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...(file.comment ? { initial_comment: file.comment } : {}),
    ...(file.altText ? { alt_text: file.altText } : {}),
    ...(file.snippetType ? { snippet_type: file.snippetType } : {}),
  } as Parameters<WebClient['filesUploadV2']>[0]);
}

/** Larger files are not attached in Slack (they stay in the destination); a CLI run writes them all. */
const MAX_SLACK_FILE_BYTES = 10 * 1024 * 1024;
/** More files than this are listed, not attached, so one export can't flood a thread. */
const MAX_SLACK_FILES = 20;

export class SlackSurface implements Surface {
  readonly channelId: string | undefined;
  readonly buttons = true;
  readonly background = true;
  readonly prefix = SLASH;
  readonly attachments = {
    maxBytes: MAX_SLACK_FILE_BYTES,
    maxCount: MAX_SLACK_FILES,
    place: 'in the thread',
  };

  constructor(private readonly opts: SlackSurfaceOptions) {
    this.channelId = opts.channelId;
  }

  async reply(reply: Reply): Promise<void> {
    const { respond, client, channelId, userId, logger } = this.opts;
    if (respond) {
      try {
        await respond({
          response_type: 'ephemeral',
          text: fallback(reply),
          ...(reply.blocks ? { blocks: reply.blocks } : {}),
        });
        return;
      } catch (err) {
        // A response_url lasts 5 uses / 30 minutes; after that, ephemeral messages go through the API.
        logger.debug('respond failed, falling back to chat.postEphemeral', { err });
      }
    }
    // A click in App Home has no channel: the answer goes to the app's Messages tab (a DM).
    if (!channelId) {
      if (userId)
        await client.chat.postMessage({
          channel: userId,
          text: fallback(reply),
          ...(reply.blocks ? { blocks: reply.blocks } : {}),
        });
      return;
    }
    // Background work has no user to whisper to: its replies go to the channel.
    if (!userId) {
      await client.chat.postMessage({
        channel: channelId,
        text: fallback(reply),
        ...(reply.blocks ? { blocks: reply.blocks } : {}),
      });
      return;
    }
    await client.chat.postEphemeral({
      channel: channelId,
      user: userId,
      text: fallback(reply),
      ...(reply.blocks ? { blocks: reply.blocks } : {}),
    });
  }

  async post(reply: Reply): Promise<PostedMessage> {
    const { client, channelId, logger, updateIntervalMs } = this.opts;
    if (!channelId) throw new Error('no channel to post to');
    const res = await client.chat
      .postMessage({
        channel: channelId,
        text: fallback(reply),
        ...(reply.blocks ? { blocks: reply.blocks } : {}),
      })
      .catch((err: unknown) => {
        // A private channel the app is not in is invisible to it (public ones it may post in unjoined).
        const code = slackErrorCode(err);
        if (code === 'channel_not_found' || code === 'not_in_channel')
          throw new RefusalError(`I can't post in this channel: I'm not a member. ${INVITE_HINT}`);
        throw err;
      });
    return new SlackMessage(client, channelId, String(res.ts), logger, updateIntervalMs);
  }

  async direct(userId: string, reply: Reply): Promise<void> {
    // A user id as the channel: Slack posts in the app's DM with them (the app's Messages tab).
    await this.opts.client.chat.postMessage({
      channel: userId,
      text: fallback(reply),
      ...(reply.blocks ? { blocks: reply.blocks } : {}),
    });
  }

  message(channel: string, ts: string): PostedMessage {
    return new SlackMessage(this.opts.client, channel, ts, this.opts.logger, this.opts.updateIntervalMs);
  }

  async upload(file: FileUpload): Promise<void> {
    await uploadFile(this.opts.client, this.opts.channelId, undefined, file, this.opts.logger);
  }

  async openModal(view: ModalView): Promise<void> {
    if (!this.opts.triggerId) throw new Error('no trigger_id to open a modal with');
    await this.opts.client.views.open({ trigger_id: this.opts.triggerId, view: view as never });
  }
}
