import { basename, extname } from 'node:path/posix';

/** The type of an upload that declared none, from its extension; anything unknown is opaque bytes. */
const BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.xml': 'application/xml',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.py': 'text/x-python; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
};

export function contentTypeFor(path: string, declared: string | null | undefined): string {
  return declared ?? BY_EXTENSION[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * `attachment` always (spec §11), with the file's own name: an ASCII fallback for old clients
 * and the exact name as RFC 6266 / 5987 `filename*`.
 */
export function attachmentDisposition(path: string): string {
  const name = basename(path);
  const ascii = name.replace(/[^A-Za-z0-9._ -]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
