import type { AppConfig } from '../config/schema.js';
import { type ModalView, plain } from '../core/blocks.js';
import { formInput, option, scopeOptions, staticSelect, textInput } from '../core/forms.js';

/*
 * The forms `digest add`, `share` and `export` open without arguments (issue 17 item 5). Each field
 * is a part of the command line the form stands for (src/core/forms.ts), so the grammar checks it.
 */

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function modal(
  callbackId: string,
  title: string,
  submit: string,
  channel: string | undefined,
): Omit<ModalView, 'blocks'> {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title, 24),
    submit: plain(submit, 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify({ channel: channel ?? '' }),
  };
}

/** `digest add`: when, what, which zone, how many days; it posts in the channel it was opened from. */
export function renderDigestForm(config: AppConfig, channel: string | undefined): ModalView {
  return {
    ...modal('digest.form', 'New digest', 'Add digest', channel),
    blocks: [
      formInput(
        'when',
        'When',
        staticSelect(
          [option('Every day', 'daily'), ...DAYS.map((d) => option(`Every ${cap(d)}`, d))],
          'daily',
        ),
      ),
      formInput('time', 'At', { type: 'timepicker', action_id: 'value', initial_time: '09:00' }),
      formInput('scope', 'Accounts', staticSelect(scopeOptions(config), 'all')),
      formInput('tz', 'Time zone', textInput('Europe/Paris', config.timezone), {
        hint: 'An IANA time zone such as Europe/London or America/New_York.',
      }),
      formInput('days', 'Days covered', textInput('7', '7'), {
        hint: 'Each digest covers this many days, ending yesterday.',
      }),
    ],
  };
}

/** `share`: a video (id or ref:REF) to some affiliates, from the master account. */
export function renderShareForm(config: AppConfig, channel: string | undefined): ModalView {
  const accounts = config.accounts.map((a) => option(`${a.alias} (${a.id})`, a.alias));
  return {
    ...modal('share.form', 'Share a video', 'Check and share', channel),
    blocks: [
      // Search as you type: words of its name, its id, or ref: and its reference id.
      formInput(
        'video',
        'Video',
        {
          type: 'external_select',
          action_id: 'value',
          placeholder: plain('Type words of its name, its id, or ref:…'),
          min_query_length: 2,
        },
        { hint: 'A pre-flight card comes first; nothing is shared until it passes.' },
      ),
      formInput('to', 'Affiliates', {
        type: 'multi_static_select',
        action_id: 'value',
        placeholder: plain('Pick the affiliate accounts'),
        options: accounts.slice(0, 100),
      }),
      formInput('from', 'From (master account)', staticSelect(accounts), {
        optional: true,
        hint: 'Leave empty for the default master account.',
      }),
    ],
  };
}

/** `export`: what, for which accounts, which days (analytics), and where to. */
export function renderExportForm(
  config: AppConfig,
  destinations: string[],
  channel: string | undefined,
): ModalView {
  return {
    ...modal('export.form', 'New export', 'Export', channel),
    blocks: [
      formInput(
        'kind',
        'What',
        staticSelect(
          [
            option('Daily analytics (views by video and device)', 'analytics'),
            option('Catalogue (videos and fields)', 'catalog'),
          ],
          'analytics',
        ),
      ),
      formInput('scope', 'Accounts', staticSelect(scopeOptions(config), 'all')),
      formInput(
        'from',
        'First day (analytics)',
        { type: 'datepicker', action_id: 'value' },
        { optional: true },
      ),
      formInput(
        'to',
        'Last day (analytics)',
        { type: 'datepicker', action_id: 'value' },
        {
          optional: true,
          hint: 'Default: yesterday.',
        },
      ),
      formInput(
        'dest',
        'Where',
        staticSelect(
          [
            option('Attach the files here', 'here'),
            ...destinations.map((d) => option(`Destination ${d}`, d)),
          ],
          'here',
        ),
        { optional: true },
      ),
    ],
  };
}
