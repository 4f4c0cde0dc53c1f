/**
 * A useful subset of the CMS v1 `q` search: `+`/`-` modifiers, field:value, tags (comma = OR), state, id,
 * reference_id, custom fields (all, or by internal name), free text on name/description, complete, and
 * date ranges `A..B` with open ends, ISO dates, `NOW` and relative values (`-1d`, `-2days`, `-4hours`).
 */
import type { CmsVideo } from '../../brightcove/schemas.js';

export class SearchError extends Error {}

interface Term {
  mode: 'must' | 'not' | 'should';
  field: string | null;
  value: string;
}

function tokenize(q: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of q) {
    if (ch === '"') quoted = !quoted;
    if (ch === ' ' && !quoted) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw new SearchError('unclosed quote');
  if (cur) out.push(cur);
  return out;
}

function parse(q: string): Term[] {
  return tokenize(q).map((tok) => {
    let mode: Term['mode'] = 'should';
    let t = tok;
    if (t.startsWith('+')) {
      mode = 'must';
      t = t.slice(1);
    } else if (t.startsWith('-') && t.includes(':')) {
      mode = 'not';
      t = t.slice(1);
    }
    const i = t.indexOf(':');
    const field = i > 0 ? t.slice(0, i) : null;
    const value = (i > 0 ? t.slice(i + 1) : t).replace(/^"|"$/g, '');
    if (field === 'tags' && value.endsWith(',')) throw new SearchError('tags search ends with a comma');
    return { mode, field, value };
  });
}

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/** A date bound; `end` makes a bare YYYY-MM-DD cover its whole day. */
function parseDateBound(v: string, now: number, end: boolean): number {
  if (v.toUpperCase() === 'NOW') return now;
  const rel = /^([+-]?\d+)([a-z]+)$/i.exec(v);
  if (rel) {
    const unit = UNIT_MS[rel[2]!.toLowerCase()];
    if (!unit) throw new SearchError(`bad relative date ${v}`);
    return now + Number(rel[1]) * unit;
  }
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) throw new SearchError(`bad date ${v}`);
  return end && /^\d{4}-\d{2}-\d{2}$/.test(v) ? t + 86_400_000 - 1 : t;
}

function matchDate(iso: string | null | undefined, value: string, now: number): boolean {
  if (!iso) return false;
  const t = Date.parse(iso);
  const [a, b] = value.includes('..') ? value.split('..') : [value, value];
  const from = a ? parseDateBound(a, now, false) : -Infinity;
  const to = b ? parseDateBound(b, now, true) : Infinity;
  return t >= from && t <= to;
}

const lc = (s: string | null | undefined) => (s ?? '').toLowerCase();

function matchTerm(v: CmsVideo, term: Term, now: number, customIds: Set<string>): boolean {
  const value = term.value.toLowerCase();
  switch (term.field) {
    case null:
    case 'text':
      return [v.name, v.description, v.long_description].some((s) => lc(s).includes(value));
    case 'name':
      return lc(v.name).includes(value);
    case 'tags':
      return value.split(',').some((tag) => v.tags.some((t) => t.toLowerCase() === tag));
    case 'state':
      return lc(v.state) === value;
    case 'id':
      return v.id === term.value;
    case 'reference_id':
      return v.reference_id === term.value;
    case 'complete':
      return String(v.complete ?? false) === value;
    case 'custom_fields':
      return Object.values(v.custom_fields).some((s) => lc(s).includes(value));
    case 'created_at':
    case 'updated_at':
    case 'published_at':
      return matchDate(v[term.field], term.value, now);
    default:
      if (customIds.has(term.field)) return lc(v.custom_fields[term.field]).includes(value);
      throw new SearchError(`unsupported search field ${term.field}`);
  }
}

export function searchFilter(
  q: string | null,
  now: number,
  customIds: Set<string>,
): (v: CmsVideo) => boolean {
  if (!q || q.trim() === '') return () => true;
  const terms = parse(q);
  const must = terms.filter((t) => t.mode === 'must');
  const not = terms.filter((t) => t.mode === 'not');
  const should = terms.filter((t) => t.mode === 'should');
  return (v) =>
    must.every((t) => matchTerm(v, t, now, customIds)) &&
    !not.some((t) => matchTerm(v, t, now, customIds)) &&
    (should.length === 0 || should.some((t) => matchTerm(v, t, now, customIds)));
}

const SORTABLE = new Set([
  'name',
  'reference_id',
  'created_at',
  'published_at',
  'updated_at',
  'schedule_starts_at',
  'schedule_ends_at',
  'schedule.starts_at',
  'schedule.ends_at',
  'state',
  'plays_total',
  'plays_trailing_week',
]);

export function sorter(sort: string): (a: CmsVideo, b: CmsVideo) => number {
  const desc = sort.startsWith('-');
  const field = desc ? sort.slice(1) : sort;
  if (!SORTABLE.has(field)) throw new SearchError(`Attempted to sort by invalid property: '${field}'`);
  // The accessor is chosen once: the comparator runs for every pair of a 100,000-video page walk.
  const key: (v: CmsVideo) => string = field.startsWith('schedule')
    ? field.endsWith('starts_at')
      ? (v) => String(v.schedule?.starts_at ?? '')
      : (v) => String(v.schedule?.ends_at ?? '')
    : field.startsWith('plays')
      ? () => ''
      : (v) => {
          const value = (v as Record<string, unknown>)[field];
          return typeof value === 'string' ? value : String(value ?? '');
        };
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return desc ? -c : c;
  };
}
