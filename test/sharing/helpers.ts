import { readFileSync } from 'node:fs';
import {
  type Channel,
  type CmsVideo,
  CmsVideoSchema,
  type CustomField,
} from '../../src/brightcove/schemas.js';
import type { AffiliateFacts, AffiliateRef, PreflightInput } from '../../src/sharing/types.js';

export const MASTER = { id: '1111111111001', name: 'Neo Media' };
export const NORTH: AffiliateRef = { id: '2222222222001', name: 'Neo North', alias: 'neo-north' };
export const SOUTH: AffiliateRef = { id: '3333333333001', name: 'Neo South', alias: 'neo-south' };

export function fixtureVideo(name: 'shared-video.json' | 'shared-from-video.json'): CmsVideo {
  const url = new URL(`../fixtures/brightcove/${name}`, import.meta.url);
  return CmsVideoSchema.parse(JSON.parse(readFileSync(url, 'utf8')));
}

export function video(over: Partial<CmsVideo> = {}): CmsVideo {
  return CmsVideoSchema.parse({
    id: '6301234567001',
    account_id: MASTER.id,
    name: 'Harbour seals',
    reference_id: 'seal-0042',
    tags: ['wildlife'],
    custom_fields: { subject: 'Mammals' },
    state: 'ACTIVE',
    complete: true,
    delivery_type: 'dynamic_origin',
    created_at: '2021-03-02T10:11:12.345Z',
    updated_at: '2021-03-04T08:00:00.000Z',
    geo: null,
    sharing: null,
    ...over,
  });
}

export function channel(over: Partial<Channel> = {}): Channel {
  return {
    account_id: MASTER.id,
    account_name: MASTER.name,
    name: 'default',
    enforce_custom_fields: false,
    enforce_geo: false,
    ...over,
  };
}

export const SUBJECT: CustomField = {
  id: 'subject',
  display_name: 'Subject',
  description: null,
  type: 'enum',
  required: false,
  enum_values: ['Birds', 'Mammals', 'Fish'],
};
export const UPLOADER: CustomField = {
  id: 'uploader',
  display_name: 'Uploader',
  type: 'string',
  required: false,
};

export function facts(over: Partial<AffiliateFacts> = {}): AffiliateFacts {
  return {
    affiliate: NORTH,
    membership: { status: 'known', value: { member: true, approved: true } },
    referenceLookup: { status: 'known', value: null },
    customFields: { status: 'known', value: [SUBJECT, UPLOADER] },
    existingShare: null,
    ...over,
  };
}

export function input(over: Partial<PreflightInput> = {}): PreflightInput {
  return {
    master: MASTER,
    video: video(),
    channel: { status: 'known', value: channel() },
    masterCustomFields: [SUBJECT, UPLOADER],
    affiliates: [facts()],
    ...over,
  };
}
