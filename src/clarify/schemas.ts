import { z } from 'zod';

/**
 * Clarify v1 HAL shapes (reference/clarify.md §2). Objects are loose so fields Clarify added
 * later (or fixtures carry) never break parsing; only what the sync relies on is required.
 */
const LinkSchema = z.looseObject({ href: z.string() });

const CurieSchema = z.looseObject({ href: z.string(), name: z.string(), templated: z.boolean().optional() });

const ResourceLinksSchema = z.looseObject({
  self: LinkSchema,
  curies: z.array(CurieSchema).optional(),
  'clarify:metadata': LinkSchema.optional(),
  'clarify:tracks': LinkSchema.optional(),
  'clarify:insights': LinkSchema.optional(),
  parent: LinkSchema.optional(),
});

/** A metadata value Clarify accepts: string, number, boolean or an array of those (no null, no nesting). */
type MetadataScalar = string | number | boolean;
type MetadataValue = MetadataScalar | MetadataScalar[];
export type MetadataData = Record<string, MetadataValue>;

export const MetadataSchema = z.looseObject({
  bundle_id: z.string(),
  version: z.number().int(),
  created: z.string(),
  updated: z.string(),
  // Stored data may hold anything another tool wrote; it is re-validated before we send it back.
  data: z.record(z.string(), z.unknown()),
  _class: z.literal('Metadata'),
  _links: ResourceLinksSchema,
});
export type ClarifyMetadata = z.infer<typeof MetadataSchema>;

const TrackSchema = z.looseObject({
  id: z.string(),
  track: z.number().int(),
  media_url: z.string().optional(),
  status: z.string(),
  created: z.string(),
  updated: z.string(),
});

export const TracksSchema = z.looseObject({
  bundle_id: z.string(),
  version: z.number().int(),
  status: z.string(),
  created: z.string(),
  updated: z.string(),
  tracks: z.array(TrackSchema),
  _class: z.literal('Tracks'),
  _links: ResourceLinksSchema.extend({ items: z.array(LinkSchema).optional() }),
});

export const BundleSchema = z.looseObject({
  id: z.string(),
  version: z.number().int(),
  name: z.string().optional(),
  external_id: z.string().optional(),
  notify_url: z.string().optional(),
  created: z.string(),
  updated: z.string(),
  _class: z.literal('Bundle'),
  _links: ResourceLinksSchema,
  _embedded: z
    .looseObject({
      'clarify:metadata': MetadataSchema.optional(),
      'clarify:tracks': TracksSchema.optional(),
    })
    .optional(),
});
export type ClarifyBundle = z.infer<typeof BundleSchema>;

export const RefSchema = z.looseObject({
  id: z.string(),
  track_id: z.string().optional(),
  _class: z.literal('Ref'),
  _links: ResourceLinksSchema,
});
export type ClarifyRef = z.infer<typeof RefSchema>;

export const CollectionSchema = z.looseObject({
  total: z.number().int(),
  limit: z.number().int(),
  _class: z.literal('Collection'),
  _links: z.looseObject({
    self: LinkSchema,
    items: z.array(LinkSchema).optional(),
    first: LinkSchema.optional(),
    last: LinkSchema.optional(),
    next: LinkSchema.optional(),
    prev: LinkSchema.optional(),
  }),
  _embedded: z.looseObject({ items: z.array(BundleSchema).optional() }).optional(),
});
export type ClarifyCollection = z.infer<typeof CollectionSchema>;

export const SearchCollectionSchema = CollectionSchema.extend({
  _class: z.literal('SearchCollection'),
  search_terms: z.array(z.looseObject({ term: z.string() })).optional(),
  item_results: z.array(z.looseObject({ score: z.number() })).optional(),
});

export const ErrorBodySchema = z.looseObject({
  status: z.string(),
  message: z.string(),
  code: z.number().int(),
  errors: z.array(z.looseObject({ field: z.string().optional(), message: z.string() })).optional(),
  _class: z.literal('Error'),
  _links: z.record(z.string(), z.unknown()).optional(),
});
export type ClarifyErrorBody = z.infer<typeof ErrorBodySchema>;
