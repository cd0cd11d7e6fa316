import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { checkKey, type ByteRange, type ObjectStorage } from './object-storage';

export interface S3Settings {
  /** e.g. https://oss-cn-hangzhou.aliyuncs.com, https://cos.ap-shanghai.myqcloud.com, http://minio:9000 */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** bucket in the path (MinIO, s3rver) rather than in the host name (OSS and COS accept both) */
  forcePathStyle: boolean;
  /** optional folder inside the bucket, so one bucket can serve several deployments */
  prefix: string;
}

/**
 * S3-compatible object storage through the official AWS SDK with a custom endpoint. Checksums are sent
 * and checked only where the protocol requires them: the SDK's newer default (CRC32 trailers on every
 * upload) is not understood by every OSS/COS/MinIO version in the field.
 */
export class S3Storage implements ObjectStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // The SDK's standard retries, stated: each request is tried at most three times, with jittered
      // exponential backoff (longer after throttling: 429, 503 SlowDown). An upload's body is a buffer,
      // so a retry resends the same bytes. Then the caller answers 503 with Retry-After; a download whose
      // body breaks after its headers is not retried (the answer has started) and is aborted.
      maxAttempts: 3,
      retryMode: 'standard',
    });
  }

  private key(key: string): string {
    return `${this.settings.prefix}${checkKey(key)}`;
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key), Body: bytes, ContentType: contentType, ContentLength: bytes.length }));
  }

  async open(key: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      return (answer.Body as Readable | undefined) ?? null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key) }));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  presignedUrl(key: string, options: { expiresSeconds: number; contentType: string }): Promise<string> {
    const command = new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.key(key), ResponseContentType: options.contentType });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresSeconds });
  }
}

function isMissing(error: unknown): boolean {
  if (error instanceof S3ServiceException) return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
  return false;
}
