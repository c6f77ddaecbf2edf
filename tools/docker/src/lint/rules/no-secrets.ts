import type { Finding } from "../findings.js";
import { finding, type Rule } from "./context.js";

const FORBIDDEN: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /NODE_EXTRA_CA_CERTS/i, what: "a CA bundle (NODE_EXTRA_CA_CERTS)" },
  { pattern: /ca-certificates\.crt/i, what: "a CA bundle (ca-certificates.crt)" },
  { pattern: /npm_config_cafile|\bcafile\b/i, what: "a CA bundle (npm cafile)" },
  { pattern: /AWS_SECRET_ACCESS_KEY/i, what: "AWS credentials (AWS_SECRET_ACCESS_KEY)" },
  { pattern: /AWS_ACCESS_KEY_ID/i, what: "AWS credentials (AWS_ACCESS_KEY_ID)" },
  { pattern: /AWS_SESSION_TOKEN/i, what: "AWS credentials (AWS_SESSION_TOKEN)" },
];

/** Shipped Dockerfiles carry no credentials and no CA bundles of a private network. */
export const noSecrets: Rule = (context) => {
  const findings: Finding[] = [];
  const lines: { line: number; keyword: string; text: string }[] = [
    ...[...context.dockerfile.globalArgs].map(([name, value]) => ({
      line: context.dockerfile.globalArgLines.get(name) ?? 0,
      keyword: "ARG",
      text: `${name}=${value ?? ""}`,
    })),
    ...context.dockerfile.stages.flatMap((stage) => [
      { line: stage.line, keyword: "FROM", text: stage.image },
      ...stage.instructions,
    ]),
  ];
  for (const { line, keyword, text } of lines) {
    for (const { pattern, what } of FORBIDDEN) {
      if (!pattern.test(text)) continue;
      findings.push(
        finding(
          context,
          line,
          "no-secrets",
          `${keyword} carries ${what}. Whatever a Dockerfile sets stays in the image's layers and history: pass ` +
            "credentials at run time (Lambda's execution role), and keep a private network's CA bundle in the " +
            "CI stand-in images (.ci/docker/stand-ins), never in a Dockerfile that ships.",
        ),
      );
    }
  }
  return findings;
};
