/** Delivery stream configuration pieces the Firehose core tests share (what the real API takes). */
export const ROLE = 'arn:aws:iam::000000000000:role/firehose';

export const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** A ProcessingConfiguration running the Lambda `name` (with NumberOfRetries when given). */
export const lambda = (name: string, retries?: number) => ({
  Enabled: true,
  Processors: [
    {
      Type: 'Lambda' as const,
      Parameters: [{ ParameterName: 'LambdaArn' as const, ParameterValue: lambdaArn(name) }, ...(retries === undefined ? [] : [{ ParameterName: 'NumberOfRetries' as const, ParameterValue: String(retries) }])],
    },
  ],
});

/** A ProcessingConfiguration extracting partition keys with a jq query (inline parsing). */
export const jq = (query: string) => ({
  Enabled: true,
  Processors: [
    {
      Type: 'MetadataExtraction' as const,
      Parameters: [
        { ParameterName: 'MetadataExtractionQuery' as const, ParameterValue: query },
        { ParameterName: 'JsonParsingEngine' as const, ParameterValue: 'JQ-1.6' },
      ],
    },
  ],
});
