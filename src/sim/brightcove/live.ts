/**
 * Live API v1 simulator: live jobs, clip (VOD) jobs with the reference's validation rules, clip progress
 * driven by the injected clock (`tick()`), notifications POSTed to each output's URLs with retries and
 * occasional duplicates, and a finished Video Cloud clip appearing in the CMS simulator.
 */
import type { LiveJob, VodOutputRequest } from '../../brightcove/schemas.js';
import { hex32 } from '../data/rng.js';
import type { SimVodJob } from '../data/types.js';
import type { CmsSim } from './cms.js';
import { type DeliveredNotification, Notifier } from './notify.js';
import { json, type SimRequest, type SimResponse, type SimRuntime } from './runtime.js';

export const liveErrorBody = (status: number): unknown =>
  status === 429 ? { message: 'Too Many Requests' } : { error: 'Internal server error' };

const invalid = () => json(400, { error: 'Invalid input value' });
const noResults = () => json(500, { error: 'DB getItem, no results found' });

export interface LiveSimOptions {
  /** ms after creation at which a clip reaches processing, creating_asset, finished */
  clipTimingsMs: { processing: number; creating_asset: number; finished: number };
  /** the Video Cloud account linked to the Live account (clips land there by default) */
  linkedAccount: string;
  /** probability that a notification is delivered twice (seeded) */
  duplicateRate: number;
  notificationRetryBaseMs: number;
  notificationMaxAttempts: number;
}

const SEVEN_DAYS = 7 * 86_400;

export class LiveSim {
  readonly #notifier: Notifier;

  constructor(
    readonly runtime: SimRuntime,
    readonly cms: CmsSim,
    readonly opts: LiveSimOptions,
  ) {
    // the documented schedule: next = now + retry_count * 5 s
    this.#notifier = new Notifier({
      retryBaseMs: opts.notificationRetryBaseMs,
      maxAttempts: opts.notificationMaxAttempts,
    });
  }

  get notifications(): readonly DeliveredNotification[] {
    return this.#notifier.delivered;
  }

  get data() {
    return this.runtime.data;
  }

  /** Wait until every notification delivery started so far has finished (incl. retries). */
  flush(): Promise<void> {
    return this.#notifier.flush();
  }

  close(): void {
    this.#notifier.close();
  }

  /** Add a live job (tests): created `ageMs` ago, finished `finishedAgoMs` ago or still live. */
  addJob(ageMs: number, finishedAgoMs: number | null = null): LiveJob {
    const now = this.runtime.clock.now().getTime();
    const created = now - ageMs;
    const finished = finishedAgoMs == null ? null : now - finishedAgoMs;
    const job: LiveJob = {
      id: hex32(this.runtime.rng),
      state: finished ? 'finished' : 'processing',
      created_at: new Date(created).toISOString(),
      finished_at: finished ? new Date(finished).toISOString() : null,
      region: 'us-west-2',
      state_history: [{ state: 'waiting', transition_timestamp: created }],
      stream: {
        created_at: new Date(created).toISOString(),
        finished_at: finished ? new Date(finished).toISOString() : null,
      },
    };
    this.data.liveJobs.push(job);
    return job;
  }

  tick(): void {
    const now = this.runtime.clock.now().getTime();
    for (const vod of this.data.vodJobs) {
      if (['finished', 'failed', 'error', 'cancelled'].includes(vod.jvod_state)) continue;
      if (vod.jvod_state === 'cancelling') {
        this.#transition(vod, 'cancelled', now);
        continue;
      }
      for (const step of vod.schedule) {
        if (step.at > now || this.#rank(step.state) <= this.#rank(vod.jvod_state)) continue;
        if (step.state === 'finished' && !this.#finish(vod, step.at)) break;
        this.#transition(vod, step.state, step.at);
      }
    }
  }

  #rank(state: string): number {
    return ['waiting', 'processing', 'creating_asset', 'finished'].indexOf(state);
  }

  #finish(vod: SimVodJob, at: number): boolean {
    vod.jvod_finished_at = at;
    vod.jvod_reported_duration_s = vod.jvod_duration_s ?? null;
    const vc = vod.output.videocloud;
    if (!vc || !vod.targetAccount) return true;
    const ref = vc.video.reference_id;
    if (ref && this.cms.videosOf(vod.targetAccount).some((v) => v.reference_id === ref)) {
      this.#transition(vod, 'failed', at);
      return false;
    }
    const video = this.cms.addVideo(vod.targetAccount, {
      name: vc.video.name,
      reference_id: ref ?? null,
      tags: vc.video.tags ?? [],
      duration: Math.round((vod.jvod_reported_duration_s ?? 0) * 1000),
    });
    vod.createdVideoId = video.id;
    return true;
  }

  #transition(vod: SimVodJob, state: string, at: number): void {
    vod.jvod_state = state;
    vod.jvod_last_state_change_at = at;
    const payload = { event: 'state_changed', ...this.#view(vod) };
    for (const n of vod.output.notifications ?? []) {
      const url = typeof n === 'string' ? n : n.url;
      const times = this.runtime.rng() < this.opts.duplicateRate ? 2 : 1;
      for (let i = 0; i < times; i++) this.#notifier.deliver(url, payload);
    }
  }

  #view(vod: SimVodJob): Record<string, unknown> {
    const { output: _o, targetAccount: _t, createdVideoId: _c, schedule: _s, failWith: _f, ...view } = vod;
    return view;
  }

  handle = (req: SimRequest): SimResponse => {
    const key = req.headers['x-api-key'];
    if (key !== this.data.liveApiKey) return json(401, { message: 'Unauthorized' });
    this.tick();
    const p = req.path.replace(/\/$/, '').split('/').slice(1);
    const [v1, r0, id, sub, subId] = p;
    if (v1 !== 'v1') return json(404, { message: 'Unauthorized' });
    if (r0 === 'jobs' && !id && req.method === 'GET') return json(200, { jobs: this.data.liveJobs });
    if (r0 === 'jobs' && id && !sub && req.method === 'GET') {
      const job = this.data.liveJobs.find((j) => j.id === id);
      return job ? json(200, { job }) : noResults();
    }
    if (r0 === 'jobs' && id && sub === 'vods' && !subId) {
      if (req.method === 'POST') return this.#create({ ...(req.body as object), live_job_id: id });
      if (req.method === 'GET') {
        if (!this.data.liveJobs.some((j) => j.id === id)) return noResults();
        return this.#listVods(
          this.data.vodJobs.filter((v) => v.job_id === id),
          req.query,
        );
      }
    }
    if (r0 === 'vods' && !id && req.method === 'POST') return this.#create(req.body);
    if (r0 === 'vods' && id) {
      const vod = this.data.vodJobs.find((v) => v.jvod_id === id);
      if (!vod) return noResults();
      if (!sub && req.method === 'GET') return json(200, this.#view(vod));
      if (sub === 'cancel' && req.method === 'PUT') {
        if (['finished', 'failed', 'error', 'cancelled', 'cancelling'].includes(vod.jvod_state)) {
          return json(500, { error: 'After filtering, there is no job to process' });
        }
        vod.jvod_cancelling_flag = true;
        this.#transition(vod, 'cancelling', this.runtime.clock.now().getTime());
        return json(200, this.#view(vod));
      }
    }
    if (r0 === 'credentials' && !id && req.method === 'GET') return json(200, this.data.liveCredentials);
    return json(404, { message: 'Unauthorized' });
  };

  /** B4's listing: filters (`[a,b]` = OR, `gt:`/`ge:`/`lt:`/`le:`, quoted strings), sort, page_size, tokens. */
  #listVods(vods: SimVodJob[], q: URLSearchParams): SimResponse {
    const FIELDS: Record<string, keyof SimVodJob> = {
      label: 'label',
      jvod_state: 'jvod_state',
      jvod_type: 'jvod_type',
      created_at: 'jvod_created_at',
      modified_at: 'jvod_last_state_change_at',
    };
    let rows = vods;
    for (const [param, field] of Object.entries(FIELDS)) {
      const filter = q.get(param);
      if (filter !== null) rows = rows.filter((v) => matchesFilter(v[field], filter));
    }
    const sortField = q.get('sort') === 'modified_at' ? 'jvod_last_state_change_at' : 'jvod_created_at';
    const dir = q.get('sort_dir') === 'desc' ? -1 : 1;
    rows = [...rows].sort((a, b) => dir * (Number(a[sortField]) - Number(b[sortField])));
    const pageSize = Number(q.get('page_size') ?? 10);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) return invalid();
    const offset = Number(q.get('start_token') ?? 0);
    if (!Number.isInteger(offset) || offset < 0) return invalid();
    const page = rows.slice(offset, offset + pageSize);
    return json(200, {
      vod_jobs: page.map((v) => this.#view(v)),
      ...(offset + pageSize < rows.length ? { next_token: String(offset + pageSize) } : {}),
      ...(offset > 0 ? { start_token: String(offset) } : {}),
    });
  }

  #create(body: unknown): SimResponse {
    const b = (body ?? {}) as { live_job_id?: unknown; outputs?: unknown };
    if (typeof b.live_job_id !== 'string' || !Array.isArray(b.outputs) || b.outputs.length === 0)
      return invalid();
    const job = this.data.liveJobs.find((j) => j.id === b.live_job_id);
    if (!job) return noResults();
    const now = this.runtime.clock.now().getTime();
    const windows: Array<{ start: number; end: number }> = [];
    for (const raw of b.outputs as VodOutputRequest[]) {
      const w = this.#validate(job, raw, now);
      if ('error' in w) return json(400, { error: w.error });
      windows.push(w);
    }
    const created = (b.outputs as VodOutputRequest[]).map((output, i) => {
      const w = windows[i]!;
      const t = this.opts.clipTimingsMs;
      const vod: SimVodJob = {
        jvod_id: hex32(this.runtime.rng),
        job_id: job.id,
        label: output.label,
        jvod_state: 'waiting',
        jvod_type: output.url?.startsWith('ftp') ? 'ftp' : 's3',
        jvod_url: output.url ?? `s3://alive-pr-us-west-2-di-tmp/${job.id}.mp4`,
        jvod_created_at: now,
        jvod_last_state_change_at: now,
        jvod_finished_at: 0,
        jvod_duration_s: Math.round(w.end - w.start),
        jvod_reported_duration_s: null,
        jvod_progress: 0,
        jvod_cancelling_flag: false,
        jvod_region: 'us-west-2',
        account_id: 'live-sim-account',
        jvod_start_time_relative_s: w.start,
        jvod_end_time_relative_s: w.end,
        jvod_videocloud: output.videocloud
          ? { video: { name: output.videocloud.video.name, clip_source_video_id: null }, ingest: {} }
          : null,
        output,
        targetAccount: output.videocloud ? (output.videocloud.account_id ?? this.opts.linkedAccount) : null,
        createdVideoId: null,
        schedule: [
          { state: 'processing', at: now + t.processing },
          { state: 'creating_asset', at: now + t.creating_asset },
          { state: 'finished', at: now + t.finished },
        ],
      };
      this.data.vodJobs.push(vod);
      return { jvod_id: vod.jvod_id, label: output.label };
    });
    return json(200, { vod_jobs: created, live_job_id: job.id });
  }

  /** The reference's rules (B1); returns the clip window in epoch seconds, truncated to available media. */
  #validate(
    job: LiveJob,
    o: VodOutputRequest,
    nowMs: number,
  ): { start: number; end: number } | { error: string } {
    const bad = { error: 'Invalid input value' };
    if (!o || typeof o !== 'object' || typeof o.label !== 'string' || o.label.length === 0) return bad;
    if ((o.url === undefined) === (o.videocloud === undefined)) return bad;
    if (
      o.videocloud &&
      (typeof o.videocloud.video?.name !== 'string' || o.videocloud.video.name.length === 0)
    )
      return bad;
    if (o.url && !/^(s3|ftp|https?):\/\//.test(o.url)) return bad;
    for (const n of o.notifications ?? []) {
      const url = typeof n === 'string' ? n : n?.url;
      if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
        return { error: 'The notification target type is not supported currently' };
      }
    }
    const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    const isTc = (v: unknown) => typeof v === 'string' && /^\d{2}:\d{2}:\d{2}:\d{2}$/.test(v);
    const families = {
      epoch: [o.start_time, o.end_time],
      stream: [o.stream_start_time, o.stream_end_time],
      timecode: [o.stream_start_timecode, o.stream_end_timecode],
    };
    const used = Object.entries(families).filter(([, [a, b]]) => a !== undefined || b !== undefined);
    if (used.length > 1) return bad;
    if (o.duration !== undefined && (!isInt(o.duration) || o.duration <= 0 || o.duration > 172_800))
      return bad;
    const created = Date.parse(job.created_at) / 1000;
    const finished = job.finished_at ? Date.parse(job.finished_at) / 1000 : null;
    const now = nowMs / 1000;
    if (finished !== null && now - finished > SEVEN_DAYS) return bad;
    const streamStart = job.stream?.created_at ? Date.parse(job.stream.created_at) / 1000 : created;
    const available = finished ?? now;
    const tcSeconds = (tc: string) => {
      const [h, m, s, f] = tc.split(':').map(Number) as [number, number, number, number];
      return h * 3600 + m * 60 + s + f / 30;
    };
    let start: number;
    let end: number;
    const [family, [a, b]] = used[0] ?? ['none', [undefined, undefined]];
    const d = o.duration;
    if (family === 'none') {
      if (d === undefined) return bad;
      end = available;
      start = end - d;
    } else {
      const valid = family === 'timecode' ? isTc : isInt;
      if ((a !== undefined && !valid(a)) || (b !== undefined && !valid(b))) return bad;
      if (a !== undefined && b !== undefined && d !== undefined) return bad;
      if ((a === undefined || b === undefined) && d === undefined) return bad;
      const abs = (v: unknown): number =>
        family === 'epoch'
          ? (v as number)
          : streamStart + (family === 'timecode' ? tcSeconds(v as string) : (v as number));
      start = a !== undefined ? abs(a) : abs(b) - d!;
      end = b !== undefined ? abs(b) : abs(a) + d!;
      if (family === 'epoch' && a !== undefined && b !== undefined && (start < created || end > available))
        return bad;
    }
    if (end <= start) return bad;
    // requests beyond the available media are truncated, not rejected
    start = Math.max(start, streamStart);
    end = Math.min(end, available);
    if (end <= start) return bad;
    return { start, end };
  }
}

/** One Live list filter against a value (reference B4): OR lists, comparisons, quoted strings. */
function matchesFilter(value: unknown, filter: string): boolean {
  const list = /^\[(.*)\]$/.exec(filter);
  if (list) return (list[1] ?? '').split(',').some((f) => matchesFilter(value, f.trim()));
  const cmp = /^(gt|ge|lt|le):(.*)$/.exec(filter);
  if (cmp) {
    const [, op, raw] = cmp;
    const n = Number(value);
    const limit = Number(raw);
    if (op === 'gt') return n > limit;
    if (op === 'ge') return n >= limit;
    if (op === 'lt') return n < limit;
    return n <= limit;
  }
  const quoted = /^'(.*)'$/.exec(filter);
  return String(value) === (quoted ? quoted[1] : filter);
}
