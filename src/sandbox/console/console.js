// The sandbox console: renders the Slack simulator's channel from Block Kit and sends the user's
// commands, clicks and modal submissions to the console server, which hands them to the simulator's
// user side (signed requests, exactly as Slack sends them). No framework: plain DOM.

const $ = (sel) => document.querySelector(sel);

const EMOJI = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  warning: '⚠️',
  x: '❌',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  arrow_forward: '▶️',
  moneybag: '💰',
  sparkles: '✨',
  heavy_multiplication_x: '✖️',
  grey_question: '❔',
  wastebasket: '🗑️',
  scissors: '✂️',
  white_small_square: '▫️',
  information_source: 'ℹ️',
  calendar: '📅',
  arrows_counterclockwise: '🔄',
  bar_chart: '📊',
  chart_with_upwards_trend: '📈',
  chart_with_downwards_trend: '📉',
  red_circle: '🔴',
  large_green_circle: '🟢',
  large_yellow_circle: '🟡',
  movie_camera: '🎥',
  film_frames: '🎞️',
  link: '🔗',
  lock: '🔒',
  key: '🔑',
  clock1: '🕐',
  alarm_clock: '⏰',
  rocket: '🚀',
  tada: '🎉',
  eyes: '👀',
  mag: '🔍',
  package: '📦',
  inbox_tray: '📥',
  outbox_tray: '📤',
  page_facing_up: '📄',
  arrow_up: '⬆️',
  arrow_down: '⬇️',
  arrow_right: '➡️',
  small_red_triangle: '🔺',
  small_red_triangle_down: '🔻',
  heavy_minus_sign: '➖',
  heavy_plus_sign: '➕',
  pencil2: '✏️',
  satellite: '📡',
  busts_in_silhouette: '👥',
  bust_in_silhouette: '👤',
  thumbsup: '👍',
  '+1': '👍',
  construction: '🚧',
  repeat: '🔁',
  stopwatch: '⏱️',
  earth_africa: '🌍',
  globe_with_meridians: '🌐',
};

const state = {
  boot: null,
  user: null,
  data: null,
  expanded: new Set(),
  dismissed: new Set(),
  previews: new Set(),
  openView: null,
  fieldErrors: {},
  history: [],
  historyIndex: -1,
  suggestIndex: 0,
};

// ---------------------------------------------------------------------------------------------
// DOM helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'html') node.innerHTML = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function escapeHtml(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Slack text arrives with &amp; &lt; &gt; escaped: decode them before escaping for HTML. */
function decodeSlack(s) {
  return String(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const slackToHtml = (s) => escapeHtml(decodeSlack(s));

function emojify(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] ?? m);
}

function toast(message) {
  const t = el('div', { class: 'toast', role: 'status' }, message);
  document.body.append(t);
  setTimeout(() => t.remove(), 4000);
}

// ---------------------------------------------------------------------------------------------
// mrkdwn

function ordinal(n) {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

function formatSlackDate(epochSec, format) {
  const d = new Date(epochSec * 1000);
  const month = d.toLocaleString('en-US', { month: 'long' });
  const monthShort = d.toLocaleString('en-US', { month: 'short' });
  const weekday = d.toLocaleString('en-US', { weekday: 'long' });
  const dayDiff = Math.round((new Date(d).setHours(0, 0, 0, 0) - new Date().setHours(0, 0, 0, 0)) / 86400000);
  const pretty = dayDiff === 0 ? 'Today' : dayDiff === -1 ? 'Yesterday' : dayDiff === 1 ? 'Tomorrow' : null;
  const pad = (n) => String(n).padStart(2, '0');
  const date = `${month} ${ordinal(d.getDate())}, ${d.getFullYear()}`;
  const dateShort = `${monthShort} ${d.getDate()}, ${d.getFullYear()}`;
  const dateLong = `${weekday}, ${date}`;
  const time = d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
  const timeSecs = d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit', second: '2-digit' });
  const secs = Math.round((Date.now() - d.getTime()) / 1000);
  const ago =
    Math.abs(secs) < 60
      ? 'just now'
      : Math.abs(secs) < 3600
        ? `${Math.round(secs / 60)} minutes ago`
        : Math.abs(secs) < 86400
          ? `${Math.round(secs / 3600)} hours ago`
          : `${Math.round(secs / 86400)} days ago`;
  const tokens = {
    date_num: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    date,
    date_short: dateShort,
    date_long: dateLong,
    date_pretty: pretty ?? date,
    date_short_pretty: pretty ?? dateShort,
    date_long_pretty: pretty ?? dateLong,
    time,
    time_secs: timeSecs,
    ago,
  };
  return format.replace(/\{([a-z_]+)\}/g, (m, k) => tokens[k] ?? m);
}

const DATE_TOKEN =
  /\{(date_num|date|date_short|date_long|date_pretty|date_short_pretty|date_long_pretty|time|time_secs|ago)\}/;

function angle(inner) {
  const [target, label] = splitOnce(inner, '|');
  const names = state.boot?.names ?? {};
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(label ?? names[id] ?? id)}</span>`;
  }
  if (target.startsWith('#')) {
    const name =
      label ?? (target.slice(1) === state.boot?.channel.id ? state.boot.channel.name : target.slice(1));
    return `<span class="mention">#${escapeHtml(name)}</span>`;
  }
  if (target.startsWith('!date^')) {
    const [, epoch, format, link] = target.split('^');
    const n = Number(epoch);
    // A format with none of Slack's tokens cannot be rendered, so Slack shows the fallback as plain text:
    // that is how the app escapes a literal `*`, `_`, `~` or backtick (src/core/blocks.ts, escapeMrkdwn).
    const renders = Number.isFinite(n) && format && DATE_TOKEN.test(format);
    const text = renders ? formatSlackDate(n, format) : decodeSlack(label ?? epoch);
    const safe = escapeHtml(text);
    if (!renders) return `<span class="literal">${safe}</span>`;
    return link
      ? `<a href="${escapeHtml(link)}" target="_blank" rel="noopener">${safe}</a>`
      : `<time>${safe}</time>`;
  }
  if (target.startsWith('!subteam^')) return `<span class="mention">${escapeHtml(label ?? '@group')}</span>`;
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(label ?? target.slice(1))}</span>`;
  const href = decodeSlack(target);
  const safeHref = /^(https?:|mailto:)/i.test(href) ? href : '#';
  return `<a href="${escapeHtml(safeHref)}" target="_blank" rel="noopener">${slackToHtml(label ?? target)}</a>`;
}

function splitOnce(s, sep) {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

const EDGE = '(?=$|[\\s.,;:!?)\\]\'"\uE000-])';

function inline(src) {
  const held = [];
  const hold = (html) => `\uE000${held.push(html) - 1}\uE001`;
  let s = src.replace(/`([^`\n]+)`/g, (_, c) => hold(`<code>${slackToHtml(c)}</code>`));
  s = s.replace(/<([^<>\n]+)>/g, (_, inner) => hold(angle(inner)));
  s = slackToHtml(s);
  s = s.replace(new RegExp(`(^|[\\s(\\[\uE001])\\*([^*\\n]+?)\\*${EDGE}`, 'g'), '$1<b>$2</b>');
  s = s.replace(new RegExp(`(^|[\\s(\\[\uE001>])_([^_\\n]+?)_${EDGE}`, 'g'), '$1<i>$2</i>');
  s = s.replace(new RegExp(`(^|[\\s(\\[\uE001>])~([^~\\n]+?)~${EDGE}`, 'g'), '$1<s>$2</s>');
  s = s.replace(/(^|\n)&gt; ?([^\n]*)/g, '$1<blockquote>$2</blockquote>');
  s = emojify(s);
  s = s.replace(/\n/g, '<br>').replace(/<\/blockquote><br>/g, '</blockquote>');
  return s.replace(/\uE000(\d+)\uE001/g, (_, i) => held[Number(i)]);
}

/** Slack mrkdwn → HTML: ```pre```, `code`, <links|mentions|dates>, *bold*, _italic_, ~strike~, > quotes. */
export function mrkdwn(text) {
  return String(text ?? '')
    .split('```')
    .map((part, i) =>
      i % 2 === 1 ? `<pre class="pre">${slackToHtml(part.replace(/^\n/, ''))}</pre>` : inline(part),
    )
    .join('');
}

function textObject(t) {
  if (!t) return '';
  if (typeof t === 'string') return escapeHtml(t);
  return t.type === 'mrkdwn' ? mrkdwn(t.text) : emojify(escapeHtml(t.text ?? ''));
}

const plain = (t) => (t == null ? '' : typeof t === 'string' ? t : (t.text ?? ''));

// ---------------------------------------------------------------------------------------------
// Block Kit

function fileUrl(id, download) {
  return `/api/files/${encodeURIComponent(id)}${download ? '?download=1' : ''}`;
}

function imageSrc(block) {
  if (block.image_url) return block.image_url;
  const f = block.slack_file;
  if (f?.id) return fileUrl(f.id);
  // slack_file by url: the sim's file urls end in the file id
  if (f?.url) return fileUrl(String(f.url).split('/').filter(Boolean).pop());
  return '';
}

function renderElement(e, msg, inModal) {
  switch (e.type) {
    case 'button': {
      const style = e.style === 'primary' ? 'primary' : e.style === 'danger' ? 'danger' : '';
      if (e.url) {
        return el(
          'a',
          {
            class: `btn ${style}`,
            href: e.url,
            target: '_blank',
            rel: 'noopener',
            dataset: { actionId: e.action_id ?? '' },
          },
          plain(e.text),
        );
      }
      return el(
        'button',
        {
          type: 'button',
          class: `btn ${style}`,
          dataset: { actionId: e.action_id ?? '' },
          onclick: (ev) => onButton(ev.currentTarget, e, msg),
          disabled: inModal,
        },
        emojifyText(plain(e.text)),
      );
    }
    case 'image':
      return el('img', { src: imageSrc(e), alt: e.alt_text ?? '', class: 'accessory-image' });
    case 'static_select':
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select':
    case 'overflow':
      return el(
        'select',
        {
          class: 'select',
          disabled: true,
          title: 'Selects inside messages are not supported by the sandbox yet',
        },
        el('option', {}, plain(e.placeholder) || (e.type === 'overflow' ? '⋯' : 'Select…')),
        ...(e.options ?? []).map((o) => el('option', { value: o.value }, plain(o.text))),
      );
    default:
      return el('span', { class: 'unsupported' }, `[${e.type}]`);
  }
}

function emojifyText(s) {
  return String(s).replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] ?? m);
}

function renderRichText(block) {
  const node = el('div', { class: 'block b-rich' });
  const inlineEl = (e) => {
    if (e.type === 'text') {
      let h = escapeHtml(e.text);
      if (e.style?.code) h = `<code>${h}</code>`;
      if (e.style?.bold) h = `<b>${h}</b>`;
      if (e.style?.italic) h = `<i>${h}</i>`;
      if (e.style?.strike) h = `<s>${h}</s>`;
      return h.replace(/\n/g, '<br>');
    }
    if (e.type === 'link')
      return `<a href="${escapeHtml(e.url)}" target="_blank" rel="noopener">${escapeHtml(e.text ?? e.url)}</a>`;
    if (e.type === 'user') return angle(`@${e.user_id}`);
    if (e.type === 'emoji') return EMOJI[e.name] ?? `:${e.name}:`;
    if (e.type === 'date') return angle(`!date^${e.timestamp}^${e.format}|${e.fallback ?? ''}`);
    return '';
  };
  for (const part of block.elements ?? []) {
    const inner = (part.elements ?? []).map(inlineEl).join('');
    if (part.type === 'rich_text_preformatted')
      node.insertAdjacentHTML('beforeend', `<pre class="pre">${inner}</pre>`);
    else if (part.type === 'rich_text_quote')
      node.insertAdjacentHTML('beforeend', `<blockquote>${inner}</blockquote>`);
    else if (part.type === 'rich_text_list') {
      const items = (part.elements ?? [])
        .map((s) => `<li>${(s.elements ?? []).map(inlineEl).join('')}</li>`)
        .join('');
      node.insertAdjacentHTML(
        'beforeend',
        part.style === 'ordered' ? `<ol>${items}</ol>` : `<ul>${items}</ul>`,
      );
    } else node.insertAdjacentHTML('beforeend', `<div>${inner}</div>`);
  }
  return node;
}

function renderBlock(b, msg, ctx) {
  switch (b.type) {
    case 'header':
      return el('div', { class: 'block b-header', html: emojify(escapeHtml(plain(b.text))) });
    case 'section': {
      const main = el('div', { class: 'section-main' });
      if (b.text) main.append(el('div', { class: 'section-text', html: textObject(b.text) }));
      if (b.fields?.length) {
        main.append(
          el('div', { class: 'b-fields' }, ...b.fields.map((f) => el('div', { html: textObject(f) }))),
        );
      }
      const node = el('div', { class: 'block b-section' }, main);
      if (b.accessory) node.append(renderElement(b.accessory, msg, ctx.inModal));
      return node;
    }
    case 'context':
      return el(
        'div',
        { class: 'block b-context' },
        ...(b.elements ?? []).map((e) =>
          e.type === 'image'
            ? el('img', { src: imageSrc(e), alt: e.alt_text ?? '' })
            : el('span', { html: textObject(e) }),
        ),
      );
    case 'divider':
      return el('hr', { class: 'b-divider' });
    case 'image':
      return el(
        'div',
        { class: 'block b-image' },
        b.title ? el('div', { class: 'image-title' }, plain(b.title)) : null,
        el('img', { src: imageSrc(b), alt: b.alt_text ?? '', title: b.alt_text ?? '' }),
      );
    case 'actions':
      return el(
        'div',
        { class: 'block b-actions' },
        ...(b.elements ?? []).map((e) => renderElement(e, msg, ctx.inModal)),
      );
    case 'input':
      return ctx.inModal ? renderInput(b) : el('div', { class: 'unsupported' }, '[input outside a modal]');
    case 'rich_text':
      return renderRichText(b);
    case 'file':
      return el('div', { class: 'block unsupported' }, `[remote file ${b.external_id ?? ''}]`);
    case 'video':
      return el(
        'div',
        { class: 'block' },
        el('a', { href: b.video_url, target: '_blank' }, plain(b.title) || 'video'),
      );
    default:
      return el('div', { class: 'block unsupported' }, `[unsupported block: ${b.type}]`);
  }
}

function renderBlocks(blocks, msg, ctx = {}) {
  return (blocks ?? []).map((b) => renderBlock(b, msg, ctx));
}

// ---------------------------------------------------------------------------------------------
// Buttons, confirm dialogs

function onButton(button, element, msg) {
  const go = () => clickAction(button, element, msg);
  if (element.confirm) confirmDialog(element.confirm, go);
  else go();
}

async function clickAction(button, element, msg) {
  button.disabled = true;
  try {
    const res = await post('/api/click', {
      user: state.user,
      channel: msg.channel,
      ts: msg.ts,
      actionId: element.action_id,
    });
    if (!res.ok) toast(res.error ?? `The app answered ${res.status}`);
  } finally {
    setTimeout(() => {
      button.disabled = false;
    }, 400);
  }
}

function confirmDialog(c, onConfirm) {
  const overlay = $('#overlay');
  const close = () => {
    overlay.hidden = true;
    overlay.replaceChildren();
  };
  const danger = c.style === 'danger';
  const dialog = el(
    'div',
    { class: 'dialog confirm-dialog', role: 'dialog', 'aria-modal': 'true' },
    el('div', { class: 'dialog-head' }, plain(c.title) || 'Are you sure?'),
    el('div', { class: 'dialog-body', html: textObject(c.text) }),
    el(
      'div',
      { class: 'dialog-foot' },
      el('button', { type: 'button', class: 'btn deny', onclick: close }, plain(c.deny) || 'Cancel'),
      el(
        'button',
        {
          type: 'button',
          class: `btn confirm ${danger ? 'danger solid' : 'primary'}`,
          onclick: () => {
            close();
            onConfirm();
          },
        },
        plain(c.confirm) || 'Yes',
      ),
    ),
  );
  overlay.replaceChildren(dialog);
  overlay.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Modals

function renderInput(b) {
  const e = b.element ?? {};
  const id = `in-${b.block_id}-${e.action_id}`;
  const wrap = el('div', {
    class: `input-block${state.fieldErrors[b.block_id] ? ' has-error' : ''}`,
    dataset: { blockId: b.block_id, actionId: e.action_id ?? '', type: e.type },
  });
  wrap.append(
    el(
      'label',
      { class: 'input-label', for: id },
      plain(b.label),
      b.optional ? el('span', { class: 'optional' }, ' (optional)') : null,
    ),
  );
  const placeholder = plain(e.placeholder);
  const options = e.options ?? (e.option_groups ?? []).flatMap((g) => g.options ?? []);
  switch (e.type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
      wrap.append(
        e.multiline
          ? el('textarea', { id, placeholder }, e.initial_value ?? '')
          : el('input', { id, type: 'text', placeholder, value: e.initial_value ?? '' }),
      );
      break;
    case 'number_input':
      wrap.append(
        el('input', {
          id,
          type: 'number',
          placeholder,
          value: e.initial_value ?? '',
          step: e.is_decimal_allowed ? 'any' : '1',
        }),
      );
      break;
    case 'datepicker':
      wrap.append(el('input', { id, type: 'date', value: e.initial_date ?? '' }));
      break;
    case 'timepicker':
      wrap.append(el('input', { id, type: 'time', value: e.initial_time ?? '' }));
      break;
    case 'static_select':
    case 'multi_static_select': {
      const multi = e.type === 'multi_static_select';
      const initial = new Set(
        (multi ? (e.initial_options ?? []) : e.initial_option ? [e.initial_option] : []).map((o) => o.value),
      );
      const select = el('select', { id, multiple: multi });
      if (!multi) select.append(el('option', { value: '' }, placeholder || 'Select an option'));
      for (const o of options)
        select.append(el('option', { value: o.value, selected: initial.has(o.value) }, plain(o.text)));
      wrap.append(select);
      break;
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const initial = new Set(
        (e.type === 'checkboxes'
          ? (e.initial_options ?? [])
          : e.initial_option
            ? [e.initial_option]
            : []
        ).map((o) => o.value),
      );
      for (const o of options) {
        wrap.append(
          el(
            'label',
            { class: 'choice' },
            el('input', {
              type: e.type === 'checkboxes' ? 'checkbox' : 'radio',
              name: id,
              value: o.value,
              checked: initial.has(o.value),
            }),
            ' ',
            plain(o.text),
          ),
        );
      }
      break;
    }
    default:
      wrap.append(el('div', { class: 'unsupported' }, `[${e.type} input]`));
  }
  if (b.hint) wrap.append(el('div', { class: 'hint' }, plain(b.hint)));
  const error = state.fieldErrors[b.block_id];
  if (error) wrap.append(el('div', { class: 'field-error', role: 'alert' }, error));
  return wrap;
}

function optionFor(e, value) {
  const options = e.options ?? (e.option_groups ?? []).flatMap((g) => g.options ?? []);
  return options.find((o) => o.value === value);
}

/** The view_submission `state.values` Slack builds from the inputs, plus client-side required checks. */
function collectValues(view, root) {
  const values = {};
  const missing = {};
  for (const b of view.blocks ?? []) {
    if (b.type !== 'input') continue;
    const e = b.element ?? {};
    const wrap = root.querySelector(`.input-block[data-block-id="${CSS.escape(b.block_id)}"]`);
    if (!wrap) continue;
    let v;
    let empty = false;
    switch (e.type) {
      case 'plain_text_input':
      case 'email_text_input':
      case 'url_text_input':
      case 'number_input': {
        const raw = wrap.querySelector('input, textarea').value;
        empty = raw.trim() === '';
        v = { type: e.type, value: empty ? null : raw };
        break;
      }
      case 'datepicker': {
        const raw = wrap.querySelector('input').value;
        empty = !raw;
        v = { type: e.type, selected_date: raw || null };
        break;
      }
      case 'timepicker': {
        const raw = wrap.querySelector('input').value;
        empty = !raw;
        v = { type: e.type, selected_time: raw || null };
        break;
      }
      case 'static_select': {
        const o = optionFor(e, wrap.querySelector('select').value);
        empty = !o;
        v = { type: e.type, selected_option: o ?? null };
        break;
      }
      case 'multi_static_select': {
        const picked = [...wrap.querySelector('select').selectedOptions]
          .map((o) => optionFor(e, o.value))
          .filter(Boolean);
        empty = picked.length === 0;
        v = { type: e.type, selected_options: picked };
        break;
      }
      case 'checkboxes': {
        const picked = [...wrap.querySelectorAll('input:checked')]
          .map((i) => optionFor(e, i.value))
          .filter(Boolean);
        empty = picked.length === 0;
        v = { type: e.type, selected_options: picked };
        break;
      }
      case 'radio_buttons': {
        const i = wrap.querySelector('input:checked');
        const o = i ? optionFor(e, i.value) : undefined;
        empty = !o;
        v = { type: e.type, selected_option: o ?? null };
        break;
      }
      default:
        continue;
    }
    if (empty && !b.optional) missing[b.block_id] = 'Please complete this required field.';
    values[b.block_id] = { [e.action_id]: v };
  }
  return { values, missing };
}

/** Errors go next to their inputs in place, so what the user typed stays. */
function showFieldErrors(root, errors) {
  state.fieldErrors = errors;
  for (const wrap of root.querySelectorAll('.input-block')) {
    wrap.querySelector('.field-error')?.remove();
    const error = errors[wrap.dataset.blockId];
    wrap.classList.toggle('has-error', Boolean(error));
    if (error) wrap.append(el('div', { class: 'field-error', role: 'alert' }, error));
  }
}

function renderModal(entry) {
  const overlay = $('#overlay');
  if (!entry) {
    if (overlay.querySelector('.modal')) {
      overlay.hidden = true;
      overlay.replaceChildren();
    }
    state.openView = null;
    return;
  }
  const key = `${entry.id}:${entry.hash}`;
  if (state.openView === key) return;
  state.openView = key;
  state.fieldErrors = {};
  const view = entry.view;
  const body = el('div', { class: 'dialog-body' }, ...renderBlocks(view.blocks, null, { inModal: true }));
  const close = async () => {
    state.fieldErrors = {};
    await post('/api/view/close', { user: state.user, viewId: entry.id });
  };
  const submit = async (ev) => {
    ev.preventDefault();
    const { values, missing } = collectValues(view, body);
    if (Object.keys(missing).length) {
      showFieldErrors(body, missing);
      return;
    }
    const button = ev.submitter ?? form.querySelector('.submit');
    if (button) button.disabled = true;
    const res = await post('/api/view/submit', { user: state.user, viewId: entry.id, values });
    if (button) button.disabled = false;
    if (res.errors) showFieldErrors(body, res.errors);
    else {
      showFieldErrors(body, {});
      if (!res.ok) toast(res.error ?? `The app answered ${res.status}`);
    }
  };
  const form = el(
    'form',
    {
      class: 'dialog modal',
      role: 'dialog',
      'aria-modal': 'true',
      dataset: { viewId: entry.id },
      onsubmit: submit,
    },
    el(
      'div',
      { class: 'dialog-head' },
      plain(view.title),
      el('button', { type: 'button', class: 'x', 'aria-label': 'Close', onclick: close }, '×'),
    ),
    body,
    el(
      'div',
      { class: 'dialog-foot' },
      el('button', { type: 'button', class: 'btn cancel', onclick: close }, plain(view.close) || 'Cancel'),
      view.submit ? el('button', { type: 'submit', class: 'btn primary submit' }, plain(view.submit)) : null,
    ),
  );
  overlay.replaceChildren(form);
  overlay.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Messages

function timeOf(ts) {
  return new Date(Number(ts) * 1000).toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
}

function sizeOf(n) {
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;
}

function renderFile(f) {
  const ext = (f.filename.split('.').pop() ?? '').toUpperCase().slice(0, 4);
  const node = el('div', { class: 'file', dataset: { fileId: f.id } });
  const actions = el('div', { class: 'file-actions' });
  node.append(
    el(
      'div',
      { class: 'file-head' },
      el('div', { class: 'file-icon' }, ext),
      el(
        'div',
        {},
        el('div', { class: 'file-name' }, f.title),
        el('div', { class: 'file-size' }, `${f.filename} · ${sizeOf(f.size)}`),
      ),
      actions,
    ),
  );
  if (f.isImage) {
    node.append(el('img', { src: fileUrl(f.id), alt: f.altText ?? f.title, class: 'file-image' }));
  } else if (f.preview !== undefined) {
    const pre = el(
      'pre',
      { class: 'pre file-preview', hidden: !state.previews.has(f.id) },
      f.preview + (f.truncated ? '\n…' : ''),
    );
    actions.append(
      el(
        'button',
        {
          type: 'button',
          class: 'preview-toggle',
          onclick: (ev) => {
            pre.hidden = !pre.hidden;
            // Remembered: every live update re-renders the channel.
            if (pre.hidden) state.previews.delete(f.id);
            else state.previews.add(f.id);
            ev.currentTarget.textContent = pre.hidden ? 'Preview' : 'Hide';
          },
        },
        state.previews.has(f.id) ? 'Hide' : 'Preview',
      ),
    );
    node.append(pre);
  }
  actions.append(el('a', { href: fileUrl(f.id, true), download: f.filename }, 'Download'));
  return node;
}

function renderMessage(m, { thread = false } = {}) {
  const isBot = !m.echo;
  const me = state.boot.users.find((u) => u.id === state.user);
  const author = isBot ? state.boot.bot.name : (me?.name ?? state.user);
  const body = el('div', { class: 'msg-body' });
  const node = el(
    'div',
    {
      class: `msg${m.ephemeral ? ' ephemeral' : ''}${m.echo ? ' echo' : ''}`,
      dataset: { ts: m.ts, channel: m.channel ?? '' },
    },
    el('div', { class: `avatar ${isBot ? 'bot' : 'user'}` }, isBot ? 'B' : author.slice(0, 1).toUpperCase()),
    body,
  );
  if (m.ephemeral) {
    body.append(
      el(
        'div',
        { class: 'only-you' },
        '👁 Only visible to you',
        el(
          'span',
          {
            class: 'dismiss',
            onclick: () => {
              state.dismissed.add(m.ts);
              render();
            },
          },
          'Dismiss',
        ),
      ),
    );
  }
  body.append(
    el(
      'div',
      { class: 'msg-meta' },
      el('span', { class: 'author' }, author),
      isBot ? el('span', { class: 'app-badge' }, 'APP') : null,
      el('span', { class: 'time' }, timeOf(m.ts)),
      m.edited ? el('span', { class: 'edited' }, '(edited)') : null,
    ),
  );
  if (m.echo) {
    body.append(el('div', { class: 'command' }, m.text));
    if (m.error) body.append(el('div', { class: 'echo-error' }, m.error));
    return node;
  }
  if (m.blocks?.length) body.append(...renderBlocks(m.blocks, m));
  else if (m.text) body.append(el('div', { class: 'block', html: mrkdwn(m.text) }));
  for (const f of m.files ?? []) body.append(renderFile(f));
  if (!thread && m.replyCount > 0) {
    const open = state.expanded.has(m.ts);
    body.append(
      el(
        'button',
        {
          type: 'button',
          class: 'thread-toggle',
          onclick: () => {
            if (open) state.expanded.delete(m.ts);
            else state.expanded.add(m.ts);
            render();
          },
        },
        open ? 'Hide replies' : `${m.replyCount} ${m.replyCount === 1 ? 'reply' : 'replies'}`,
      ),
    );
    if (open) {
      const replies = state.data.messages.filter((r) => r.threadTs === m.ts);
      body.append(el('div', { class: 'thread' }, ...replies.map((r) => renderMessage(r, { thread: true }))));
    }
  }
  return node;
}

function render() {
  const data = state.data;
  if (!data || !state.boot) return;
  const list = $('#messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  const items = [
    ...data.messages.filter((m) => !m.threadTs),
    ...data.ephemerals.filter((m) => !state.dismissed.has(m.ts)),
    ...data.echoes.map((e) => ({ ...e, echo: true })),
  ].sort((a, b) => a.order - b.order);
  if (!items.length) {
    list.replaceChildren(
      el(
        'div',
        { class: 'empty' },
        'This is the very beginning of #video-ops. Type ',
        el('code', {}, '/brightcove help'),
        ' below to start.',
      ),
    );
  } else {
    list.replaceChildren(...items.map((m) => renderMessage(m)));
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
  renderModal(data.views[data.views.length - 1]);
}

// ---------------------------------------------------------------------------------------------
// Composer: /brightcove with the usage hint and suggestions

function suggestions(value) {
  const m = /^\/b?r?i?g?h?t?c?o?v?e?\s*(\S*)$/.exec(value);
  if (!value.startsWith('/') || !m) return [];
  const word = value.startsWith('/brightcove') ? m[1].toLowerCase() : '';
  return state.boot.commands.filter((c) => c.name.startsWith(word));
}

function renderSuggest() {
  const box = $('#suggest');
  const list = suggestions($('#composer').value);
  if (!list.length) {
    box.hidden = true;
    return;
  }
  state.suggestIndex = Math.min(state.suggestIndex, list.length - 1);
  box.replaceChildren(
    ...list.map((c, i) =>
      el(
        'div',
        {
          class: `suggest-item${i === state.suggestIndex ? ' active' : ''}`,
          onmousedown: (ev) => {
            ev.preventDefault();
            pick(c);
          },
        },
        el('div', { class: 's-usage' }, c.usage.map((u) => `/brightcove ${u}`).join('   ·   ')),
        el('div', { class: 's-summary' }, c.summary),
      ),
    ),
  );
  box.hidden = false;
}

function pick(c) {
  const input = $('#composer');
  input.value = `/brightcove ${c.name} `;
  $('#suggest').hidden = true;
  input.focus();
}

async function sendCommand(text) {
  const value = text.trim();
  if (!value) return;
  if (!/^\/brightcove(\s|$)/.test(value)) {
    toast('The sandbox speaks one command: /brightcove … (try /brightcove help)');
    return;
  }
  state.history.push(value);
  state.historyIndex = state.history.length;
  $('#composer').value = '';
  $('#suggest').hidden = true;
  const res = await post('/api/command', { user: state.user, text: value });
  if (!res.ok && res.error) toast(res.error);
}

function setupComposer() {
  const input = $('#composer');
  $('#composer-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void sendCommand(input.value);
  });
  input.addEventListener('input', () => {
    state.suggestIndex = 0;
    renderSuggest();
  });
  input.addEventListener('blur', () => {
    $('#suggest').hidden = true;
  });
  input.addEventListener('keydown', (ev) => {
    const list = $('#suggest').hidden ? [] : suggestions(input.value);
    if (list.length && (ev.key === 'ArrowDown' || ev.key === 'ArrowUp')) {
      ev.preventDefault();
      state.suggestIndex =
        (state.suggestIndex + (ev.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length;
      renderSuggest();
    } else if (list.length && ev.key === 'Tab') {
      ev.preventDefault();
      pick(list[state.suggestIndex]);
    } else if (ev.key === 'ArrowUp' && state.history.length && !input.value) {
      ev.preventDefault();
      state.historyIndex = Math.max(0, state.historyIndex - 1);
      input.value = state.history[state.historyIndex] ?? '';
    } else if (ev.key === 'Escape') {
      $('#suggest').hidden = true;
    }
  });
  $('#usage-hint').textContent = `/brightcove  ${state.boot.usageHint}`;
}

// ---------------------------------------------------------------------------------------------
// Users, data, live updates

function setupPicker() {
  const picker = $('#user-picker');
  for (const u of state.boot.users) picker.append(el('option', { value: u.id }, `${u.name} (${u.role})`));
  const saved = localStorage.getItem('bcops-sandbox-user');
  state.user = state.boot.users.some((u) => u.id === saved) ? saved : state.boot.users[0].id;
  picker.value = state.user;
  const note = () => {
    $('#role-note').textContent = state.boot.users.find((u) => u.id === state.user)?.description ?? '';
  };
  note();
  picker.addEventListener('change', () => {
    state.user = picker.value;
    localStorage.setItem('bcops-sandbox-user', state.user);
    state.openView = null;
    state.fieldErrors = {};
    note();
    void refresh();
  });
}

async function post(path, body) {
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    return { status: res.status, ...json, ok: res.ok && json.ok !== false };
  } catch (err) {
    return { ok: false, status: 0, error: `The sandbox is not reachable (${err.message})` };
  }
}

let inflight = null;
let again = false;

async function refresh() {
  if (inflight) {
    again = true;
    return inflight;
  }
  inflight = (async () => {
    do {
      again = false;
      const user = state.user;
      const res = await fetch(`/api/state?user=${encodeURIComponent(user)}`);
      if (res.ok && user === state.user) {
        state.data = await res.json();
        render();
      }
    } while (again);
  })().finally(() => {
    inflight = null;
  });
  return inflight;
}

function connect() {
  const live = $('#live');
  const source = new EventSource('/api/events');
  source.addEventListener('change', () => void refresh());
  source.addEventListener('open', () => live.classList.add('on'));
  source.addEventListener('error', () => live.classList.remove('on'));
}

async function main() {
  state.boot = await (await fetch('/api/bootstrap')).json();
  $('#channel-name').textContent = state.boot.channel.name;
  $('#channel-title').textContent = state.boot.channel.name;
  setupPicker();
  setupComposer();
  await refresh();
  connect();
  document.body.dataset.ready = 'true';
  $('#composer').focus();
}

void main();
