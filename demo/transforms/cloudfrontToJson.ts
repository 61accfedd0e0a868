// Firehose transform for CloudFront real-time logs: each record is one tab-separated log line;
// it becomes one JSON object with the fields named ("-" becomes null).
// FIELDS must be your real-time log configuration's fields, in CloudFront's order
// (aws cloudfront get-realtime-log-config --name NAME --query RealtimeLogConfig.Fields).
// This list is every field, the default of a new configuration.
const FIELDS = [
  'timestamp', 'c-ip', 'time-to-first-byte', 'sc-status', 'sc-bytes', 'cs-method', 'cs-protocol', 'cs-host', 'cs-uri-stem', 'cs-bytes',
  'x-edge-location', 'x-edge-request-id', 'x-host-header', 'time-taken', 'cs-protocol-version', 'c-ip-version', 'cs-user-agent', 'cs-referer',
  'cs-cookie', 'cs-uri-query', 'x-edge-response-result-type', 'x-forwarded-for', 'ssl-protocol', 'ssl-cipher', 'x-edge-result-type',
  'fle-encrypted-fields', 'fle-status', 'sc-content-type', 'sc-content-len', 'sc-range-start', 'sc-range-end', 'c-port',
  'x-edge-detailed-result-type', 'c-country', 'cs-accept-encoding', 'cs-accept', 'cache-behavior-path-pattern', 'cs-headers',
  'cs-header-names', 'cs-headers-count',
];

interface FirehoseRecord {
  recordId: string;
  data: string;
}

export const handler = async (event: { records: FirehoseRecord[] }) => ({
  records: event.records.map((r) => {
    const values = Buffer.from(r.data, 'base64').toString('utf8').replace(/\r?\n$/, '').split('\t');
    if (values.length !== FIELDS.length) {
      console.error(`record ${r.recordId}: ${values.length} fields, the configuration has ${FIELDS.length}`);
      return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
    }
    const row: Record<string, string | null> = {};
    FIELDS.forEach((f, i) => (row[f] = values[i] === '-' ? null : values[i]));
    return {
      recordId: r.recordId,
      result: 'Ok',
      data: Buffer.from(JSON.stringify(row) + '\n').toString('base64'),
      metadata: { partitionKeys: { status: row['sc-status'] ?? 'none' } },
    };
  }),
});
