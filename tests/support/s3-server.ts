import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { S3Storage } from '../../server/src/modules/attachments/storage/s3.storage';

export interface S3Server {
  /** what a server is given as STORAGE_URL */
  storageUrl: string;
  /** the endpoint's http://host:port */
  endpoint: string;
  /** a client of its own, to look into the bucket as the servers under test do not */
  storage: S3Storage;
  close(): Promise<void>;
}

/**
 * A real S3-compatible server (s3rver: the S3 REST API with signature checks, over files) on a free port,
 * in this process, with one bucket. Its default credentials are S3RVER / S3RVER.
 */
export async function startS3Server(bucket = 'anchor', prefix = 'test'): Promise<S3Server> {
  const directory = mkdtempSync(path.join(tmpdir(), 'anchor-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  let closed = false;
  return {
    storageUrl: `s3://S3RVER:S3RVER@127.0.0.1:${port}/${bucket}/${prefix}?tls=0&forcePathStyle=1&region=cn-east-1`,
    endpoint,
    storage: new S3Storage({ endpoint, bucket, prefix: `${prefix}/`, region: 'cn-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true }),
    close: async () => {
      if (closed) return;
      closed = true;
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
