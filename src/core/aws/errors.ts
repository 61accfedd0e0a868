/**
 * Turns SDK and network errors into a sentence for a person: what failed and what to do.
 * Every message it builds goes through redact(): they end in notifications, webview replies
 * and notebook outputs, and an SDK message may quote a credential.
 */
import { redact } from './redact';
import { NETWORK_ERROR_CODES } from './retry';

export interface FriendlyError {
  message: string;
  /** A suggestion the UI can show or act on. */
  action?: string;
  /** The SDK error name, when there was one. */
  code?: string;
}

export interface ErrorContext {
  /** What was being done, for example "list streams". */
  operation?: string;
  /** For credential errors: the profile in use. */
  profile?: string;
  /** For network errors: the endpoint. */
  endpoint?: string;
  stream?: string;
}

/** A plain error whose message is already meant for people (validation, our own checks). */
export class UserError extends Error {
  constructor(message: string, readonly action?: string) {
    super(message);
    this.name = 'UserError';
  }
}

function errName(err: unknown): string {
  const e = err as { name?: string; code?: string; Code?: string };
  return e?.name && e.name !== 'Error' ? e.name : e?.code ?? e?.Code ?? 'Error';
}

export function describeError(err: unknown, ctx: ErrorContext = {}): FriendlyError {
  const f = describeUnredacted(err, ctx);
  return { ...f, message: redact(f.message), ...(f.action ? { action: redact(f.action) } : {}) };
}

function describeUnredacted(err: unknown, ctx: ErrorContext): FriendlyError {
  if (err instanceof UserError) return { message: err.message, action: err.action };
  const name = errName(err);
  const raw = err instanceof Error ? err.message : String(err);
  const what = ctx.operation ? `Could not ${ctx.operation}` : 'The request failed';
  const stream = ctx.stream ? ` "${ctx.stream}"` : '';
  const cause = (err as { cause?: { code?: string } })?.cause?.code;
  const sysCode = (err as { code?: string })?.code ?? cause;

  if (name === 'AbortError' || /aborted/i.test(raw) && name === 'AbortError') {
    return { message: `${what}: cancelled.`, code: name };
  }
  if (NETWORK_ERROR_CODES.has(sysCode ?? '') ||
      /ECONNREFUSED|ENOTFOUND|socket hang up|ECONNRESET/.test(raw)) {
    return {
      message: `${what}: the endpoint${ctx.endpoint ? ' ' + ctx.endpoint : ''} is not reachable (${sysCode ?? raw}).`,
      action: 'Check that the endpoint is running and the URL is right, then refresh.',
      code: sysCode ?? name,
    };
  }
  switch (name) {
    case 'ExpiredTokenException':
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
      return {
        message: `${what}: the credentials${ctx.profile ? ` for profile "${ctx.profile}"` : ''} have expired.`,
        action: ctx.profile ? `Run \`aws sso login --profile ${ctx.profile}\` (or refresh the profile's keys), then refresh.` : 'Refresh your credentials, then refresh.',
        code: name,
      };
    case 'CredentialsProviderError':
      if (/SSO|sso/.test(raw) || /token/i.test(raw)) {
        return {
          message: `${what}: no valid SSO session${ctx.profile ? ` for profile "${ctx.profile}"` : ''}.`,
          action: ctx.profile ? `Run \`aws sso login --profile ${ctx.profile}\`, then refresh.` : 'Sign in with `aws sso login`, then refresh.',
          code: name,
        };
      }
      return {
        message: `${what}: ${ctx.profile ? `profile "${ctx.profile}" has no usable credentials` : 'no credentials were found'} (${raw}).`,
        action: 'Check ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE).',
        code: name,
      };
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'SignatureDoesNotMatch':
    case 'InvalidClientTokenId':
      return { message: `${what}: AWS rejected the credentials (${name}).`, action: 'Check the access key and secret of this connection.', code: name };
    case 'AccessDeniedException':
    case 'AccessDenied':
      return { message: `${what}: access denied. ${raw}`, action: 'Ask for the Kinesis permission named above, or use another profile.', code: name };
    case 'ResourceNotFoundException':
      return { message: `${what}: stream${stream} not found (it may have been deleted).`, action: 'Refresh the Kinesis view.', code: name };
    case 'ResourceInUseException':
      return { message: `${what}: stream${stream} is busy (${raw}).`, action: 'Wait until it is ACTIVE, then try again.', code: name };
    case 'LimitExceededException':
      return { message: `${what}: a Kinesis limit was reached. ${raw}`, action: 'Wait a little and try again, or raise the limit for the account.', code: name };
    case 'ProvisionedThroughputExceededException':
      return { message: `${what}: throughput exceeded on the stream.`, action: 'Slow down or add shards; the request is retried with back-off.', code: name };
    case 'ExpiredIteratorException':
      return { message: `${what}: the shard iterator expired.`, action: 'Reading resumes from the last record seen.', code: name };
    case 'InvalidArgumentException':
    case 'ValidationException':
      return { message: `${what}: ${raw}`, code: name };
    case 'UnknownOperationException':
      return { message: `${what}: this endpoint does not support the operation.`, action: 'Use an endpoint that supports it (real AWS, LocalStack).', code: name };
  }
  return { message: `${what}: ${raw}`, code: name };
}

export function friendlyMessage(err: unknown, ctx?: ErrorContext): string {
  const f = describeError(err, ctx);
  return f.action ? `${f.message} ${f.action}` : f.message;
}
