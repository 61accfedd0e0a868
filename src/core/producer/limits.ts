/**
 * What Kinesis accepts per record and per PutRecords call, and Firehose per record and per
 * PutRecordBatch call. No imports: the producer panel's webview checks the same limits as you type.
 */
export const MAX_RECORDS_PER_CALL = 500;
export const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
/** Data plus partition key, in bytes. */
export const MAX_RECORD_BYTES = 1024 * 1024;
export const MAX_PARTITION_KEY_LENGTH = 256;

/** Firehose (PutRecordBatch): 500 records, 4 MiB per call, 1,000 KiB per record before base64; no partition key. */
export const FIREHOSE_MAX_RECORDS_PER_CALL = 500;
export const FIREHOSE_MAX_BYTES_PER_CALL = 4 * 1024 * 1024;
export const FIREHOSE_MAX_RECORD_BYTES = 1000 * 1024;
