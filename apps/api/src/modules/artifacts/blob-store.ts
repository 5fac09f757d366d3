import type { Readable } from 'node:stream';
import type pg from 'pg';

/** A connection inside the upload's transaction (node-postgres: Buffers go as binary parameters). */
export type UploadConnection = Pick<pg.PoolClient, 'query'>;

/** The backends that can hold a blob's bytes; the name is kept on each blob row (`storage`). */
export type BlobStorage = 'postgres' | 'filesystem';

export interface BlobRef {
  id: string;
  clientId: string;
}

/**
 * Where artifact bytes live. The rows (blob, versions) are the repository's; a store holds
 * only bytes, named by the blob's id (never by its hash: a blob deleted and uploaded again is a
 * new id, so removing the old one's bytes cannot touch the new one's).
 */
export interface BlobStore {
  readonly storage: BlobStorage;
  /** Writes a new blob's bytes, inside the transaction that creates its row. */
  write(db: UploadConnection, blob: BlobRef, chunks: readonly Buffer[]): Promise<void>;
  /** Undoes `write` after its transaction rolled back (rows vanish with the transaction; files do not). */
  discard(blob: BlobRef): Promise<void>;
  /** The bytes, streamed piece by piece. */
  read(blob: BlobRef): Readable;
  /** After the blobs' rows are deleted and committed. */
  remove(blobs: readonly BlobRef[]): Promise<void>;
}
