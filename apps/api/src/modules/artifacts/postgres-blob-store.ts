import { Readable } from 'node:stream';
import type { PrismaService } from '../../database/prisma.service.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { BlobRef, BlobStore } from './blob-store.js';

/** Bytes per `artifact_blob_chunks` row: a 10 MiB file is 40 rows, none of them a large value. */
export const ARTIFACT_CHUNK_BYTES = 256 * 1024;

/** The default backend: the bytes in `artifact_blob_chunks`, written with the blob's row. */
export class PostgresBlobStore implements BlobStore {
  readonly storage = 'postgres' as const;

  constructor(private readonly prisma: PrismaService) {}

  async write(tx: Prisma.TransactionClient, blob: BlobRef, chunks: readonly Buffer[]): Promise<void> {
    // One row per statement: no statement carries more than one chunk's worth of parameters.
    for (const [idx, data] of chunks.entries()) {
      await tx.artifactBlobChunk.create({ data: { blobId: blob.id, idx, data: new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.length) } });
    }
  }

  async discard(): Promise<void> {
    // The chunk rows were in the transaction that rolled back.
  }

  /** One chunk per query, in order: at most one chunk of the file is in memory per download. */
  read(blob: BlobRef): Readable {
    const prisma = this.prisma;
    return Readable.from(
      (async function* () {
        for (let idx = 0; ; idx++) {
          const row = await prisma.artifactBlobChunk.findUnique({ where: { blobId_idx: { blobId: blob.id, idx } }, select: { data: true } });
          if (!row) return;
          yield Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength);
        }
      })(),
      { objectMode: false },
    );
  }

  async remove(): Promise<void> {
    // The chunk rows go with their blob row (ON DELETE CASCADE).
  }
}
