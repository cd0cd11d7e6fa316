import { LocalDiskStorage } from './local-disk.storage';
import type { ObjectStorage } from './object-storage';
import { S3Storage } from './s3.storage';
import type { StorageEnv } from './storage-env';

export function createStorage(env: StorageEnv): ObjectStorage {
  if (env.kind === 'local') return new LocalDiskStorage(env.dir);
  const { kind: _kind, ...settings } = env;
  return new S3Storage(settings);
}
