/** The record inspector's core: reading, decoding, filtering, exporting (no vscode import). */
export * from './types';
export { StreamReader, readAll } from './reader';
export type { StreamReaderOptions, ReaderError, ReaderStats, ReadAllOptions } from './reader';
export { decodeRecord, decodeRecords, decodeRecordsWithSchemas, previewOf, hexDump, rawBytesOf, DECODING_KINDS, DECODE_BUDGET_BYTES } from './decoders';
export type { DecodeOptions } from './decoders';
export { RECORD_FORMATS, formatOf, columnsOf, detailOf, fieldColumn } from './formats';
export type { FormatColumn, FormatDetail, RecordFormat, DetailSection, AttributeChange } from './formats';
export { AvroSchemas } from './glueSchemaRegistry';
export { CLOUDFRONT_FIELDS, cloudFrontFieldOrder } from './cloudFront';
export { RecordDecodeQueue } from './decodeQueue';
export { RecordFilter, jmespathError, evaluateJmespath } from './filters';
export type { RecordFilterSpec, FilterCompileResult } from './filters';
export { writeJsonLines, writeCsv, writeRecords, toJsonLine, toCsvRow, exportToFile, isExportCancelled } from './export';
export type { ExportFormat, ExportOptions } from './export';
