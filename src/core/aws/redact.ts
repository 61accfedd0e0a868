/**
 * Belt and braces: strips anything shaped like AWS credentials from text bound for a log, a
 * notification, a webview's error reply or a notebook output, even if a caller slipped one in.
 */

// Names a secret goes by: SDK fields, ~/.aws/credentials keys, environment variables, the
// pre-signed URL parameter and the header.
const SECRET_NAMES = String.raw`(?:aws_)?secret_?access_?key|(?:aws_)?session_?token|x-amz-security-token`;
// What separates the name from its value: `=`, `: `, `":"`, and JSON escaped inside a string (`\":\"`).
const SEPARATOR = String.raw`(?:\\?["'])?\s*[:=]\s*(?:\\?["'])?`;
const SECRET_VALUE = new RegExp(`(${SECRET_NAMES})(${SEPARATOR})[^\\s"'\\\\,;&}]+`, 'gi');
const ACCESS_KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g;
// http://user:pass@host: user-info may hold keys (some tools put them there).
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

export function redact(text: string): string {
  return text.replace(ACCESS_KEY_ID, '$1****************').replace(SECRET_VALUE, '$1$2****').replace(URL_USER_INFO, '$1****@');
}
