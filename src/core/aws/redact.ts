/**
 * Belt and braces: strips anything shaped like AWS credentials from text bound for a log, an
 * error message or a notebook output, even if a caller slipped one in.
 */
export function redact(text: string): string {
  return text
    .replace(/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '$1****************')
    .replace(/(secretAccessKey|aws_secret_access_key|sessionToken|aws_session_token|SecretAccessKey|SessionToken)(["'\s:=]+)[^\s"',}]+/gi, '$1$2****');
}
