import type { ArtifactVersion } from '@aius/contracts';

/** A folder of the artifact tree: its sub-folders and files, each sorted by name. */
export interface ArtifactFolder {
  name: string;
  /** The folder's path with a trailing `/` ('' for the root). */
  path: string;
  folders: ArtifactFolder[];
  files: { name: string; artifact: ArtifactVersion }[];
}

/** Paths (`a/b/c.txt`) as nested folders; §11 paths have no empty or `.`/`..` segments. */
export function buildTree(artifacts: readonly ArtifactVersion[]): ArtifactFolder {
  const root: ArtifactFolder = { name: '', path: '', folders: [], files: [] };
  for (const artifact of artifacts) {
    const segments = artifact.path.split('/');
    const fileName = segments.pop()!;
    let folder = root;
    for (const segment of segments) {
      let next = folder.folders.find((f) => f.name === segment);
      if (!next) {
        next = { name: segment, path: `${folder.path}${segment}/`, folders: [], files: [] };
        folder.folders.push(next);
      }
      folder = next;
    }
    folder.files.push({ name: fileName, artifact });
  }
  const sort = (folder: ArtifactFolder) => {
    folder.folders.sort((a, b) => a.name.localeCompare(b.name));
    folder.files.sort((a, b) => a.name.localeCompare(b.name));
    folder.folders.forEach(sort);
  };
  sort(root);
  return root;
}

const RASTER = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);
const TEXT_APPLICATION = new Set(['application/json', 'application/jsonl', 'application/x-ndjson', 'application/yaml', 'application/xml', 'application/toml', 'application/javascript']);
/** Larger text is not previewed: a download is the better way to read it. */
export const PREVIEW_MAX_BYTES = 1024 * 1024;

/**
 * How the dashboard may show a version inside its own page. Only raster images become an
 * <img> (from a blob: URL); everything textual, HTML and SVG included, is shown as text in a
 * <pre>, so nothing an upload contains ever runs on the dashboard's origin.
 */
export function previewKind(contentType: string, size: number): 'image' | 'text' | 'none' {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (RASTER.has(type)) return size <= 10 * PREVIEW_MAX_BYTES ? 'image' : 'none';
  if (size > PREVIEW_MAX_BYTES) return 'none';
  if (type.startsWith('text/') || TEXT_APPLICATION.has(type) || type.endsWith('+json') || type.endsWith('+xml')) return 'text';
  return 'none';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
