import type { StoredRecord } from '../../core/transform/sample';
import type { NotebookCellJson, NotebookJson } from '../../core/transform/notebookFormat';

const INLINE_HANDLER = `// A Firehose data-transformation handler, run locally and isolated on the sample above.
// Options for this cell go in comment lines; this one sets the S3 prefix to evaluate:
// prefix: !{partitionKeyFromLambda:key}/!{timestamp:yyyy/MM/dd}/
interface FirehoseRecord {
  recordId: string;
  data: string;
  kinesisRecordMetadata?: { partitionKey: string };
}

export const handler = async (event: { records: FirehoseRecord[] }) => ({
  records: event.records.map((r) => {
    const text = Buffer.from(r.data, 'base64').toString('utf8');
    return {
      recordId: r.recordId,
      result: 'Ok',
      // One JSON document per line in the delivered object.
      data: Buffer.from(text.trimEnd() + '\\n').toString('base64'),
      metadata: { partitionKeys: { key: r.kinesisRecordMetadata?.partitionKey ?? 'none' } },
    };
  }),
});
`;

const code = (language: string, source: string): NotebookCellJson => ({ kind: 'code', language, source });
const md = (source: string): NotebookCellJson => ({ kind: 'markdown', language: 'markdown', source });

/** The layout a new transform notebook starts with. */
export function starterNotebook(opts: { streamName?: string; connectionId?: string; records?: StoredRecord[]; handlerFile?: string }): NotebookJson {
  const title = opts.streamName ? `Transform notebook: \`${opts.streamName}\`` : 'Transform notebook';
  const cells: NotebookCellJson[] = [
    md(
      [
        `# ${title}`,
        '',
        'Run the cells from the top (**Run All**). The sample cell takes records; each transform cell runs a',
        'Firehose data-transformation handler on them in a separate process, checks the response against the',
        'Firehose contract and shows what would be delivered to S3.',
        '',
        '- A JSON cell can point at the handler that ships: `{ "handler": "./src/transform.ts#handler" }`.',
        '- `"store": true` in the sample keeps the records in this file, so a run is repeatable offline.',
        '- `"mode": "lambda-kinesis"` runs a Kinesis Lambda consumer (with `batchItemFailures`) instead.',
      ].join('\n'),
    ),
  ];
  if (opts.records) {
    cells.push({ ...code('json', JSON.stringify({ sample: { stored: true } }, null, 2)), storedSample: { spec: '{"stored":true}', takenAt: new Date().toISOString(), records: opts.records } });
  } else if (opts.streamName) {
    cells.push(code('json', JSON.stringify({ sample: { connection: opts.connectionId ?? 'local', stream: opts.streamName, from: 'TRIM_HORIZON', count: 500, store: false } }, null, 2)));
  } else {
    cells.push(code('json', JSON.stringify({ sample: { file: './sample.jsonl', count: 500 } }, null, 2)));
  }
  cells.push(code('typescript', INLINE_HANDLER));
  cells.push(
    md(
      [
        'SQL cells query records with DuckDB: `records` is the sample above, `output` the transform above (with `result`,',
        '`violations` and `pk_<key>`), `stream(\'name\', from => \'TRIM_HORIZON\', count => 10000)` a stream read directly.',
        'Columns: `arrival_time`, `shard_id`, `partition_key`, `sequence_number`, `size`, then the JSON fields (`a.b` for nested ones).',
        '',
        '- Tumbling windows: `tumble(arrival_time, INTERVAL 1 MINUTE)` (or an event-time field), like Flink\'s `TUMBLE`.',
        '- Hopping windows: `FROM records, UNNEST(hop(arrival_time, INTERVAL 1 MINUTE, INTERVAL 5 MINUTE)) AS t(w) GROUP BY w`.',
        '- A first line `-- expect: empty` (or `rows`) makes the query a check that fails the cell.',
      ].join('\n'),
    ),
  );
  cells.push(code('sql', 'SELECT tumble(arrival_time, INTERVAL 1 MINUTE) AS minute, count(*) AS records, sum(size) AS bytes\nFROM records\nGROUP BY minute\nORDER BY minute'));
  cells.push(code('sql', '-- expect: empty\nSELECT record_id, result, violations FROM output WHERE violations > 0'));
  if (opts.handlerFile) {
    cells.push(md('The handler file from the workspace, with the same sample:'));
    cells.push(code('json', JSON.stringify({ handler: `${opts.handlerFile}#handler`, mode: 'firehose', prefix: '!{partitionKeyFromLambda:key}/' }, null, 2)));
  }
  return { cells };
}
