import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  uploadArtifactFields,
  type Artifact,
  type ArtifactDetail,
  type ArtifactListResponse,
  type ArtifactVersion,
  type ListArtifactsQuery,
} from '@aius/contracts';
import type { Readable } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import { isDatabaseUnavailable, type Prisma } from '@aius/db';
import { ContractPipe } from '../../common/contract-pipe.js';
import { ApiError } from '../../common/api-error.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ClientsService } from '../clients/clients.service.js';
import { UsersService } from '../identity/users.service.js';
import { ProjectContents } from '../projects/project-contents.js';
import { ProjectsService } from '../projects/projects.service.js';
import { ArtifactsRepository, type ArtifactRecord } from './artifacts.repository.js';
import type { UploadConnection } from './blob-store.js';
import { BlobStores } from './blob-stores.js';
import { contentTypeFor } from './content-type.js';
import type { UploadBody } from './upload-body.js';
import { unixSeconds } from '../../common/unix-time.js';

const toArtifact = (r: ArtifactRecord): Artifact => ({
  id: r.id,
  org_id: r.clientId,
  project_id: r.projectId,
  path: r.path,
  version: r.version,
  size: r.size,
  sha256: r.sha256,
  content_type: r.contentType,
  created_at: unixSeconds(r.createdAt),
});
/** `emails`: the uploaders' (UsersService.emailsOf); a deleted uploader shows as null. */
const toVersion = (r: ArtifactRecord, emails: Map<string, string>): ArtifactVersion => ({
  ...toArtifact(r),
  uploaded_by: r.uploaderId === null ? null : (emails.get(r.uploaderId) ?? null),
});

/** A download: what the headers say, and the bytes as a stream. */
export interface ArtifactContent {
  record: ArtifactRecord;
  body: Readable;
}

/** Files written less than this long ago may still be waiting for their row to commit. */
const ORPHAN_GRACE_MS = 60 * 60 * 1000;

/**
 * Artifacts (spec §11): versioned uploads per (client, project, path), bytes stored once per
 * client by SHA-256, read by the client's members only. Blobs no version refers to any more
 * are deleted right after the deletes that orphan them, and by a sweep every
 * EXPIRED_ROWS_PURGE_INTERVAL_SECONDS (for anything a failure or a cascade left behind).
 */
@Injectable()
export class ArtifactsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Artifacts');
  private readonly fields = new ContractPipe(uploadArtifactFields);
  /**
   * Upload transactions at once on this instance: each holds a pooled connection while it writes
   * up to 40 chunks, so a burst of large uploads must not take every connection and leave other
   * requests waiting past DB_TIMEOUT_MS (503). The rest wait here, holding no connection.
   */
  private readonly writes: LimitFunction;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clients: ClientsService,
    private readonly projects: ProjectsService,
    private readonly users: UsersService,
    private readonly repository: ArtifactsRepository,
    private readonly stores: BlobStores,
    contents: ProjectContents,
  ) {
    this.writes = pLimit(Math.max(1, Math.floor(config.DB_POOL_SIZE / 4)));
    contents.register({
      forked: async (tx, fromProjectId, toProjectId) => void (await this.copyToFork(tx, fromProjectId, toProjectId)),
      deleted: async (clientId) => void (await this.collectGarbage(clientId)),
    });
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.EXPIRED_ROWS_PURGE_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async upload(userId: string, body: UploadBody): Promise<Artifact> {
    const fields = this.fields.transform(body.fields);
    await this.clients.assertMember(userId, fields.org_id);
    const upload = {
      clientId: fields.org_id,
      projectId: fields.project_id ?? null,
      path: fields.path,
      contentType: contentTypeFor(fields.path, fields.content_type),
      uploadedBy: userId,
      size: body.size,
      sha256: body.sha256,
      chunks: body.chunks,
    };
    // The project, when named, is checked inside the upload's transaction with a key-share
    // lock, so a concurrent delete of it waits and then takes the new version with it.
    const { projectId, clientId } = upload;
    const first = projectId === null ? async () => undefined : (db: UploadConnection) => this.assertProjectInClient(projectId, clientId, db);
    const record = await this.writes(() => this.repository.storeUpload(upload, this.stores.forWrites, first));
    return toArtifact(record);
  }

  async list(userId: string, query: ListArtifactsQuery): Promise<ArtifactListResponse> {
    await this.clients.assertMember(userId, query.org_id);
    if (query.project_id !== undefined) await this.assertProjectInClient(query.project_id, query.org_id);
    // One more than asked, to know whether another page follows.
    const rows = await this.repository.latestPerPath(query.org_id, query.project_id ?? null, query.cursor, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const emails = await this.uploadersOf(page);
    return { data: page.map((r) => toVersion(r, emails)), next_cursor: rows.length > query.limit ? page.at(-1)!.path : null };
  }

  async get(userId: string, id: string): Promise<ArtifactDetail> {
    const record = await this.accessible(userId, id);
    const versions = await this.repository.versionsOf(record);
    const emails = await this.uploadersOf([record, ...versions]);
    return { ...toVersion(record, emails), versions: versions.map((r) => toVersion(r, emails)) };
  }

  async content(userId: string, id: string): Promise<ArtifactContent> {
    const record = await this.accessible(userId, id);
    const blob = await this.repository.blobOf(record);
    if (!blob) throw new ApiError('NOT_FOUND'); // collected with its last version a moment ago
    return { record, body: this.stores.forReads(blob.storage).read(blob) };
  }

  /** Inside the fork's transaction: the fork gets every version, sharing the stored bytes. */
  copyToFork(tx: Prisma.TransactionClient, fromProjectId: string, toProjectId: string): Promise<number> {
    return this.repository.copyProject(tx, fromProjectId, toProjectId);
  }

  /**
   * Deletes the blobs of a client (or of every client) that no version refers to any more,
   * and their bytes. Called after a project's deletion has cascaded to its versions; never
   * fails its caller (the sweep catches up).
   */
  async collectGarbage(clientId?: string): Promise<number> {
    try {
      const blobs = await this.repository.collectUnreferencedBlobs(clientId);
      for (const storage of ['postgres', 'filesystem'] as const) {
        const mine = blobs.filter((b) => b.storage === storage);
        if (mine.length > 0) await this.stores.forReads(storage).remove(mine);
      }
      return blobs.length;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) this.logger.error(`blob garbage collection failed: ${(error as Error).message}`);
      return 0;
    }
  }

  /** Every unreferenced blob, and ARTIFACT_DIR files that no blob row names (a deleted client's). */
  async sweep(): Promise<number> {
    let removed = await this.collectGarbage();
    const files = this.stores.filesystem;
    if (files) {
      try {
        const orphans = await files.orphans((blob) => this.repository.blobExists(blob), ORPHAN_GRACE_MS);
        await files.remove(orphans);
        removed += orphans.length;
      } catch (error) {
        if (!isDatabaseUnavailable(error)) this.logger.error(`ARTIFACT_DIR sweep failed: ${(error as Error).message}`);
      }
    }
    return removed;
  }

  /** NOT_FOUND unless the project exists in the client (`lock`: see ProjectsService.clientOf). */
  private async assertProjectInClient(projectId: string, clientId: string, lock?: UploadConnection): Promise<void> {
    if ((await this.projects.clientOf(projectId, lock)) !== clientId) throw new ApiError('NOT_FOUND', { message: 'No such project in this client' });
  }

  /** The uploaders' emails, in one query for a page. */
  private uploadersOf(records: readonly ArtifactRecord[]): Promise<Map<string, string>> {
    return this.users.emailsOf([...new Set(records.flatMap((r) => (r.uploaderId === null ? [] : [r.uploaderId])))]);
  }

  /** The version, or NOT_FOUND (no such id) / NO_ACCESS (its client is not the caller's), as for projects. */
  private async accessible(userId: string, id: string): Promise<ArtifactRecord> {
    const record = await this.repository.find(id);
    if (!record) throw new ApiError('NOT_FOUND');
    await this.clients.assertMember(userId, record.clientId);
    return record;
  }
}
