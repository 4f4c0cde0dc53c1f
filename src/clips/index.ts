/** The clip domain: grammar, validation, the POST /v1/vods body and tracking. No Slack, no HTTP. */
export * from './help.js';
export * from './request.js';
export * from './submit.js';
export * from './time.js';
export * from './tracker.js';
export * from './validate.js';
export * from './vod-body.js';
