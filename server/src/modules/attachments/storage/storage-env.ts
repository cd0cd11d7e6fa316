import type { S3Settings } from './s3.storage';

/** Where attachments are stored, from the environment: a folder, or an S3-compatible bucket. */
export type StorageEnv = { kind: 'local'; dir: string } | ({ kind: 's3' } & S3Settings);

export class StorageEnvError extends Error {}

type Source = Record<string, string | undefined>;

const flag = (value: string | null, fallback: boolean) => (value === null || value === '' ? fallback : value === '1' || value === 'true');

/**
 * STORAGE_URL chooses the store:
 * - absent (or `file:`): files under ANCHOR_UPLOAD_DIR (`uploadDir`);
 * - `s3://KEY:SECRET@host[:port]/bucket[/prefix]?region=…&forcePathStyle=1&tls=0`: S3-compatible
 *   object storage (OSS, COS, MinIO). KEY and SECRET may instead come from STORAGE_S3_ACCESS_KEY_ID and
 *   STORAGE_S3_SECRET_ACCESS_KEY (which win), so the URL itself need not hold a secret.
 */
export function readStorageEnv(source: Source, uploadDir: string): StorageEnv {
  const raw = source.STORAGE_URL?.trim();
  if (!raw || raw.startsWith('file:')) return { kind: 'local', dir: uploadDir };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StorageEnvError('STORAGE_URL：不是有效的地址（应为 s3://KEY:SECRET@host:port/bucket?region=…）');
  }
  if (url.protocol !== 's3:') throw new StorageEnvError(`STORAGE_URL：只支持 s3:// 地址（收到 ${url.protocol}//）`);
  const [bucket, ...prefix] = decodeURIComponent(url.pathname).replace(/^\/+/, '').split('/').filter(Boolean);
  if (!bucket) throw new StorageEnvError('STORAGE_URL：缺少桶名（s3://主机/桶名）');
  if (!url.hostname) throw new StorageEnvError('STORAGE_URL：缺少主机名');
  const accessKeyId = source.STORAGE_S3_ACCESS_KEY_ID?.trim() || decodeURIComponent(url.username);
  const secretAccessKey = source.STORAGE_S3_SECRET_ACCESS_KEY?.trim() || decodeURIComponent(url.password);
  if (!accessKeyId || !secretAccessKey) {
    throw new StorageEnvError('STORAGE_URL：缺少访问密钥（写在地址中 s3://KEY:SECRET@…，或设置 STORAGE_S3_ACCESS_KEY_ID 和 STORAGE_S3_SECRET_ACCESS_KEY）');
  }
  const tls = flag(url.searchParams.get('tls'), true);
  return {
    kind: 's3',
    endpoint: `${tls ? 'https' : 'http'}://${url.host}`,
    bucket,
    prefix: prefix.length ? `${prefix.join('/')}/` : '',
    region: url.searchParams.get('region') || 'us-east-1',
    accessKeyId,
    secretAccessKey,
    forcePathStyle: flag(url.searchParams.get('forcePathStyle'), false),
  };
}
