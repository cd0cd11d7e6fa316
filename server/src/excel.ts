import type ExcelJSModule from 'exceljs';

/**
 * exceljs, loaded when a sheet is first written: loading it takes 0.3–0.6 s, which every server start
 * (and every test file) paid whether or not anyone exported a sheet. Reading uploads does not use it
 * (modules/customers/xlsx-reader.ts).
 */
export function excel(): typeof ExcelJSModule {
  return require('exceljs') as typeof ExcelJSModule;
}
