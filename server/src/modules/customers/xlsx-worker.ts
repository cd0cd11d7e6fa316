import { parentPort } from 'node:worker_threads';
import { readFirstSheet, XlsxRefusal, type XlsxLimits } from './xlsx-reader';

/** Runs in the worker thread of xlsx-off-thread.ts: reads each workbook it is sent and answers. */
parentPort!.on('message', ({ id, file, limits }: { id: number; file: Uint8Array; limits: XlsxLimits }) => {
  readFirstSheet(Buffer.from(file.buffer, file.byteOffset, file.byteLength), limits).then(
    (sheet) => parentPort!.postMessage({ id, ok: true, sheet }),
    (error: unknown) =>
      parentPort!.postMessage(
        error instanceof XlsxRefusal
          ? { id, ok: false, status: error.status, message: error.message }
          : { id, ok: false, status: 415, message: '无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式' },
      ),
  );
});
