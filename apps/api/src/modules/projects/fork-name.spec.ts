import { describe, expect, it } from 'vitest';
import { firstFreeForkName } from './fork-name.js';

describe('fork naming', () => {
  it('the first fork is "<name> (fork)"', () => {
    expect(firstFreeForkName('Site', new Set(['Site']))).toBe('Site (fork)');
  });

  it('later forks count up from 2', () => {
    expect(firstFreeForkName('Site', new Set(['Site', 'Site (fork)']))).toBe('Site (fork 2)');
    expect(firstFreeForkName('Site', new Set(['Site (fork)', 'Site (fork 2)']))).toBe('Site (fork 3)');
  });

  it('a gap left by a deleted fork is reused', () => {
    expect(firstFreeForkName('Site', new Set(['Site (fork)', 'Site (fork 3)']))).toBe('Site (fork 2)');
  });

  it('a fork of a fork appends another suffix', () => {
    expect(firstFreeForkName('Site (fork)', new Set(['Site (fork)']))).toBe('Site (fork) (fork)');
  });

  it('names of other projects do not count', () => {
    expect(firstFreeForkName('Site', new Set(['Other (fork)', 'site (fork)']))).toBe('Site (fork)');
  });
});
