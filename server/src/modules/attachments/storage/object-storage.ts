import type { Readable } from 'node:stream';

/** A byte range, both ends inclusive (as HTTP's Range header counts). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where attachment bytes live: a local folder for the embedded default, S3-compatible object storage
 * (阿里云 OSS, 腾讯云 COS, MinIO) when several servers share one database. Keys are made by the service
 * (`photos/2026-11/<random>.png`), never by a user.
 */
export interface ObjectStorage {
  /** `local` or `s3`: what start-up and the logs name */
  readonly kind: 'local' | 's3';
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The bytes (or a range of them) as a stream; null when the object is not there. */
  open(key: string, range?: ByteRange): Promise<Readable | null>;
  /** Removes the object; a key already gone is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A short-lived URL the client fetches the object from directly, when the store can make one
   * (object storage); the local disk cannot, and large files then stream through the server.
   */
  presignedUrl?(key: string, options: { expiresSeconds: number; contentType: string }): Promise<string>;
}

/** Keys are the service's own; this refuses anything that could climb out of a folder or bucket prefix. */
export function checkKey(key: string): string {
  if (!/^[a-z0-9/_.-]+$/i.test(key) || key.includes('..') || key.startsWith('/')) throw new Error(`bad storage key: ${key}`);
  return key;
}
