// Firehose transform for the demo's `clickstream-archive` delivery stream, which the built-in
// Firehose runs on every batch it reads from `clickstream`: it keeps the fields the archive needs,
// adds the site section, partitions by action (dynamic partitioning, !{partitionKeyFromLambda:action})
// and writes JSON lines. Two deliberate behaviours for the demo:
// - clicks on /help are rejected (ProcessingFailed): they land in the error output, errors/processing-failed/;
// - bot traffic (a duration of 0 ms) is Dropped.

interface FirehoseRecord {
  recordId: string;
  data: string;
}

interface Click {
  Id: number;
  Date: string;
  user: string;
  page: string;
  action: string;
  durationMs: number;
}

let batches = 0; // module state survives between invocations: the handler is warm, as in Lambda

export const handler = async (event: { records: FirehoseRecord[] }) => {
  batches++;
  return {
    records: event.records.map((r) => {
      let click: Click;
      try {
        click = JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')) as Click;
      } catch {
        return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
      }
      if (click.page === '/help') return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
      if (click.durationMs === 0) return { recordId: r.recordId, result: 'Dropped', data: r.data };
      const section = click.page.split('/')[1] || 'home';
      const line = JSON.stringify({ id: click.Id, at: click.Date, user: click.user, section, page: click.page, action: click.action, ms: click.durationMs, batch: batches }) + '\n';
      return { recordId: r.recordId, result: 'Ok', data: Buffer.from(line).toString('base64'), metadata: { partitionKeys: { action: click.action } } };
    }),
  };
};
