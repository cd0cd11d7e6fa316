import { createReadStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { checkKey, type ByteRange, type ObjectStorage } from './object-storage';

/** Files under one folder (ANCHOR_UPLOAD_DIR): the embedded default, and the layout photos always had. */
export class LocalDiskStorage implements ObjectStorage {
  readonly kind = 'local' as const;

  constructor(private readonly root: string) {}

  private file(key: string): string {
    return path.join(this.root, checkKey(key));
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    // wx: a key is written once; a clash is a bug, not something to overwrite
    await writeFile(file, bytes, { flag: 'wx' });
  }

  async open(key: string, range?: ByteRange): Promise<Readable | null> {
    const file = this.file(key);
    try {
      await stat(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }
}
