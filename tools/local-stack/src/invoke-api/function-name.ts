/**
 * Reads the `{FunctionName}` of an Invoke API path the ways Lambda accepts it: a name ("hello"), a name with a
 * qualifier ("hello:$LATEST"), a full ARN ("arn:aws:lambda:eu-west-1:123456789012:function:hello[:qualifier]")
 * or a partial ARN ("123456789012:function:hello").
 */

export interface FunctionReference {
  readonly name: string;
  /** The version or alias named in the reference, if any. */
  readonly qualifier?: string;
}

const FULL_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^\d{12}:function:([^:]+)(?::([^:]+))?$/;
const NAME = /^([^:]+)(?::([^:]+))?$/;

/** Parses a (URL-decoded) function reference, or returns undefined when it has none of Lambda's shapes. */
export function parseFunctionReference(reference: string): FunctionReference | undefined {
  const match = FULL_ARN.exec(reference) ?? PARTIAL_ARN.exec(reference) ?? NAME.exec(reference);
  if (!match) return undefined;
  const name = match[1] ?? "";
  const qualifier = match[2];
  return qualifier === undefined ? { name } : { name, qualifier };
}
