import { Readable } from 'node:stream';
import type { PrismaService } from '@aius/db';
import type { BlobRef, BlobStore, UploadConnection } from './blob-store.js';

/** Bytes per `artifact_blob_chunks` row: a 10 MiB file is 40 rows, none of them a large value. */
export const ARTIFACT_CHUNK_BYTES = 256 * 1024;

/**
 * The default backend: the bytes in `artifact_blob_chunks`, written with the blob's row. Both
 * directions go to node-postgres directly: it sends a Buffer as a binary parameter, where
 * Prisma's query layer passes Bytes through base64 (a 1.33× string and a second buffer per
 * chunk). Reads come back as hex text (node-postgres's protocol parser reads every field as
 * text), one chunk at a time.
 */
export class PostgresBlobStore implements BlobStore {
  readonly storage = 'postgres' as const;

  constructor(private readonly prisma: PrismaService) {}

  async write(db: UploadConnection, blob: BlobRef, chunks: readonly Buffer[]): Promise<void> {
    // One row per statement: no statement carries more than one chunk.
    for (const [idx, data] of chunks.entries()) {
      await db.query('INSERT INTO artifact_blob_chunks (blob_id, idx, data) VALUES ($1, $2, $3)', [blob.id, idx, data]);
    }
  }

  async discard(): Promise<void> {
    // The chunk rows were in the transaction that rolled back.
  }

  /** One chunk per query, in order: at most one chunk of the file is in memory per download. */
  read(blob: BlobRef): Readable {
    const pool = this.prisma.pool;
    return Readable.from(
      (async function* () {
        for (let idx = 0; ; idx++) {
          const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM artifact_blob_chunks WHERE blob_id = $1 AND idx = $2', [blob.id, idx]);
          if (rows.length === 0) return;
          yield rows[0]!.data;
        }
      })(),
      { objectMode: false },
    );
  }

  async remove(): Promise<void> {
    // The chunk rows go with their blob row (ON DELETE CASCADE).
  }
}
