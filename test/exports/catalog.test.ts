import { describe, expect, it } from 'vitest';
import type { CmsVideo } from '../../src/brightcove/schemas.js';
import { CmsVideoSchema } from '../../src/brightcove/schemas.js';
import { catalogCsv, catalogJson, collectCatalog } from '../../src/exports/catalog.js';

const video = (p: Partial<CmsVideo> & { id: string }): CmsVideo =>
  CmsVideoSchema.parse({
    account_id: '1111111111001',
    name: `Video ${p.id}`,
    state: 'ACTIVE',
    created_at: '2023-05-01T10:00:00.000Z',
    updated_at: '2023-05-02T10:00:00.000Z',
    ...p,
  });

async function* list(videos: CmsVideo[]) {
  for (const v of videos) yield v;
}

const VIDEOS = [
  video({
    id: '1',
    name: 'Harbour seals, "live"',
    reference_id: 'ref-1',
    duration: 95_000,
    published_at: '2024-03-01T00:00:00.000Z',
    tags: ['wildlife', 'coast'],
    custom_fields: { business_unit: 'news', country: 'NO', ignored: 'x' },
  }),
  video({ id: '2', state: 'INACTIVE', published_at: '2024-06-01T00:00:00.000Z' }),
  video({ id: '3', published_at: '2022-12-31T23:59:59.000Z', custom_fields: { language: 'nb' } }),
  video({ id: '4', published_at: null, duration: null }),
  video({ id: '1', name: 'repeated by paging drift' }),
];
const FIELDS = ['video_content_type', 'business_unit', 'country', 'language'];

describe('catalogue', () => {
  it('writes every video once with custom fields flattened into columns', async () => {
    const catalog = await collectCatalog(list(VIDEOS), { customFields: FIELDS });
    expect(catalog.scanned).toBe(4);
    expect(catalog.duplicates).toBe(1);
    expect(catalogCsv(catalog)).toBe(
      [
        'account_id,id,name,reference_id,duration,created_at,published_at,state,tags,video_content_type,business_unit,country,language',
        '1111111111001,1,"Harbour seals, ""live""",ref-1,95000,2023-05-01T10:00:00.000Z,2024-03-01T00:00:00.000Z,ACTIVE,"wildlife,coast",,news,NO,',
        '1111111111001,2,Video 2,,,2023-05-01T10:00:00.000Z,2024-06-01T00:00:00.000Z,INACTIVE,,,,,',
        '1111111111001,3,Video 3,,,2023-05-01T10:00:00.000Z,2022-12-31T23:59:59.000Z,ACTIVE,,,,,nb',
        '1111111111001,4,Video 4,,,2023-05-01T10:00:00.000Z,,ACTIVE,,,,,',
        '',
      ].join('\n'),
    );
  });

  it('neutralises cells a spreadsheet would run as formulas; numbers stay numbers', async () => {
    const hostile = ['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(A1)', '\tTab', '\rCR'];
    const catalog = await collectCatalog(
      list(hostile.map((name, i) => video({ id: `9${i}`, name, custom_fields: { country: '-7' } }))),
      { customFields: FIELDS },
    );
    const csv = catalogCsv(catalog);
    for (const name of hostile) expect(csv).toContain(`'${name.replace(/"/g, '""')}`);
    // A negative number written as text is data: not prefixed.
    expect(csv).toContain(',-7,');
    expect(csv).not.toContain("'-7");
  });

  it('keeps only ACTIVE videos published in the given years', async () => {
    const catalog = await collectCatalog(list(VIDEOS), {
      customFields: FIELDS,
      publishedYears: [2024, 2023],
      activeOnly: true,
    });
    expect(catalog.rows.map((r) => r.id)).toEqual(['1']);
    const years2022 = await collectCatalog(list(VIDEOS), { customFields: [], publishedYears: [2022] });
    expect(years2022.rows.map((r) => r.id)).toEqual(['3']);
  });

  it('JSON has the same flat columns with tags as an array', async () => {
    const catalog = await collectCatalog(list(VIDEOS.slice(0, 1)), {
      customFields: ['business_unit', 'country'],
    });
    expect(JSON.parse(catalogJson(catalog))).toEqual([
      {
        account_id: '1111111111001',
        id: '1',
        name: 'Harbour seals, "live"',
        reference_id: 'ref-1',
        duration: 95000,
        created_at: '2023-05-01T10:00:00.000Z',
        published_at: '2024-03-01T00:00:00.000Z',
        state: 'ACTIVE',
        tags: ['wildlife', 'coast'],
        business_unit: 'news',
        country: 'NO',
      },
    ]);
  });

  it('refuses a custom field column that would shadow a built-in one', async () => {
    await expect(collectCatalog(list(VIDEOS), { customFields: ['name'] })).rejects.toThrow(/clash/);
  });
});
