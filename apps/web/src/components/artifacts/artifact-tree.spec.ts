import type { ArtifactVersion } from '@aius/contracts';
import { describe, expect, it } from 'vitest';
import { buildTree, formatBytes, previewKind } from './artifact-tree';

const at = (path: string): ArtifactVersion => ({
  id: `art_${path}`,
  org_id: 'client_x',
  project_id: null,
  path,
  version: 1,
  size: 1,
  sha256: '0',
  content_type: 'text/plain',
  created_at: 0,
  uploaded_by: null,
});

describe('buildTree', () => {
  it('nests paths into sorted folders', () => {
    const tree = buildTree([at('b.txt'), at('out/z.txt'), at('out/img/a.png'), at('a.txt'), at('out/a.txt')]);
    expect(tree.files.map((f) => f.name)).toEqual(['a.txt', 'b.txt']);
    expect(tree.folders.map((f) => f.path)).toEqual(['out/']);
    expect(tree.folders[0]!.files.map((f) => f.name)).toEqual(['a.txt', 'z.txt']);
    expect(tree.folders[0]!.folders[0]).toMatchObject({ name: 'img', path: 'out/img/' });
  });
});

describe('previewKind', () => {
  it('shows raster images as images, and HTML, SVG and other text only as text', () => {
    expect(previewKind('image/png', 100)).toBe('image');
    expect(previewKind('image/svg+xml', 100)).toBe('text');
    expect(previewKind('text/html; charset=utf-8', 100)).toBe('text');
    expect(previewKind('application/json', 100)).toBe('text');
    expect(previewKind('application/octet-stream', 100)).toBe('none');
    expect(previewKind('text/plain', 2 * 1024 * 1024)).toBe('none');
  });

  it('formats sizes', () => {
    expect([formatBytes(10), formatBytes(2048), formatBytes(3 * 1024 * 1024)]).toEqual(['10 B', '2.0 KB', '3.0 MB']);
  });
});
