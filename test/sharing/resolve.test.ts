import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import {
  type AffiliateDirectory,
  parseVideoKey,
  resolveAffiliates,
  resolveVideo,
} from '../../src/sharing/resolve.js';
import { MASTER, NORTH, SOUTH, video } from './helpers.js';

const dir: AffiliateDirectory = {
  master: MASTER,
  accounts: [
    { alias: 'neo', id: MASTER.id },
    { alias: 'north', id: NORTH.id },
    { alias: 'research', id: '4444444444001' },
  ],
  members: [
    { account_id: NORTH.id, account_name: 'Neo North', approved: true },
    { account_id: SOUTH.id, account_name: 'Neo South', approved: true },
    { account_id: '5555555555001', account_name: 'Neo Southwest', approved: false },
  ],
};

function userError(run: () => unknown): UserError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('expected a UserError');
}

describe('parseVideoKey', () => {
  it('accepts ids and ref:REF', () => {
    expect(parseVideoKey('6301234567001')).toEqual({ kind: 'id', id: '6301234567001' });
    expect(parseVideoKey('ref:seal-0042')).toEqual({ kind: 'ref', referenceId: 'seal-0042' });
    expect(parseVideoKey('REF:x_1')).toEqual({ kind: 'ref', referenceId: 'x_1' });
  });
  it.each(['', 'seals', 'ref:', 'ref:a,b', `ref:${'x'.repeat(151)}`, '12ab'])(
    'rejects %j with usage',
    (bad) => {
      const err = userError(() => parseVideoKey(bad));
      expect(err.showUsage).toBe(true);
    },
  );
});

describe('resolveVideo', () => {
  it('returns the video, or a clear error naming the key and the account', async () => {
    const v = video();
    const lookup = async (key: { kind: string }) => (key.kind === 'ref' ? v : null);
    expect(await resolveVideo('ref:seal-0042', lookup, MASTER)).toBe(v);
    await expect(resolveVideo('123', lookup, MASTER)).rejects.toThrow(/No video 123 in Neo Media.*--from/);
  });
});

describe('resolveAffiliates', () => {
  it('resolves config aliases, account ids and member names (case, spaces and dashes ignored)', () => {
    expect(resolveAffiliates('north', dir)).toEqual([{ id: NORTH.id, name: 'Neo North', alias: 'north' }]);
    expect(resolveAffiliates(SOUTH.id, dir)).toEqual([{ id: SOUTH.id, name: 'Neo South' }]);
    expect(resolveAffiliates(['neo-south'], dir).map((a) => a.id)).toEqual([SOUTH.id]);
    expect(resolveAffiliates('NEO NORTH', dir).map((a) => a.id)).toEqual([NORTH.id]);
  });
  it('splits comma lists and drops duplicates', () => {
    expect(resolveAffiliates(['north,neo-north', ' neo south'], dir).map((a) => a.id)).toEqual([
      NORTH.id,
      SOUTH.id,
    ]);
  });
  it('a unique prefix is enough', () => {
    expect(resolveAffiliates('neo southw', dir).map((a) => a.id)).toEqual(['5555555555001']);
  });
  it('a configured account that is not a member still resolves (the pre-flight says why)', () => {
    expect(resolveAffiliates('research', dir)).toEqual([
      { id: '4444444444001', name: 'research', alias: 'research' },
    ]);
    expect(resolveAffiliates('9999999999001', dir)).toEqual([{ id: '9999999999001', name: '9999999999001' }]);
  });
  it('an ambiguous prefix lists the candidates', () => {
    const err = userError(() => resolveAffiliates('neo s', dir));
    expect(err.message).toMatch(
      /`neo s` is ambiguous: it could be Neo South 3333333333001, Neo Southwest 5555555555001/,
    );
  });
  it('two members with the same name are ambiguous and ask for the id', () => {
    const twin = {
      ...dir,
      members: [...dir.members, { account_id: '6666666666001', account_name: 'Neo South' }],
    };
    expect(userError(() => resolveAffiliates('neo south', twin)).message).toMatch(
      /matches several affiliates.*Use the account id/,
    );
  });
  it('an unknown name lists the known affiliates', () => {
    const err = userError(() => resolveAffiliates('east', dir));
    expect(err.message).toMatch(
      /Unknown affiliate `east`\. Known affiliates: Neo North \(north\) 2222222222001, Neo South/,
    );
  });
  it('refuses the master itself and an empty list', () => {
    expect(userError(() => resolveAffiliates('neo', dir)).message).toMatch(/master account itself/);
    expect(userError(() => resolveAffiliates(MASTER.id, dir)).message).toMatch(/master account itself/);
    expect(userError(() => resolveAffiliates([' , '], dir)).showUsage).toBe(true);
  });
});
