import { z } from 'zod';
import { idField, orgIdField, unixSeconds } from './fields.js';

/** §11: a path is at most this many characters. */
export const ARTIFACT_PATH_MAX = 1024;
/** Longest declared content type kept (RFC 6838 names are ≤ 127 + 1 + 127; parameters on top). */
export const ARTIFACT_CONTENT_TYPE_MAX = 255;
/** Default page size of `GET /artifacts`, and its ceiling. */
export const ARTIFACT_PAGE_DEFAULT = 100;
export const ARTIFACT_PAGE_MAX = 1000;
/**
 * Why a path is refused, or null when it is a relative POSIX path as spec §11 defines it: not
 * empty, no leading `/`, no `..` segment, no `\`, no control character (C0, DEL, C1), at most
 * 1024 characters. Exactly those rules and no more (`./a` and `a//b` pass): the CLI's paths must
 * not meet a stricter server than the spec promises.
 */
export function artifactPathProblem(path: string): string | null {
  if (path.length === 0) return 'path is empty';
  if (path.length > ARTIFACT_PATH_MAX) return `path is longer than ${ARTIFACT_PATH_MAX} characters`;
  if (path.startsWith('/')) return 'path must be relative (no leading /)';
  if (path.includes('\\')) return 'path must not contain \\';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(path)) return 'path must not contain control characters';
  if (path.split('/').includes('..')) return 'path must not contain a .. segment';
  return null;
}

export const artifactPathField = z.string({ error: 'INVALID_REQUEST' }).superRefine((path, ctx) => {
  const problem = artifactPathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: 'INVALID_REQUEST', params: { message: `Invalid path: ${problem}` } });
});

/** `type/subtype` with optional parameters, printable ASCII only (it goes out as a header). */
export const contentTypeField = z
  .string({ error: 'INVALID_REQUEST' })
  .max(ARTIFACT_CONTENT_TYPE_MAX, 'INVALID_REQUEST')
  .regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;\s*[\x20-\x7e]*)?$/, 'INVALID_REQUEST');

/** Everything of an upload but its bytes: the API parses `content_base64` as it streams. */
export const uploadArtifactFields = z.object({
  org_id: orgIdField,
  path: artifactPathField,
  content_type: contentTypeField.nullish(),
  project_id: idField('NOT_FOUND').nullish(),
});
export type UploadArtifactFields = z.infer<typeof uploadArtifactFields>;

/** `POST /artifacts` (spec §11). The decoded size limit is the server's `ARTIFACT_MAX_BYTES`. */
export const uploadArtifactRequest = uploadArtifactFields.extend({
  content_base64: z.string({ error: 'INVALID_REQUEST' }),
});
export type UploadArtifactRequest = z.input<typeof uploadArtifactRequest>;

/** One stored version, exactly the upload response of §11. */
export const artifact = z.object({
  id: z.string(),
  org_id: z.string(),
  project_id: z.string().nullable(),
  path: z.string(),
  version: z.number().int().positive(),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  content_type: z.string(),
  created_at: unixSeconds,
});
export type Artifact = z.infer<typeof artifact>;

/** (decided) The read side adds who uploaded each version: the uploader's email, null once the account is gone. */
export const artifactVersion = artifact.extend({ uploaded_by: z.string().nullable() });
export type ArtifactVersion = z.infer<typeof artifactVersion>;

/** (decided) Latest version per path, in path order; `next_cursor` is passed back as `cursor` for the next page. */
export const listArtifactsQuery = z.object({
  org_id: orgIdField,
  /** Absent: the uploads made without a project. */
  project_id: idField('NOT_FOUND').optional(),
  cursor: z.string({ error: 'INVALID_REQUEST' }).max(ARTIFACT_PATH_MAX, 'INVALID_REQUEST').optional(),
  limit: z.coerce
    .number({ error: 'INVALID_REQUEST' })
    .int('INVALID_REQUEST')
    .min(1, 'INVALID_REQUEST')
    .max(ARTIFACT_PAGE_MAX, 'INVALID_REQUEST')
    .default(ARTIFACT_PAGE_DEFAULT),
});
export type ListArtifactsQuery = z.infer<typeof listArtifactsQuery>;

export const artifactListResponse = z.object({ data: z.array(artifactVersion), next_cursor: z.string().nullable() });
export type ArtifactListResponse = z.infer<typeof artifactListResponse>;

/** (decided) One version, with every version of its path, newest first. */
export const artifactDetail = artifactVersion.extend({ versions: z.array(artifactVersion) });
export type ArtifactDetail = z.infer<typeof artifactDetail>;

export const artifactIdParams = z.object({ id: idField('NOT_FOUND') });
export type ArtifactIdParams = z.infer<typeof artifactIdParams>;

/**
 * Headers of every `GET /artifacts/{id}/content` (spec §11), set by the API itself: a download,
 * never sniffed, and sandboxed with no script or plugin should a browser render it anyway.
 */
export const ARTIFACT_CONTENT_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "sandbox; default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'private, no-store',
} as const;
