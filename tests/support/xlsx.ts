import ExcelJS from 'exceljs';

export type CellInput = ExcelJS.CellValue;

/** The number format a date cell gets, so Excel (and the importer) see a date, not a number. */
const DATE_FORMAT = 'yyyy-mm-dd hh:mm';

/**
 * A workbook the way a user saves one from Excel: one sheet, `rows[0]` is the header row (Excel
 * row 1). A Date cell is a wall-clock time carried in the Date's UTC fields, as Excel stores it;
 * `null` rows become blank lines.
 */
export async function buildWorkbook(rows: (CellInput[] | null)[], options: { sheetName?: string; extraSheets?: string[] } = {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet(options.sheetName ?? '客户');
  rows.forEach((cells, index) => {
    if (!cells) return;
    const row = sheet.getRow(index + 1);
    cells.forEach((value, col) => {
      if (value === undefined || value === null) return;
      const cell = row.getCell(col + 1);
      cell.value = value;
      if (value instanceof Date) cell.numFmt = DATE_FORMAT;
    });
    row.commit();
  });
  for (const name of options.extraSheets ?? []) wb.addWorksheet(name).addRow(['客户名称', '所属行业']);
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** A workbook with no worksheet at all, or with one empty worksheet. */
export async function emptyWorkbook(withSheet: boolean): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  if (withSheet) wb.addWorksheet('Sheet1');
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

/** The first worksheet of an .xlsx as plain rows (column 1 at index 0), blank rows dropped. */
export async function readWorkbook(file: Buffer): Promise<{ sheetNames: string[]; rows: CellInput[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ExcelJS.Buffer);
  const sheet = wb.worksheets[0];
  const rows: CellInput[][] = [];
  sheet?.eachRow((row) => {
    const values = (row.values as CellInput[]).slice(1);
    rows.push(Array.from({ length: values.length }, (_, i) => values[i] ?? null));
  });
  return { sheetNames: wb.worksheets.map((w) => w.name), rows };
}

/** A wall-clock time as Excel carries it (the UTC fields hold the local reading). */
export const wallClock = (year: number, month: number, day: number, hour = 0, minute = 0) => new Date(Date.UTC(year, month - 1, day, hour, minute));

/**
 * The same workbook with its zip parts in another order. OOXML addresses parts by name, so
 * the order is free; programs other than Excel write them in their own order.
 */
export async function reorderParts(file: Buffer, order: string[]): Promise<Buffer> {
  const JSZip = (await import('jszip')).default;
  const zip = await JSZip.loadAsync(file);
  const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir);
  const out = new JSZip();
  for (const name of [...order.filter((n) => names.includes(n)), ...names.filter((n) => !order.includes(n))]) {
    out.file(name, await zip.file(name)!.async('uint8array'));
  }
  return Buffer.from(await out.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }));
}
