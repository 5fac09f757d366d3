import { ID_PREFIX } from '@aius/contracts';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, refusalOf } from '@aius/db';
import { randomId } from '../../common/random-id.js';
import type { BlobRef, BlobStorage, BlobStore, UploadConnection } from './blob-store.js';

/** A version as the read side shows it. */
export interface ArtifactRecord {
  id: string;
  clientId: string;
  projectId: string | null;
  path: string;
  version: number;
  blobId: string;
  size: number;
  sha256: string;
  contentType: string;
  /** The uploader's user id (null once that user is deleted). */
  uploaderId: string | null;
  createdAt: Date;
}

export interface NewUpload {
  clientId: string;
  projectId: string | null;
  path: string;
  contentType: string;
  uploadedBy: string;
  size: number;
  sha256: string;
  chunks: readonly Buffer[];
}

export interface StoredBlob extends BlobRef {
  storage: BlobStorage;
}

/** Blobs deleted per garbage-collection statement. */
const GC_BATCH = 1000;
/** An upload whose blob is collected between its lookup and its insert tries again this often. */
const UPLOAD_ATTEMPTS = 3;

const RECORD_COLUMNS_SQL = `
  a.id, a.client_id AS "clientId", a.project_id AS "projectId", a.path, a.version, a.blob_id AS "blobId",
  a.size, a.sha256, a.content_type AS "contentType", a.uploaded_by AS "uploaderId", a.created_at AS "createdAt"
  FROM artifacts a`;
const RECORD_COLUMNS = Prisma.raw(RECORD_COLUMNS_SQL);
const SELECT_RECORD = Prisma.sql`SELECT ${RECORD_COLUMNS}`;

const sameProject = (projectId: string | null) => (projectId === null ? Prisma.sql`a.project_id IS NULL` : Prisma.sql`a.project_id = ${projectId}`);

/** The only code that touches `artifacts`, `artifact_blobs` and (through PostgresBlobStore) `artifact_blob_chunks`. */
@Injectable()
export class ArtifactsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Files one upload as the next version of its (client, project, path), in one transaction:
   * - `first` runs before anything is written, on the transaction's connection (the check that
   *   the project is in the client, under a key-share lock: see ArtifactsService.upload);
   * - uploads of one path take turns (a transaction-scoped advisory lock), so versions are 1, 2, 3…;
   * - the client's blob with the same SHA-256 is reused, under a key-share lock that garbage
   *   collection skips; otherwise a new blob is created and `store` writes its bytes.
   */
  async storeUpload(upload: NewUpload, store: BlobStore, first: (db: UploadConnection) => Promise<void>): Promise<ArtifactRecord> {
    for (let attempt = 1; ; attempt++) {
      let written: BlobRef | null = null;
      // node-postgres directly, not a Prisma transaction: the chunks go as binary parameters (see PostgresBlobStore).
      const db = await this.prisma.pool.connect();
      let broken: Error | undefined;
      try {
        await db.query('BEGIN');
        await first(db);
        await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`aius:artifact:${upload.clientId}:${upload.projectId ?? ''}:${upload.path}`]);
        let blobId = await existingBlob(db, upload);
        if (blobId === null) {
          const id = randomId(ID_PREFIX.blob);
          const inserted = await db.query(
            `INSERT INTO artifact_blobs (id, client_id, sha256, size, storage) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (client_id, sha256) DO NOTHING RETURNING id`,
            [id, upload.clientId, upload.sha256, upload.size, store.storage],
          );
          if (inserted.rowCount === 1) {
            written = { id, clientId: upload.clientId };
            await store.write(db, written, upload.chunks);
            blobId = id;
          } else {
            // The same bytes committed by a concurrent upload in the meantime.
            blobId = await existingBlob(db, upload);
            if (blobId === null) throw new BlobCollected();
          }
        }
        const id = randomId(ID_PREFIX.artifact);
        await db.query(
          `INSERT INTO artifacts (id, client_id, project_id, path, version, blob_id, size, sha256, content_type, uploaded_by)
           SELECT $1, $2, $3, $4, coalesce(max(a.version), 0) + 1, $5, $6, $7, $8, $9
           FROM artifacts a WHERE a.client_id = $2 AND a.project_id IS NOT DISTINCT FROM $3 AND a.path = $4`,
          [id, upload.clientId, upload.projectId, upload.path, blobId, upload.size, upload.sha256, upload.contentType, upload.uploadedBy],
        );
        const { rows } = await db.query<ArtifactRecord>(`SELECT ${RECORD_COLUMNS_SQL} WHERE a.id = $1`, [id]);
        await db.query('COMMIT');
        return rows[0]!;
      } catch (error) {
        await db.query('ROLLBACK').catch((rollback: unknown) => (broken = rollback as Error));
        if (written) await store.discard(written).catch(() => undefined);
        const retry = error instanceof BlobCollected || refusalOf(error) === 'foreign-key';
        if (!retry || attempt >= UPLOAD_ATTEMPTS) throw error;
      } finally {
        // A connection whose rollback failed is not given back to the pool.
        db.release(broken);
      }
    }
  }

  async find(id: string): Promise<ArtifactRecord | null> {
    const [record] = await this.prisma.$queryRaw<ArtifactRecord[]>`${SELECT_RECORD} WHERE a.id = ${id}`;
    return record ?? null;
  }

  /** Every version of the record's path, newest first. */
  versionsOf(record: ArtifactRecord): Promise<ArtifactRecord[]> {
    return this.prisma.$queryRaw<ArtifactRecord[]>`${SELECT_RECORD}
      WHERE a.client_id = ${record.clientId} AND ${sameProject(record.projectId)} AND a.path = ${record.path}
      ORDER BY a.version DESC`;
  }

  /** The latest version of each path, in path order, `limit` paths after `cursor`. */
  latestPerPath(clientId: string, projectId: string | null, cursor: string | undefined, limit: number): Promise<ArtifactRecord[]> {
    const after = cursor === undefined ? Prisma.empty : Prisma.sql`AND a.path > ${cursor}`;
    return this.prisma.$queryRaw<ArtifactRecord[]>`
      SELECT DISTINCT ON (a.path) ${RECORD_COLUMNS}
      WHERE a.client_id = ${clientId} AND ${sameProject(projectId)} ${after}
      ORDER BY a.path, a.version DESC
      LIMIT ${limit}`;
  }

  async blobOf(record: ArtifactRecord): Promise<StoredBlob | null> {
    const blob = await this.prisma.artifactBlob.findUnique({ where: { id: record.blobId }, select: { id: true, clientId: true, storage: true } });
    return blob ? { id: blob.id, clientId: blob.clientId, storage: blob.storage as BlobStorage } : null;
  }

  /**
   * Copies every version of a project into its fork (inside the fork's transaction): new rows,
   * the same blobs, so no byte is copied.
   */
  async copyProject(tx: Prisma.TransactionClient, fromProjectId: string, toProjectId: string): Promise<number> {
    const sources = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM artifacts WHERE project_id = ${fromProjectId}`;
    if (sources.length === 0) return 0;
    const oldIds = sources.map((s) => s.id);
    const newIds = oldIds.map(() => randomId(ID_PREFIX.artifact));
    return tx.$executeRaw`
      INSERT INTO artifacts (id, client_id, project_id, path, version, blob_id, size, sha256, content_type, uploaded_by, created_at)
      SELECT m.new_id, a.client_id, ${toProjectId}, a.path, a.version, a.blob_id, a.size, a.sha256, a.content_type, a.uploaded_by, a.created_at
      FROM artifacts a JOIN unnest(${oldIds}::text[], ${newIds}::text[]) AS m(old_id, new_id) ON a.id = m.old_id`;
  }

  /**
   * Deletes blobs no version refers to any more (of one client, or all), a batch at a time,
   * and returns them so their bytes can be removed. The candidates are locked first (skipping
   * any an upload holds), then re-checked by a statement that sees every version committed
   * before the locks were taken: an upload reusing a blob needs a key-share lock on it, so
   * none can slip in between.
   */
  async collectUnreferencedBlobs(clientId?: string): Promise<StoredBlob[]> {
    const scope = clientId === undefined ? Prisma.empty : Prisma.sql`AND b.client_id = ${clientId}`;
    const deleted: StoredBlob[] = [];
    for (;;) {
      const batch = await this.prisma.$transaction(async (tx) => {
        const candidates = await tx.$queryRaw<{ id: string }[]>`
          SELECT b.id FROM artifact_blobs b
          WHERE NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.blob_id = b.id) ${scope}
          LIMIT ${GC_BATCH} FOR UPDATE OF b SKIP LOCKED`;
        if (candidates.length === 0) return [];
        return tx.$queryRaw<{ id: string; client_id: string; storage: BlobStorage }[]>`
          DELETE FROM artifact_blobs b
          WHERE b.id = ANY(${candidates.map((c) => c.id)}::text[]) AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.blob_id = b.id)
          RETURNING b.id, b.client_id, b.storage`;
      });
      deleted.push(...batch.map((b) => ({ id: b.id, clientId: b.client_id, storage: b.storage })));
      if (batch.length < GC_BATCH) return deleted;
    }
  }

  async blobExists(blob: BlobRef): Promise<boolean> {
    return (await this.prisma.artifactBlob.count({ where: { id: blob.id, clientId: blob.clientId } })) > 0;
  }

}

/** The client's blob with these bytes, key-share locked so garbage collection skips it until the upload commits. */
async function existingBlob(db: UploadConnection, upload: NewUpload): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM artifact_blobs WHERE client_id = $1 AND sha256 = $2 FOR KEY SHARE', [upload.clientId, upload.sha256]);
  return rows[0]?.id ?? null;
}

/** The blob an upload meant to reuse was collected before the upload could refer to it. */
class BlobCollected extends Error {}
