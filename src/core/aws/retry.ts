/**
 * Which AWS errors are worth retrying, in one place: throttling (slow down, then retry), transient
 * server and network failures (retry with back-off), and errors no retry can fix. The reader, the
 * producer and the messages for people all classify with these lists.
 */

/** Throttling, as Kinesis, KMS and the SDK name it (call errors and PutRecords entry codes). */
export const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/** Server-side failures that pass (also PutRecords entry codes such as InternalFailure). */
export const TRANSIENT_SERVER_ERRORS: ReadonlySet<string> = new Set([
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'TimeoutError',
  'RequestTimeout',
]);

/** Network failures, by their system code. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** Errors a retry cannot fix: the stream, the request, the credentials or the key are wrong. */
export const PERMANENT_ERRORS: ReadonlySet<string> = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'AccessDenied',
  'InvalidArgumentException',
  'ValidationException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'CredentialsProviderError',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'UnknownOperationException',
]);

/** The error's name: a network code when there is one (on it or its cause), else the SDK name or code. */
export function errorName(e: unknown): string {
  if (typeof e === 'string') return e;
  const x = e as { name?: string; code?: string; Code?: string; cause?: { code?: string } };
  if (x?.code && NETWORK_ERROR_CODES.has(x.code)) return x.code;
  if (x?.cause?.code && NETWORK_ERROR_CODES.has(x.cause.code)) return x.cause.code;
  return x?.name && x.name !== 'Error' ? x.name : x?.code ?? x?.Code ?? 'Error';
}

/** An error (or an error code) that says: slow down. */
export function isThrottle(e: unknown): boolean {
  return THROTTLING_ERRORS.has(errorName(e));
}

/** A failure that passes: network, 5xx, a server's transient error. */
export function isTransient(e: unknown): boolean {
  const name = errorName(e);
  if (NETWORK_ERROR_CODES.has(name) || TRANSIENT_SERVER_ERRORS.has(name)) return true;
  if (typeof e === 'string') return false;
  const msg = e instanceof Error ? e.message : String(e);
  if (/socket hang up|ECONNREFUSED|ECONNRESET|EPIPE|network|timed? ?out/i.test(msg)) return true;
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

/** Worth another attempt: throttled or transient. */
export function isRetryable(e: unknown): boolean {
  return isThrottle(e) || isTransient(e);
}

/** No retry will help. */
export function isPermanent(e: unknown): boolean {
  return PERMANENT_ERRORS.has(errorName(e));
}
