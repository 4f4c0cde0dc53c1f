/**
 * CMS API v1 simulator: videos, search, counts, sources, assets, custom fields, media sharing, and
 * notification subscriptions with `video-change` deliveries.
 */
import type { CmsVideo } from '../../brightcove/schemas.js';
import { makeVideo } from '../data/generate.js';
import type { SimAccount, SimShare } from '../data/types.js';
import { Notifier, type RetryPolicy } from './notify.js';
import { json, type SimRequest, type SimResponse, type SimRuntime } from './runtime.js';
import { SearchError, searchFilter, sorter } from './search.js';

export const cmsError = (status: number, code: string, message?: string): SimResponse =>
  json(status, [message === undefined ? { error_code: code } : { error_code: code, message }]);

const notFound = () => cmsError(404, 'RESOURCE_NOT_FOUND', 'Resource does not exist.');

export function cmsErrorBody(status: number): unknown {
  if (status === 429) return [{ error_code: 'TOO_MANY_REQUESTS', message: 'Too many requests' }];
  if (status === 503) return [{ error_code: 'SERVICE_UNAVAILABLE', message: 'Service unavailable' }];
  if (status === 504) return [{ error_code: 'TIMEOUT', message: 'Timeout' }];
  return [{ error_code: 'UNKNOWN', message: 'Unknown error' }];
}

/** A subscription id in the shape Brightcove returns (a UUID). */
function hexId(rng: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const cmsAccountOf = (path: string): string | null =>
  /^\/v1\/accounts\/([^/]+)/.exec(path)?.[1] ?? null;

interface CmsSimOptions {
  /** how long a share stays PROCESSING on the sim clock */
  shareDelayMs: number;
  /** video-change deliveries: any 4xx or 5xx is retried (CMS API Notifications, "Notification failures") */
  notifications?: RetryPolicy;
}

/** `POST /subscriptions` events (CMS API Notifications); only `video-change` is delivered here. */
const SUBSCRIPTION_EVENTS = new Set(['video-change', 'master-video-change']);
/** "You can specify up to 10 endpoints per event" */
const MAX_SUBSCRIPTIONS_PER_EVENT = 10;

interface SimSubscription {
  id: string;
  endpoint: string;
  events: string[];
  service_account: string;
}

type VideoChange = 'CREATE' | 'UPDATE' | 'DELETE';

export class CmsSim {
  #idCounter = 0;
  readonly #subscriptions = new Map<string, SimSubscription[]>();
  /** per video: the version the last notification carried ("each set of change events increments") */
  readonly #versions = new Map<string, number>();
  readonly notifier: Notifier;
  constructor(
    readonly runtime: SimRuntime,
    readonly opts: CmsSimOptions,
  ) {
    // [fake-decision] the page cuts off before the retry schedule: 5 attempts, n × 5 s apart, like Live's.
    this.notifier = new Notifier(opts.notifications ?? { retryBaseMs: 5_000, maxAttempts: 5 });
  }

  /** Every video-change delivery attempt so far. */
  get notifications() {
    return this.notifier.delivered;
  }

  subscriptionsOf(account: string): readonly SimSubscription[] {
    return this.#subscriptions.get(account) ?? [];
  }

  /**
   * Tells each `video-change` subscriber of the account that a video changed, as the CMS does: the
   * payload names the video and its version, never its fields.
   */
  videoChanged(account: string, videoId: string, action: VideoChange): void {
    const subs = this.subscriptionsOf(account).filter((s) => s.events.includes('video-change'));
    if (!subs.length) return;
    const version = (this.#versions.get(videoId) ?? 1) + 1;
    this.#versions.set(videoId, version);
    const payload = {
      account_id: account,
      updated_by: { ip: '127.0.0.1', type: 'user', user_agent: 'brightcove-sim' },
      action,
      video: videoId,
      event: 'video-change',
      version,
      timestamp: this.#now(),
    };
    for (const s of subs) this.notifier.deliver(s.endpoint, payload);
  }

  /** Edits a video as Studio would (tests): bumps `updated_at` and notifies. */
  updateVideo(account: string, id: string, fields: Partial<CmsVideo>): CmsVideo | undefined {
    const v = this.findVideo(account, id);
    if (!v) return undefined;
    Object.assign(v, fields, { updated_at: this.runtime.clock.now().toISOString() });
    this.videoChanged(account, id, 'UPDATE');
    return v;
  }

  get data() {
    return this.runtime.data;
  }
  #now = () => this.runtime.clock.now().getTime();
  account = (id: string): SimAccount | undefined => this.data.accounts.find((a) => a.id === id);
  videosOf = (account: string): CmsVideo[] => {
    this.data.videos[account] ??= [];
    return this.data.videos[account];
  };
  /**
   * By id through an index of each account's list (a linear find made a 100,000-video first sync, one
   * sources request per video, quadratic in the simulator). The index is rebuilt when the list's length
   * changed or a position no longer holds its video (tests edit the lists directly too).
   */
  findVideo = (account: string, id: string): CmsVideo | undefined => {
    const list = this.videosOf(account);
    let index = this.#index.get(list);
    if (!index || index.length !== list.length) index = this.#reindex(list);
    let at = index.at.get(id);
    if (at !== undefined && list[at]?.id !== id) at = this.#reindex(list).at.get(id);
    return at === undefined ? undefined : list[at];
  };
  readonly #index = new WeakMap<CmsVideo[], { length: number; at: Map<string, number> }>();
  #reindex(list: CmsVideo[]): { length: number; at: Map<string, number> } {
    const index = { length: list.length, at: new Map(list.map((v, i) => [v.id, i])) };
    this.#index.set(list, index);
    return index;
  }

  newVideoId(): string {
    this.#idCounter += 1;
    return `64${String(this.#idCounter).padStart(8, '0')}001`;
  }

  /** Create a video (used by share copies, clip jobs and tests); it appears in listings at once. */
  addVideo(account: string, fields: Partial<CmsVideo> & { name: string }, sourcesFrom?: string): CmsVideo {
    const id = fields.id ?? this.newVideoId();
    const base = makeVideo({
      accountId: account,
      id,
      createdAt: this.#now(),
      name: fields.name,
      kind: 'dynamic',
    });
    const video = { ...base, ...fields, id, account_id: account };
    this.videosOf(account).push(video);
    this.data.sources[id] = sourcesFrom ? [...(this.data.sources[sourcesFrom] ?? [])] : [];
    this.data.assets[id] = [];
    this.videoChanged(account, id, 'CREATE');
    return video;
  }

  deleteVideo(account: string, id: string): boolean {
    const list = this.videosOf(account);
    const i = list.findIndex((v) => v.id === id);
    if (i < 0) return false;
    list.splice(i, 1);
    this.videoChanged(account, id, 'DELETE');
    return true;
  }

  /** Resolve shares whose PROCESSING time has passed (lazy, on every request). */
  advanceShares(): void {
    const now = this.#now();
    for (const [videoId, shares] of Object.entries(this.data.shares)) {
      for (const share of shares) {
        if (share.status === 'PROCESSING' && share.resolveAt <= now) this.#resolveShare(videoId, share);
      }
    }
  }

  #shareError(master: CmsVideo, share: SimShare): { code: string; message: string } | null {
    const aff = this.account(share.affiliate_id);
    const masterAcc = this.account(master.account_id);
    if (!aff || !(this.data.members[master.account_id] ?? []).includes(aff.id)) {
      return { code: 'NOT_FOUND', message: 'Affiliate is not a member of the channel' };
    }
    if (!aff.sharingEnabled)
      return { code: 'SHARING_DISABLED', message: 'Affiliate account is not enabled for media sharing.' };
    if (masterAcc?.channel.enforce_custom_fields) {
      const affIds = new Set(aff.customFields.map((f) => f.id));
      const missing = Object.keys(master.custom_fields).filter((k) => !affIds.has(k));
      if (missing.length > 0) {
        return {
          code: 'MISSING_CUSTOM_FIELDS',
          message: `Affiliate account is missing custom fields: [${missing.join(', ')}]`,
        };
      }
      const illegal = Object.entries(master.custom_fields).filter(([k, v]) => {
        const def = aff.customFields.find((f) => f.id === k);
        return def?.type === 'enum' && !(def.enum_values ?? []).includes(v);
      });
      if (illegal.length > 0) {
        return {
          code: 'ILLEGAL_CUSTOM_FIELD_VALUE',
          message: `Illegal value for custom fields: [${illegal.map((e) => e[0]).join(', ')}]`,
        };
      }
    }
    if (masterAcc?.channel.enforce_geo && masterAcc.geoEnabled && master.geo && !aff.geoEnabled) {
      return { code: 'CONFLICT', message: 'Affiliate account is not configured for geo restriction.' };
    }
    if (
      master.reference_id &&
      this.videosOf(aff.id).some(
        (v) => v.reference_id === master.reference_id && v.id !== share.affiliate_video_id,
      )
    ) {
      return {
        code: 'REFERENCE_ID_IN_USE',
        message: `Reference id ${master.reference_id} is already in use`,
      };
    }
    return null;
  }

  #resolveShare(videoId: string, share: SimShare): void {
    const master = this.data.accounts.map((a) => this.findVideo(a.id, videoId)).find((v) => v !== undefined);
    const at = this.runtime.clock.now().toISOString();
    share.updated_at = at;
    if (!master) {
      share.status = 'ERROR';
      share.error_message = JSON.stringify([{ error_code: 'NOT_FOUND', error_message: 'Video not found' }]);
      return;
    }
    const err = this.#shareError(master, share);
    if (err) {
      share.status = 'ERROR';
      share.error_message = JSON.stringify([{ error_code: err.code, error_message: err.message }]);
      return;
    }
    const contract = this.data.contracts.find(
      (c) => c.account_id === share.affiliate_id && c.master_id === master.account_id,
    );
    const copyFields = {
      name: master.name,
      description: master.description ?? null,
      long_description: master.long_description ?? null,
      reference_id: master.reference_id ?? null,
      tags: [...master.tags],
      custom_fields: { ...master.custom_fields },
      duration: master.duration ?? null,
      complete: master.complete ?? true,
      updated_at: at,
      sharing: {
        by_external_acct: true,
        by_id: master.account_id,
        source_id: master.id,
        to_external_acct: false,
        by_reference: true,
      },
    };
    const existing = share.affiliate_video_id
      ? this.findVideo(share.affiliate_id, share.affiliate_video_id)
      : undefined;
    if (existing) {
      // a re-share overwrites the affiliate's metadata but keeps its video id
      Object.assign(existing, copyFields);
    } else {
      // Metadata assurance [inferred from Studio's required custom fields]: a video whose required fields
      // are empty cannot be active, so the copy waits INACTIVE until someone fills them in the affiliate.
      const affiliate = this.account(share.affiliate_id);
      const lacksRequired = (affiliate?.customFields ?? []).some(
        (f) => f.required === true && !copyFields.custom_fields[f.id],
      );
      const state = lacksRequired ? 'INACTIVE' : contract?.auto_accept ? 'ACTIVE' : 'PENDING';
      const copy = this.addVideo(share.affiliate_id, { ...copyFields, state }, master.id);
      share.affiliate_video_id = copy.id;
    }
    share.status = 'COMPLETE';
    share.error_message = null;
    master.sharing = {
      by_external_acct: false,
      by_id: null,
      source_id: null,
      to_external_acct: true,
      by_reference: false,
    };
  }

  #shareView(s: SimShare) {
    const { resolveAt: _r, ...view } = s;
    return view;
  }

  handle = (req: SimRequest): SimResponse => {
    this.advanceShares();
    const m = /^\/v1\/accounts\/([^/]+)\/(.*)$/.exec(req.path);
    if (!m) return notFound();
    const account = m[1]!;
    const rest = m[2]!.replace(/\/$/, '');
    const accept = req.headers.accept;
    if (accept && !/json|\*\/\*/.test(accept)) return cmsError(406, 'NOT_ACCEPTABLE', 'Not acceptable');
    const grant = this.runtime.authorize(req.headers, account);
    if (typeof grant === 'string') return cmsError(401, 'UNAUTHORIZED', 'Permission denied.');
    const acc = this.account(account);
    if (!acc) return cmsError(401, 'UNAUTHORIZED', 'Permission denied.');
    const parts = rest.split('/').map(decodeURIComponent);
    const [p0, p1, p2, p3] = parts;
    const method = req.method;
    try {
      if (p0 === 'videos' && parts.length === 1 && method === 'GET') return this.#list(acc, req);
      if (p0 === 'counts' && p1 === 'videos' && parts.length === 2) return this.#count(acc, req);
      if (p0 === 'videos' && p1 && parts.length === 2) return this.#video(acc, p1, req);
      if (p0 === 'videos' && p1 && p2 === 'sources' && method === 'GET') {
        const v = this.#byIdOrRef(acc.id, p1);
        return v ? json(200, this.data.sources[v.id] ?? []) : notFound();
      }
      if (p0 === 'videos' && p1 && p2 === 'assets' && method === 'GET') {
        const v = this.#byIdOrRef(acc.id, p1);
        if (!v) return notFound();
        const assets = this.data.assets[v.id] ?? [];
        if (p3 === 'renditions')
          return json(
            200,
            assets.filter((a) => a.type === 'FULL_LENGTH' || !a.type),
          );
        if (p3) return notFound();
        return json(200, assets);
      }
      if (p0 === 'videos' && p1 && p2 === 'shares') return this.#shares(acc, p1, p3, req);
      if (p0 === 'video_fields' && method === 'GET') {
        if (p1 === 'custom_fields') return json(200, acc.customFields);
        return json(200, { custom_fields: acc.customFields, standard_fields: [], max_custom_fields: 10 });
      }
      if (p0 === 'subscriptions' && parts.length <= 2) return this.#subscribe(acc, p1, req);
      if (p0 === 'channels') return this.#channels(acc, parts.slice(1), req);
      if (p0 === 'contracts') return this.#contracts(acc, p1, req);
      return notFound();
    } catch (err) {
      if (err instanceof SearchError) {
        const code = err.message.startsWith('Attempted to sort') ? 'INVALID_SORT' : 'ILLEGAL_QUERY';
        return cmsError(400, code, err.message);
      }
      throw err;
    }
  };

  /** `/subscriptions[/{id}]`: GET, POST (422 for each documented refusal), GET one, DELETE one. */
  #subscribe(acc: SimAccount, id: string | undefined, req: SimRequest): SimResponse {
    const mine = this.#subscriptions.get(acc.id) ?? [];
    this.#subscriptions.set(acc.id, mine);
    if (id !== undefined) {
      const i = mine.findIndex((s) => s.id === id);
      if (i < 0) return notFound();
      if (req.method === 'GET') return json(200, mine[i]);
      if (req.method === 'DELETE') {
        mine.splice(i, 1);
        return { status: 204 };
      }
      return cmsError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
    }
    if (req.method === 'GET') return json(200, mine);
    if (req.method !== 'POST') return cmsError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
    const body = (req.body ?? {}) as { endpoint?: unknown; events?: unknown };
    const refuse = (message: string) => cmsError(422, 'UNPROCESSABLE_ENTITY', message);
    if (typeof body.endpoint !== 'string' || body.events === undefined)
      return refuse('the endpoint or events field is missing from the request');
    if (!Array.isArray(body.events)) return refuse('events must be a list');
    const events = body.events.map(String);
    if (events.length !== 1 || !SUBSCRIPTION_EVENTS.has(events[0]!))
      return refuse('events must hold one of video-change or master-video-change');
    const endpoint = body.endpoint;
    if (mine.some((s) => s.endpoint === endpoint && s.events[0] === events[0]))
      return refuse(`you already have a ${events[0]} subscription that delivers to that address`);
    if (mine.filter((s) => s.events[0] === events[0]).length >= MAX_SUBSCRIPTIONS_PER_EVENT)
      return refuse(`you already have ${MAX_SUBSCRIPTIONS_PER_EVENT} subscriptions to this event`);
    const sub: SimSubscription = {
      id: `${hexId(this.runtime.rng)}`,
      endpoint,
      events,
      service_account: acc.id,
    };
    mine.push(sub);
    return json(201, sub);
  }

  #customIds(acc: SimAccount) {
    return new Set(acc.customFields.map((f) => f.id));
  }

  #matching(acc: SimAccount, q: string | null): CmsVideo[] {
    const filter = searchFilter(q, this.#now(), this.#customIds(acc));
    const wantDeleted = /state:deleted/i.test(q ?? '');
    return this.videosOf(acc.id).filter((v) => (wantDeleted || v.state !== 'DELETED') && filter(v));
  }

  #list(acc: SimAccount, req: SimRequest): SimResponse {
    const limit = Number(req.query.get('limit') ?? '20');
    const offset = Number(req.query.get('offset') ?? '0');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return cmsError(400, 'BAD_VALUE', 'limit must be between 1 and 100');
    }
    if (!Number.isInteger(offset) || offset < 0) return cmsError(400, 'BAD_VALUE', 'offset must be >= 0');
    const q = req.query.get('q');
    const sort = req.query.get('sort') ?? '-updated_at';
    this.runtime.faults.onListPage?.(acc.id, offset, Math.floor(offset / limit));
    const matching = this.#matching(acc, q);
    const order = sorter(sort);
    // Videos are kept in creation order, so the usual walk (sort=created_at) needs no sort: checking is
    // O(n), sorting 100,000 videos for every page took ~80 ms of the simulator's single thread, which
    // delayed the arrival of other requests and so skewed the rate limit it enforces.
    if (!isSorted(matching, order)) matching.sort(order);
    return json(200, matching.slice(offset, offset + limit));
  }

  #count(acc: SimAccount, req: SimRequest): SimResponse {
    return json(200, { count: this.#matching(acc, req.query.get('q')).length });
  }

  #byIdOrRef(account: string, key: string): CmsVideo | undefined {
    if (key.startsWith('ref:')) return this.videosOf(account).find((v) => v.reference_id === key.slice(4));
    return this.findVideo(account, key);
  }

  #video(acc: SimAccount, key: string, req: SimRequest): SimResponse {
    if (req.method === 'GET') {
      if (key.includes(',') && !key.startsWith('ref:')) {
        const ids = key.split(',');
        if (ids.length > 10) {
          return cmsError(
            400,
            'BAD_REQUEST',
            'ILLEGAL_PATH: A request for more than 10 videos is not supported',
          );
        }
        return json(
          200,
          ids.map((id) => this.findVideo(acc.id, id)).filter((v) => v !== undefined),
        );
      }
      const v = this.#byIdOrRef(acc.id, key);
      return v ? json(200, v) : notFound();
    }
    if (req.method === 'PATCH') {
      const v = this.#byIdOrRef(acc.id, key);
      if (!v) return notFound();
      const body = (req.body ?? {}) as Record<string, unknown>;
      if ('id' in body) return cmsError(422, 'VALIDATION_ERROR', 'Invalid keys: id');
      const cf = (body.custom_fields ?? {}) as Record<string, string>;
      const ids = this.#customIds(acc);
      const bad = Object.keys(cf).find((k) => !ids.has(k));
      if (bad) return cmsError(422, 'VALIDATION_ERROR', `custom_fields.${bad}: ILLEGAL_FIELD`);
      if (body.state !== undefined && body.state !== 'ACTIVE' && body.state !== 'INACTIVE') {
        return cmsError(422, 'VALIDATION_ERROR', 'state: ILLEGAL_VALUE');
      }
      const rid = body.reference_id;
      if (
        typeof rid === 'string' &&
        this.videosOf(acc.id).some((o) => o.reference_id === rid && o.id !== v.id)
      ) {
        return cmsError(409, 'REFERENCE_ID_IN_USE', `reference_id ${rid} is in use`);
      }
      Object.assign(v, body, {
        custom_fields: { ...v.custom_fields, ...cf },
        updated_at: this.runtime.clock.now().toISOString(),
      });
      this.videoChanged(acc.id, v.id, 'UPDATE');
      return json(200, v);
    }
    if (req.method === 'DELETE') {
      const v = this.#byIdOrRef(acc.id, key);
      if (!v) return notFound();
      if (v.sharing?.to_external_acct) return cmsError(400, 'SHARED_VIDEO', 'Delete of shared video failed.');
      this.deleteVideo(acc.id, v.id);
      return { status: 204 };
    }
    return cmsError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
  }

  #shares(acc: SimAccount, videoKey: string, affiliate: string | undefined, req: SimRequest): SimResponse {
    const video = this.#byIdOrRef(acc.id, videoKey);
    if (!video) return notFound();
    const list: SimShare[] = this.data.shares[video.id] ?? [];
    this.data.shares[video.id] = list;
    if (req.method === 'GET' && !affiliate)
      return json(
        200,
        list.map((s) => this.#shareView(s)),
      );
    if (req.method === 'GET' && affiliate) {
      const s = list.find((x) => x.affiliate_id === affiliate);
      return s ? json(200, this.#shareView(s)) : notFound();
    }
    if (req.method === 'POST' && !affiliate) {
      if (!acc.sharingEnabled)
        return cmsError(415, 'SHARING_DISABLED', 'Master account is not enabled for media sharing.');
      // fake-decision (reference §11): a shared-in copy cannot be passed on; refuse synchronously
      if (video.sharing?.by_external_acct)
        return cmsError(409, 'CONFLICT', 'Shared videos cannot be re-shared');
      if (video.delivery_type === 'live_origin') {
        return cmsError(409, 'LIVE_VIDEOS_NOT_SHAREABLE', 'Live videos cannot be shared');
      }
      const body = req.body;
      if (!Array.isArray(body) || body.some((b) => !b || typeof (b as { id?: unknown }).id !== 'string')) {
        return cmsError(422, 'VALIDATION_ERROR', 'body must be an array of {"id": "<affiliate_id>"}');
      }
      const at = this.runtime.clock.now().toISOString();
      const out: SimShare[] = [];
      for (const { id } of body as Array<{ id: string }>) {
        let share = list.find((s) => s.affiliate_id === id);
        if (!share) {
          share = {
            video_id: video.id,
            affiliate_id: id,
            affiliate_video_id: null,
            status: 'PROCESSING',
            shared_at: at,
            updated_at: at,
            error_message: null,
            resolveAt: 0,
          };
          list.push(share);
        }
        share.status = 'PROCESSING';
        share.updated_at = at;
        share.error_message = null;
        share.resolveAt = this.#now() + this.opts.shareDelayMs;
        out.push(share);
      }
      return json(
        202,
        out.map((s) => this.#shareView(s)),
      );
    }
    if (req.method === 'DELETE' && affiliate) {
      const i = list.findIndex((s) => s.affiliate_id === affiliate);
      if (i < 0) return notFound();
      const [share] = list.splice(i, 1);
      if (share?.affiliate_video_id) this.deleteVideo(affiliate, share.affiliate_video_id);
      return { status: 204 };
    }
    return cmsError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
  }

  #channelView(acc: SimAccount) {
    return { account_id: acc.id, account_name: acc.name, name: 'default', ...acc.channel };
  }

  #channels(acc: SimAccount, parts: string[], req: SimRequest): SimResponse {
    const [name, sub, affiliate] = parts;
    if (!name)
      return req.method === 'GET' ? json(200, [this.#channelView(acc)]) : cmsError(405, 'METHOD_NOT_ALLOWED');
    if (name !== 'default') return notFound();
    if (!sub) {
      if (req.method === 'GET') return json(200, this.#channelView(acc));
      if (req.method === 'PATCH') {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (typeof body.enforce_custom_fields === 'boolean')
          acc.channel.enforce_custom_fields = body.enforce_custom_fields;
        if (typeof body.enforce_geo === 'boolean') acc.channel.enforce_geo = body.enforce_geo;
        acc.channel.updated_at = this.runtime.clock.now().toISOString();
        return json(200, this.#channelView(acc));
      }
      return cmsError(405, 'METHOD_NOT_ALLOWED');
    }
    if (sub !== 'members') return notFound();
    const members: string[] = this.data.members[acc.id] ?? [];
    this.data.members[acc.id] = members;
    const memberView = (id: string) => ({
      account_id: id,
      account_name: this.account(id)?.name ?? null,
      approved: this.data.contracts.some((c) => c.account_id === id && c.master_id === acc.id && c.approved),
    });
    if (!affiliate)
      return req.method === 'GET' ? json(200, members.map(memberView)) : cmsError(405, 'METHOD_NOT_ALLOWED');
    if (req.method === 'GET')
      return members.includes(affiliate) ? json(200, memberView(affiliate)) : notFound();
    if (req.method === 'PUT') {
      const aff = this.account(affiliate);
      if (!acc.sharingEnabled || !aff?.sharingEnabled) {
        return cmsError(409, 'CONFLICT', 'Both accounts must be enabled for media sharing.');
      }
      if (!members.includes(affiliate)) members.push(affiliate);
      if (!this.data.contracts.some((c) => c.account_id === affiliate && c.master_id === acc.id)) {
        const at = this.runtime.clock.now().toISOString();
        this.data.contracts.push({
          account_id: affiliate,
          master_id: acc.id,
          approved: false,
          auto_accept: false,
          approved_at: null,
          created_at: at,
          updated_at: at,
        });
      }
      return json(200, { account_id: affiliate });
    }
    if (req.method === 'DELETE') {
      const i = members.indexOf(affiliate);
      if (i < 0) return notFound();
      members.splice(i, 1);
      return { status: 204 };
    }
    return cmsError(405, 'METHOD_NOT_ALLOWED');
  }

  #contracts(acc: SimAccount, master: string | undefined, req: SimRequest): SimResponse {
    const view = (c: (typeof this.data.contracts)[number]) => ({
      account_id: c.account_id,
      channel: { account_id: c.master_id, name: 'default' },
      channel_account_name: this.account(c.master_id)?.name ?? null,
      approved: c.approved,
      auto_accept: c.auto_accept,
      approved_at: c.approved_at,
      created_at: c.created_at,
      updated_at: c.updated_at,
    });
    const mine = this.data.contracts.filter((c) => c.account_id === acc.id);
    if (!master)
      return req.method === 'GET' ? json(200, mine.map(view)) : cmsError(405, 'METHOD_NOT_ALLOWED');
    const c = mine.find((x) => x.master_id === master);
    if (!c) return notFound();
    if (req.method === 'GET') return json(200, view(c));
    if (req.method === 'PATCH') {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const at = this.runtime.clock.now().toISOString();
      if (typeof body.approved === 'boolean') {
        c.approved = body.approved;
        c.approved_at = body.approved ? at : null;
      }
      if (typeof body.auto_accept === 'boolean') c.auto_accept = body.auto_accept;
      c.updated_at = at;
      return json(200, view(c));
    }
    return cmsError(405, 'METHOD_NOT_ALLOWED');
  }
}

function isSorted<T>(items: readonly T[], order: (a: T, b: T) => number): boolean {
  for (let i = 1; i < items.length; i++) if (order(items[i - 1]!, items[i]!) > 0) return false;
  return true;
}
