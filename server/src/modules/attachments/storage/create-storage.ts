import { LocalDiskStorage } from './local-disk.storage';
import type { ObjectStorage } from './object-storage';
import type { StorageEnv } from './storage-env';

export function createStorage(env: StorageEnv): ObjectStorage {
  if (env.kind === 'local') return new LocalDiskStorage(env.dir);
  const { kind: _kind, ...settings } = env;
  // Loaded only when object storage is configured: the embedded default starts without the AWS SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3Storage } = require('./s3.storage') as typeof import('./s3.storage');
  return new S3Storage(settings);
}
