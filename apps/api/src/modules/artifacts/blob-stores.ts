import { Inject, Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '@aius/db';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { BlobStorage, BlobStore } from './blob-store.js';
import { FilesystemBlobStore } from './filesystem-blob-store.js';
import { PostgresBlobStore } from './postgres-blob-store.js';

/**
 * The configured backend for new blobs (ARTIFACT_DIR set: files; else Postgres), and the backend
 * of each stored blob for reads: a blob stays where it was written, so changing ARTIFACT_DIR
 * leaves earlier artifacts readable as long as the old directory is still configured.
 */
@Injectable()
export class BlobStores {
  readonly postgres: PostgresBlobStore;
  readonly filesystem: FilesystemBlobStore | null;
  readonly forWrites: BlobStore;

  constructor(@Inject(APP_CONFIG) config: AppConfig, prisma: PrismaService) {
    this.postgres = new PostgresBlobStore(prisma);
    this.filesystem = config.ARTIFACT_DIR ? new FilesystemBlobStore(config.ARTIFACT_DIR) : null;
    this.forWrites = this.filesystem ?? this.postgres;
    new Logger('Artifacts').log(this.filesystem ? `artifact bytes are stored under ${this.filesystem.dir}` : 'artifact bytes are stored in Postgres');
  }

  forReads(storage: BlobStorage): BlobStore {
    if (storage === 'postgres') return this.postgres;
    if (!this.filesystem) throw new Error('an artifact is stored in ARTIFACT_DIR, which is not configured');
    return this.filesystem;
  }
}
