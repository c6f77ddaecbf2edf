/**
 * Reads the `{FunctionName}` of an Invoke API path the ways Lambda accepts it: a name ("hello"), a name with a
 * qualifier ("hello:$LATEST"), a full ARN ("arn:aws:lambda:eu-west-1:123456789012:function:hello[:qualifier]")
 * or a partial ARN ("123456789012:function:hello"). Anything else is what Lambda answers with a 400
 * ValidationException: a name is 1-64 characters of `[a-zA-Z0-9-_]`, an ARN at most 140 characters.
 */

export interface FunctionReference {
  readonly name: string;
  /** The version or alias named in the reference, if any. */
  readonly qualifier?: string;
  /** The account a full or partial ARN names. */
  readonly accountId?: string;
  /** The region a full ARN names. */
  readonly region?: string;
}

const MAX_FUNCTION_REFERENCE_LENGTH = 140;
const MAX_QUALIFIER_LENGTH = 128;

/** Lambda's pattern for `FunctionName`, quoted in its ValidationException. */
const FUNCTION_NAME_PATTERN =
  "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";
/** Lambda's pattern for `Qualifier`; it allows the empty string, which means no qualifier. */
const QUALIFIER_PATTERN = "(|[a-zA-Z0-9$_-]+)";

const NAME = "([a-zA-Z0-9_-]{1,64})";
const QUALIFIER = "(?::(\\$LATEST|[a-zA-Z0-9_-]{1,128}))?";
const FULL_ARN = new RegExp(
  `^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\\d):(\\d{12}):function:${NAME}${QUALIFIER}$`,
);
const PARTIAL_ARN = new RegExp(`^(\\d{12}):function:${NAME}${QUALIFIER}$`);
const PLAIN_NAME = new RegExp(`^${NAME}${QUALIFIER}$`);
const QUALIFIER_VALUE = /^[a-zA-Z0-9$_-]*$/;

function reference(
  name: string | undefined,
  qualifier: string | undefined,
  place: { accountId?: string | undefined; region?: string | undefined },
): FunctionReference {
  return {
    name: name ?? "",
    ...(qualifier === undefined ? {} : { qualifier }),
    ...(place.region === undefined ? {} : { region: place.region }),
    ...(place.accountId === undefined ? {} : { accountId: place.accountId }),
  };
}

/** Parses a (URL-decoded) function reference, or returns undefined when Lambda would refuse it as malformed. */
export function parseFunctionReference(value: string): FunctionReference | undefined {
  if (value.length > MAX_FUNCTION_REFERENCE_LENGTH) return undefined;
  const full = FULL_ARN.exec(value);
  if (full) return reference(full[3], full[4], { region: full[1], accountId: full[2] });
  const partial = PARTIAL_ARN.exec(value);
  if (partial) return reference(partial[2], partial[3], { accountId: partial[1] });
  const plain = PLAIN_NAME.exec(value);
  if (plain) return reference(plain[1], plain[2], {});
  return undefined;
}

function validationMessage(value: string, field: string, constraint: string): string {
  return `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`;
}

/** Lambda's ValidationException message for a function reference `parseFunctionReference` refused. */
export function invalidFunctionNameMessage(value: string): string {
  const constraint =
    value.length > MAX_FUNCTION_REFERENCE_LENGTH
      ? `Member must have length less than or equal to ${MAX_FUNCTION_REFERENCE_LENGTH}`
      : `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`;
  return (
    `${validationMessage(value, "functionName", constraint)}. A function name is 1-64 letters, digits, ` +
    `hyphens or underscores (optionally :qualifier), or a full or partial ARN of at most ${MAX_FUNCTION_REFERENCE_LENGTH} characters.`
  );
}

/** Reads `?Qualifier=`: absent and empty both mean unqualified (the pattern allows the empty string). */
export function parseQualifier(
  value: string | null,
): { readonly ok: true; readonly qualifier: string | undefined } | { readonly ok: false } {
  if (value === null || value === "") return { ok: true, qualifier: undefined };
  if (value.length > MAX_QUALIFIER_LENGTH || !QUALIFIER_VALUE.test(value)) return { ok: false };
  return { ok: true, qualifier: value };
}

/** Lambda's ValidationException message for a qualifier `parseQualifier` refused. */
export function invalidQualifierMessage(value: string): string {
  const constraint =
    value.length > MAX_QUALIFIER_LENGTH
      ? `Member must have length less than or equal to ${MAX_QUALIFIER_LENGTH}`
      : `Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`;
  return validationMessage(value, "qualifier", constraint);
}
