import { describe, expect, it } from 'vitest';
import { hasScope, OPERATOR_SCOPES, parseScopesHeader } from './scopes.js';

describe('hasScope', () => {
  it('requires the exact scope unless operator.admin is held', () => {
    expect(hasScope(['operator.write'], 'operator.write')).toBe(true);
    expect(hasScope(['operator.read'], 'operator.write')).toBe(false);
    expect(hasScope(['operator.admin'], 'operator.write')).toBe(true);
    expect(hasScope(['operator.admin'], 'anything.else')).toBe(true);
    expect(hasScope([], 'operator.write')).toBe(false);
    expect(hasScope(['Operator.Write'], 'operator.write')).toBe(false);
  });

  it('grants every operator scope to the shared-secret set', () => {
    expect(OPERATOR_SCOPES).toEqual([
      'operator.admin',
      'operator.read',
      'operator.write',
      'operator.approvals',
      'operator.pairing',
    ]);
    expect(Object.isFrozen(OPERATOR_SCOPES)).toBe(true);
  });
});

describe('parseScopesHeader', () => {
  it('splits, trims, drops empties and duplicates', () => {
    expect(parseScopesHeader(' operator.read , ,operator.write,operator.read ')).toEqual([
      'operator.read',
      'operator.write',
    ]);
  });

  it('merges repeated headers', () => {
    expect(parseScopesHeader(['operator.read', 'operator.write'])).toEqual(['operator.read', 'operator.write']);
  });

  it('distinguishes an absent header from an empty one', () => {
    expect(parseScopesHeader(undefined)).toBeUndefined();
    expect(parseScopesHeader('')).toEqual([]);
    expect(parseScopesHeader(42)).toBeUndefined();
  });

  it('bounds a hostile header: 64 scopes at most, none longer than 128 characters', () => {
    const many = Array.from({ length: 500 }, (_, index) => `scope.${index}`).join(',');
    expect(parseScopesHeader(many)).toHaveLength(64);
    expect(parseScopesHeader(`${'x'.repeat(1024 * 1024)},operator.write`)).toEqual(['operator.write']);
    expect(parseScopesHeader(`${'y'.repeat(129)},ok`)).toEqual(['ok']);
  });
});
