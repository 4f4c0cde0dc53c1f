import { studioVideoUrl } from '../clips/tracker.js';
import { context, escapeMrkdwn, section, truncate } from '../core/blocks.js';
import type { Reply } from '../core/types.js';
import type { SearchHit } from '../sync/target.js';

/** The top matches, one line each: account, the name linked to Studio, the start of the description. */
export function renderSearch(
  words: string,
  target: string,
  hits: readonly SearchHit[],
  aliasOf: (accountId: string) => string,
): Reply {
  const data = hits.map((h) => ({
    ...h,
    account: aliasOf(h.accountId),
    studioUrl: studioVideoUrl(h.videoId),
  }));
  if (hits.length === 0) {
    const text = `No video in ${target} matches "${words}". Try fewer or other words; a video appears once a sync to ${target} is applied.`;
    return { text, blocks: [section(escapeMrkdwn(text))], data };
  }
  const lines = data.map((h) => {
    const about = h.description ? ` · ${escapeMrkdwn(truncate(h.description, 120))}` : '';
    return `• *${escapeMrkdwn(h.account)}* <${h.studioUrl}|${escapeMrkdwn(truncate(h.name || '(no name)', 100))}> \`${h.videoId}\`${about}`;
  });
  const title = `Top ${hits.length === 1 ? 'match' : `${hits.length} matches`} for "${words}" in ${target}`;
  return {
    text: [`${title}:`, ...data.map((h) => `${h.account}  ${h.videoId}  ${h.name}  ${h.studioUrl}`)].join(
      '\n',
    ),
    blocks: [
      section(`:mag: *${escapeMrkdwn(title)}*`),
      section(truncate(lines.join('\n'), 2900)),
      context('Name and tags weigh most, then the description. Open a video in Studio from its name.'),
    ],
    data,
  };
}
