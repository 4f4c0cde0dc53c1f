/**
 * Block Kit for clips: the channel card that follows one clip job, the "new clip" modal, and the lists
 * of `clip status` / `clips`. Pure rendering of records; no Brightcove calls.
 */
import { clipFlagHelp } from '../clips/help.js';
import type { ClipField } from '../clips/request.js';
import type { ClipIntent, ClipRecord } from '../clips/service.js';
import type { ClipState, VodJobSnapshot } from '../clips/tracker.js';
import type { LiveCredentialInfo, LiveJobInfo } from '../clips/validate.js';
import {
  type Block,
  context,
  escapeEntities,
  escapeMrkdwn,
  type InputElement,
  type ModalView,
  type OptionObject,
  plain,
  section,
  slackDate,
  truncate,
} from '../core/blocks.js';
import { formInput, option } from '../core/forms.js';
import type { Reply } from '../core/types.js';

const CLIP_MODAL_CALLBACK = 'clip.create';
/** Every input of the modal uses this action_id; block ids are the ClipField names. */
export const CLIP_INPUT_ACTION = 'value';

const STAGES: { state: ClipState; label: string }[] = [
  { state: 'waiting', label: 'waiting' },
  { state: 'processing', label: 'processing' },
  { state: 'creating_asset', label: 'creating asset' },
  { state: 'finished', label: 'finished' },
];

function clipStateLabel(state: string): string {
  if (state === 'stopped') return 'no longer followed';
  return STAGES.find((s) => s.state === state)?.label ?? state;
}

function progressLine(state: string): string {
  if (state === 'failed') return ':x: failed';
  const reached = STAGES.findIndex((s) => s.state === state);
  return STAGES.map((s, i) => {
    if (i < reached || (i === reached && s.state === 'finished')) return `:white_check_mark: ${s.label}`;
    if (i === reached) return `:hourglass_flowing_sand: *${s.label}*`;
    return `:white_small_square: ${s.label}`;
  }).join('  →  ');
}

/** The text after the state: the video (or file) when finished, the reason when failed. */
function outcomeText(r: ClipRecord): { text: string; mrkdwn: string } | undefined {
  const o = r.data.outcome;
  if (!o) return undefined;
  if (o.state === 'failed') {
    return { text: o.reason, mrkdwn: `:x: *Failed:* ${escapeMrkdwn(o.reason)}` };
  }
  if (o.state === 'stopped') {
    return {
      text: o.reason,
      mrkdwn: `:warning: ${escapeMrkdwn(o.reason)} Check it with \`/brightcove clip status ${r.data.jvodId}\`.`,
    };
  }
  const duration = o.durationSec !== undefined ? ` (${o.durationSec}s)` : '';
  if (o.video) {
    const name = o.video.name ?? r.data.label;
    return {
      text: `Video Cloud video ${o.video.id} "${name}"${duration}: ${o.video.studioUrl}`,
      mrkdwn:
        `:white_check_mark: *Finished:* <${o.video.studioUrl}|${escapeMrkdwn(truncate(name, 200))}> ` +
        `(video ${o.video.id})${duration}`,
    };
  }
  if (o.url) {
    return {
      text: `written to ${o.url}${duration}`,
      mrkdwn: `:white_check_mark: *Finished:* written to \`${escapeEntities(o.url)}\`${duration}`,
    };
  }
  const note = o.note ?? 'the clip is done';
  return { text: note, mrkdwn: `:white_check_mark: *Finished.* ${escapeMrkdwn(note)}` };
}

/** The channel message of one clip; its text ends with the state ("… finished"). */
export function renderClipCard(r: ClipRecord): Reply {
  const d = r.data;
  const state = r.state;
  const head =
    `:scissors: *Clip "${escapeMrkdwn(truncate(d.label, 200))}"* from live job \`${d.liveJobId}\`\n` +
    `*Window:* ${escapeMrkdwn(d.window)}   *To:* ${escapeMrkdwn(d.destination)}`;
  const blocks: Block[] = [section(head), context(progressLine(state))];
  const outcome = outcomeText(r);
  if (outcome) blocks.push(section(outcome.mrkdwn));
  for (const w of d.warnings.slice(0, 3)) blocks.push(context(`:warning: ${escapeMrkdwn(w)}`));
  blocks.push(
    context(
      `Clip job \`${d.jvodId}\` · requested by <@${d.requestedBy}> · updated ${slackDate(new Date(r.updatedAt))}`,
    ),
  );
  const text =
    `Clip "${d.label}" from live job ${d.liveJobId} (clip job ${d.jvodId}): ` +
    (outcome ? `${outcome.text} — ` : '') +
    clipStateLabel(state);
  return { text, blocks, data: { ...d, state } };
}

/** A clip whose create call a restart cut short and that Brightcove never received. */
export function renderClipNotSent(intent: ClipIntent, reason: string): Reply {
  const d = intent.data;
  return {
    text: `Clip "${d.label}" from live job ${d.liveJobId} was not made: ${reason}`,
    blocks: [
      section(
        `:x: *Clip "${escapeMrkdwn(truncate(d.label, 200))}"* from live job \`${d.liveJobId}\` was not made.\n` +
          `*Window:* ${escapeMrkdwn(d.window)}   *To:* ${escapeMrkdwn(d.destination)}`,
      ),
      context(`${escapeMrkdwn(reason)} · requested by <@${d.requestedBy}>`),
    ],
  };
}

/** `clip status` for a clip the app did not create (no record): the Live API's view only. */
export function renderClipSnapshot(s: VodJobSnapshot): Reply {
  const label = typeof s.label === 'string' ? s.label : '(no label)';
  const job = typeof s.job_id === 'string' ? s.job_id : 'unknown';
  const url = typeof s.jvod_url === 'string' ? s.jvod_url : undefined;
  const text = `Clip job ${s.jvod_id} "${label}" of live job ${job}: ${s.jvod_state}${url ? ` (${url})` : ''}`;
  return {
    text,
    blocks: [
      section(
        `:scissors: Clip job \`${s.jvod_id}\` *"${escapeMrkdwn(truncate(label, 200))}"* of live job \`${job}\`: ` +
          `*${escapeMrkdwn(s.jvod_state)}*`,
      ),
      context('Not created by Brightcove Ops, so there is no Video Cloud lookup or channel message for it.'),
    ],
    data: s,
  };
}

export interface ClipListItem {
  jvodId: string;
  label: string;
  state: string;
  liveJobId: string;
  createdAt?: Date;
  videoUrl?: string;
  videoId?: string;
}

export function renderClipList(items: ClipListItem[], title: string): Reply {
  if (items.length === 0) {
    const text = `${title}: none.`;
    return { text, blocks: [section(text)], data: [] };
  }
  const line = (i: ClipListItem, slack: boolean): string => {
    const when = i.createdAt ? (slack ? slackDate(i.createdAt) : i.createdAt.toISOString()) : '';
    const video = i.videoId
      ? slack && i.videoUrl
        ? ` · <${i.videoUrl}|video ${i.videoId}>`
        : ` · video ${i.videoId}`
      : '';
    const name = slack ? `*${escapeMrkdwn(truncate(i.label, 80))}*` : `"${i.label}"`;
    const id = slack ? `\`${i.jvodId}\`` : i.jvodId;
    return `${when} ${name} ${id} · ${clipStateLabel(i.state)}${video}`.trim();
  };
  const shown = items.slice(0, 40);
  const chunks: string[] = [];
  for (const l of shown.map((i) => line(i, true))) {
    const last = chunks[chunks.length - 1];
    if (last !== undefined && last.length + l.length + 1 <= 2900) chunks[chunks.length - 1] = `${last}\n${l}`;
    else chunks.push(l);
  }
  return {
    text: [`${title}:`, ...shown.map((i) => `  ${line(i, false)}`)].join('\n'),
    blocks: [section(`*${escapeMrkdwn(title)}*`), ...chunks.slice(0, 40).map(section)],
    data: items,
  };
}

// ---------------------------------------------------------------- the modal

export function jobOption(job: LiveJobInfo): OptionObject {
  const created = job.created_at.slice(0, 16).replace('T', ' ');
  const status = job.finished_at ? `ended ${job.finished_at.slice(0, 16).replace('T', ' ')}` : 'LIVE';
  return option(`${status} · started ${created} UTC · ${job.id.slice(0, 8)}`, job.id);
}

const MODES = [
  option('Last … of the stream (duration)', 'last'),
  option('From … to …', 'range'),
  option('From … for (duration)', 'for'),
];

/** A field of the form (src/core/forms.ts: every field's action id is CLIP_INPUT_ACTION's `value`). */
const input = (
  blockId: ClipField,
  label: string,
  element: InputElement,
  opts: { optional?: boolean; hint?: string } = {},
): Block => formInput(blockId, label, element, opts);

const text = (placeholder: string, initial?: string): InputElement => ({
  type: 'plain_text_input',
  action_id: CLIP_INPUT_ACTION,
  placeholder: plain(placeholder, 150),
  ...(initial ? { initial_value: initial } : {}),
});

const TIME_HINT =
  '00:02:00 or 125s from stream start · 2026-11-21T10:00:00Z or epoch seconds · 01:10:18:15 SMPTE timecode. ' +
  'Start and end must be the same kind.';

/** The "new clip" modal; `privateMetadata` carries the channel the clip's message goes to. */
/** The option fields' hints are the grammar's flag descriptions, capitalized: one wording everywhere. */
const hint = (flag: Parameters<typeof clipFlagHelp>[0]) => {
  const d = clipFlagHelp(flag);
  return d.charAt(0).toUpperCase() + d.slice(1);
};

/** Jobs a static select lists at most (Slack's limit); past it, the field searches as the user types. */
const JOB_OPTIONS_MAX = 100;

export function renderClipModal(jobs: LiveJobInfo[], privateMetadata: string): ModalView {
  const options = jobs.slice(0, JOB_OPTIONS_MAX).map(jobOption);
  const jobField: InputElement =
    jobs.length > JOB_OPTIONS_MAX
      ? {
          type: 'external_select',
          action_id: CLIP_INPUT_ACTION,
          placeholder: plain('Type part of its id, or "live"'),
          min_query_length: 0,
        }
      : {
          type: 'static_select',
          action_id: CLIP_INPUT_ACTION,
          placeholder: plain('Pick a live or recent job'),
          options,
          ...(options.length === 1 && options[0] ? { initial_option: options[0] } : {}),
        };
  return {
    type: 'modal',
    callback_id: CLIP_MODAL_CALLBACK,
    title: plain('New clip', 24),
    submit: plain('Create clip', 24),
    close: plain('Cancel', 24),
    private_metadata: privateMetadata,
    blocks: [
      input('job', 'Live job', jobField),
      input(
        'mode',
        'What to clip',
        {
          type: 'static_select',
          action_id: CLIP_INPUT_ACTION,
          options: MODES,
          ...(MODES[0] ? { initial_option: MODES[0] } : {}),
        },
        {
          hint: '"Last" takes a duration; "from … to" takes a start and an end; "from … for" a start and a duration.',
        },
      ),
      input('start', 'Start', text('00:02:00'), { optional: true, hint: TIME_HINT }),
      input('end', 'End', text('00:03:00'), { optional: true }),
      input('duration', 'Duration', text('90s'), { optional: true, hint: '90s, 2m, 1h30m; at most 48h' }),
      input('name', 'Name', text('Goal 1'), { optional: true, hint: hint('name') }),
      input('tags', 'Tags', text('goal, highlights'), { optional: true, hint: hint('tags') }),
      input('destination', 'Destination', text('videocloud', 'videocloud'), {
        optional: true,
        hint: hint('to'),
      }),
      input('credentials', 'Credentials', text('s3-clips'), { optional: true, hint: hint('credentials') }),
      input('profile', 'Ingest profile', text('multi-platform-standard-static'), {
        optional: true,
        hint: hint('profile'),
      }),
    ],
  };
}

/** A plain "no jobs" explanation when there is nothing to pick. */
/** The live jobs one can clip now and the latest clips: the form's choices, where no form can open. */
export function renderClippableJobs(jobs: LiveJobInfo[], recent: ClipRecord[]): Reply {
  const jobLine = (j: LiveJobInfo) =>
    `${j.id}  ${j.finished_at ? `finished ${slackDate(new Date(j.finished_at))}` : 'live'} · started ${slackDate(new Date(j.created_at))}`;
  const lines = [
    `Live jobs to clip (${jobs.length}):`,
    ...jobs.slice(0, 20).map((j) => `  ${jobLine(j)}`),
    ...(recent.length
      ? [
          'Recent clips:',
          ...recent.map((r) => `  ${r.data.jvodId}  "${r.data.label}" · ${clipStateLabel(r.state)}`),
        ]
      : []),
    `Clip one: clip ${jobs[0]?.id ?? '<live-job-id>'} last 90s --name "…"`,
  ];
  return {
    text: lines.join('\n'),
    data: {
      jobs: jobs.map((j) => ({
        id: j.id,
        state: j.state,
        created_at: j.created_at,
        finished_at: j.finished_at ?? null,
      })),
      recent: recent.map((r) => r.data.jvodId),
    },
  };
}

export function noClippableJobs(): Reply {
  const msg =
    'No live or recent jobs to clip: the Live API lists none that are live or finished within the last 7 days.';
  return { text: msg, blocks: [section(`:information_source: ${msg}`)], data: { jobs: [] } };
}

/**
 * The Live account's stored credentials: label, type and whether it is the default for its type. Never
 * their values (the public half is a key id or user name: it stays out of Slack too).
 */
export function renderCredentials(creds: readonly LiveCredentialInfo[]): Reply {
  const data = creds.map((c) => ({
    label: c.label,
    type: c.type ?? null,
    defaultForType: c.defaultForType === true,
  }));
  if (data.length === 0) {
    const text =
      'The Live account has no stored credentials. Add one in Studio (or with the Live API) to clip to S3, FTP or another Video Cloud account, then use its label with --credentials.';
    return { text, blocks: [section(text)], data };
  }
  const line = (c: (typeof data)[number]) =>
    `${c.label}  ${c.type ?? 'unknown type'}${c.defaultForType ? '  (default for its type)' : ''}`;
  return {
    text: [`Stored Live credentials (${data.length}):`, ...data.map(line)].join('\n'),
    blocks: [
      section(`:key: *Stored Live credentials* (${data.length})`),
      section(
        data
          .map(
            (c) =>
              `• \`${escapeEntities(c.label)}\` ${escapeMrkdwn(c.type ?? 'unknown type')}${c.defaultForType ? ' · default for its type' : ''}`,
          )
          .join('\n'),
      ),
      context('Use a label with `--credentials <label>` when clipping to S3 or FTP.'),
    ],
    data,
  };
}
