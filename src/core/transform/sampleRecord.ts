/**
 * The record a transform runs on: what was read from a stream (or a JSON Lines file),
 * before any decoding. Both the Firehose and the Lambda Kinesis event builders take these.
 */
import type { RawRecord } from '../records/types';

export interface SampleRecord extends RawRecord {
  /** For a KPL user record taken out of an aggregate. */
  subSequenceNumber?: number;
}

/** Limits Firehose and Lambda apply to a transform invocation (from the AWS documentation). */
export const LIMITS = {
  /** Lambda synchronous invocation: request and response payloads are each at most 6 MB. */
  maxPayloadBytes: 6 * 1024 * 1024,
  /** Firehose buffers records for the Lambda processor: 1 MB by default, 0.2 MB to 3 MB. */
  defaultFirehoseBufferBytes: 1024 * 1024,
  maxFirehoseBufferBytes: 3 * 1024 * 1024,
  /** Firehose supports a Lambda invocation time of up to 5 minutes. */
  maxFirehoseInvocationMs: 5 * 60 * 1000,
  /** Lambda Kinesis event source mapping: batch size 100 by default, up to 10,000. */
  defaultLambdaBatchSize: 100,
  maxLambdaBatchSize: 10_000,
} as const;

/** A problem with what the handler did, pointing at the record it concerns when there is one. */
export interface Violation {
  code: ViolationCode;
  severity: 'error' | 'warning';
  message: string;
  /** The recordId (Firehose) or sequence number (Lambda Kinesis) of the record concerned. */
  recordId?: string;
  /** Index of the record in the sample (0-based), when the violation concerns one record. */
  recordIndex?: number;
  /** Which invocation (batch) it happened in, 0-based. */
  invocation?: number;
  /** For a thrown error or process.exit: the stack, mapped to the handler's source. */
  stack?: string;
}

export type ViolationCode =
  | 'response-shape'
  | 'record-shape'
  | 'missing-record-id'
  | 'unknown-record-id'
  | 'duplicate-record-id'
  | 'missing-record'
  | 'invalid-result'
  | 'missing-data'
  | 'invalid-base64'
  | 'invalid-metadata'
  | 'invalid-partition-keys'
  | 'missing-partition-key'
  | 'response-too-large'
  | 'request-too-large'
  | 'invalid-prefix'
  | 'invalid-batch-item-failures'
  | 'handler-error'
  | 'handler-timeout'
  | 'handler-memory'
  | 'handler-exit'
  | 'handler-crash'
  | 'handler-load'
  | 'cancelled';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict standard base64 (what Firehose and Lambda accept): alphabet, padding, length. */
export function isBase64(s: unknown): s is string {
  return typeof s === 'string' && s.length % 4 === 0 && BASE64.test(s);
}

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
