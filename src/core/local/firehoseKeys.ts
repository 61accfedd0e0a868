/**
 * The S3 object key Firehose writes when a destination has no custom prefix expression:
 * `[prefix]YYYY/MM/dd/HH/<stream>-<version>-YYYY-MM-dd-HH-mm-ss-<random>` in UTC.
 */
export function defaultS3Key(stream: string, version: string, at: Date, prefix = ''): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const [y, mo, d, h, mi, s] = [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()];
  const random = Math.random().toString(16).slice(2, 10) + '-' + Math.random().toString(16).slice(2, 6);
  const hasExpressions = prefix.includes('!{');
  const dated = hasExpressions ? prefix : `${prefix}${y}/${p(mo)}/${p(d)}/${p(h)}/`;
  return `${dated}${stream}-${version}-${y}-${p(mo)}-${p(d)}-${p(h)}-${p(mi)}-${p(s)}-${random}`;
}
