import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobRef, BlobStore } from './blob-store.js';

/**
 * ARTIFACT_DIR: each blob is the file `<dir>/<client id>/<blob id>`. Written to a temporary
 * name, flushed to disk and renamed, so a reader never sees half a file; ids are random
 * base62, so a path is never built from anything a caller chose.
 */
export class FilesystemBlobStore implements BlobStore {
  readonly storage = 'filesystem' as const;

  constructor(readonly dir: string) {}

  async write(_db: unknown, blob: BlobRef, chunks: readonly Buffer[]): Promise<void> {
    const folder = join(this.dir, blob.clientId);
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `.${blob.id}.partial`);
    const file = await open(temporary, 'w', 0o600);
    try {
      for (const chunk of chunks) await file.write(chunk);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.fileOf(blob));
  }

  async discard(blob: BlobRef): Promise<void> {
    await rm(this.fileOf(blob), { force: true });
    await rm(join(this.dir, blob.clientId, `.${blob.id}.partial`), { force: true });
  }

  read(blob: BlobRef): Readable {
    return createReadStream(this.fileOf(blob), { highWaterMark: 256 * 1024 });
  }

  async remove(blobs: readonly BlobRef[]): Promise<void> {
    for (const blob of blobs) await rm(this.fileOf(blob), { force: true });
  }

  /**
   * Files no row names any more, older than `graceMs` (a file is written just before its row
   * commits): left behind by a crash between a delete's commit and its unlink, or by a client
   * deleted with everything in it (its rows cascade away in Postgres, its files stay here).
   */
  async orphans(isKnown: (blob: BlobRef) => Promise<boolean>, graceMs: number): Promise<BlobRef[]> {
    const found: BlobRef[] = [];
    const clients = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    for (const client of clients) {
      if (!client.isDirectory()) continue;
      for (const name of await readdir(join(this.dir, client.name))) {
        const id = name.startsWith('.') && name.endsWith('.partial') ? null : name;
        const age = Date.now() - (await stat(join(this.dir, client.name, name))).mtimeMs;
        if (age < graceMs) continue;
        if (id === null) await rm(join(this.dir, client.name, name), { force: true });
        else if (!(await isKnown({ id, clientId: client.name }))) found.push({ id, clientId: client.name });
      }
    }
    return found;
  }

  private fileOf(blob: BlobRef): string {
    return join(this.dir, blob.clientId, blob.id);
  }
}
