/** The types an attachment can have, as its bytes say (the client's Content-Type and file name are not trusted). */
export const CONTENT_TYPES = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
} as const;
export type FileKind = keyof typeof CONTENT_TYPES;
export type ContentType = (typeof CONTENT_TYPES)[FileKind];

/** How a person names each kind in a message: 「JPEG、PNG 或 WebP」. */
export const KIND_LABELS: Record<FileKind, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', pdf: 'PDF', mp4: 'MP4', docx: 'Word（DOCX）', xlsx: 'Excel（XLSX）', pptx: 'PowerPoint（PPTX）' };

export const EXTENSIONS: Record<FileKind, string> = { jpeg: 'jpeg', png: 'png', webp: 'webp', pdf: 'pdf', mp4: 'mp4', docx: 'docx', xlsx: 'xlsx', pptx: 'pptx' };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What the bytes are, by their magic numbers; null for anything else (text, scripts, executables…). */
export function sniff(bytes: Buffer): FileKind | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 5 && bytes.toString('latin1', 0, 5) === '%PDF-') return 'pdf';
  // ISO base media: a box size, then `ftyp` and a brand (isom, mp41, mp42, avc1, M4V …)
  if (bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp' && /^[\x20-\x7e]{4}$/.test(bytes.toString('latin1', 8, 12))) return 'mp4';
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) return officeKind(zipEntryNames(bytes));
  return null;
}

/** DOCX, XLSX and PPTX are zip files told apart by their top folder; any other zip is none of them. */
function officeKind(names: string[] | null): FileKind | null {
  if (!names || !names.includes('[Content_Types].xml')) return null;
  if (names.some((n) => n.startsWith('word/'))) return 'docx';
  if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
  if (names.some((n) => n.startsWith('ppt/'))) return 'pptx';
  return null;
}

/**
 * The entry names from a zip's central directory, read without inflating anything; null when the
 * directory cannot be found or runs past the end of the file (truncated or not really a zip).
 */
export function zipEntryNames(bytes: Buffer): string[] | null {
  const END = 0x06054b50;
  const CENTRAL = 0x02014b50;
  // the end-of-directory record is 22 bytes plus a comment of at most 65 535
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  let end = -1;
  for (let i = bytes.length - 22; i >= lowest; i--) {
    if (bytes.readUInt32LE(i) === END) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL) return null;
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    if (at + 46 + nameLength > bytes.length) return null;
    names.push(bytes.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}
