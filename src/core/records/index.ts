/** The record inspector's core: reading, decoding, filtering, exporting (no vscode import). */
export * from './types';
export { StreamReader, readAll } from './reader';
export type { StreamReaderOptions, ReaderError, ReaderStats, ReadAllOptions } from './reader';
export { decodeRecord, decodeRecords, previewOf, hexDump, DECODING_KINDS } from './decoders';
export { RecordFilter, jmespathError, evaluateJmespath } from './filters';
export type { RecordFilterSpec, FilterCompileResult } from './filters';
export { writeJsonLines, writeCsv, writeRecords, toJsonLine, toCsvRow } from './export';
export type { ExportFormat, ExportOptions } from './export';
