import { STAGE_PATTERN, STAGE_RULE } from "@lambda-images/docker/records";
import { z } from "zod";

/** Which stacks the app builds: both, or only the registry (deployed first, before any image exists). */
export const STACK_SELECTIONS = ["all", "registry"] as const;
export type StackSelection = (typeof STACK_SELECTIONS)[number];

/**
 * Where the image digests come from. "recorded": the files the publish step wrote (what deploy uses).
 * "placeholder": an all-zero digest for every function, so `cdk synth` works before anything is pushed.
 */
export const DIGEST_MODES = ["recorded", "placeholder"] as const;
export type DigestMode = (typeof DIGEST_MODES)[number];

export const REPOSITORY_ENCRYPTIONS = ["AES256", "KMS"] as const;
export type RepositoryEncryptionName = (typeof REPOSITORY_ENCRYPTIONS)[number];

/** Everything about one deployment of the app that is not a function's own config. */
export interface StageSettings {
  /** "dev", "prod", "pr-12": names the stacks, repositories and functions. */
  readonly stage: string;
  /** The AWS account; undefined means an environment-agnostic synth. */
  readonly account: string | undefined;
  readonly region: string | undefined;
  /** A throwaway stage: repositories, images and logs are deleted with the stacks instead of kept. */
  readonly throwaway: boolean;
  readonly encryption: RepositoryEncryptionName;
  /** How many tagged images each repository keeps (older ones expire; untagged ones after a day). */
  readonly keepImages: number;
  readonly digests: DigestMode;
  readonly stacks: StackSelection;
  /** Default POWERTOOLS_LOG_LEVEL; a function's own environment wins. */
  readonly logLevel: string;
  /** Steady-state requests per second the HTTP API accepts, and the burst above it. */
  readonly throttleRate: number;
  readonly throttleBurst: number;
}

const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]);
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const settingsSchema = z.strictObject({
  stage: z.string().regex(STAGE_PATTERN, STAGE_RULE),
  account: z
    .string()
    .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as "eu-west-1"')
    .optional(),
  throwaway: flag,
  encryption: z.enum(REPOSITORY_ENCRYPTIONS),
  keepImages: count(1, 1000),
  digests: z.enum(DIGEST_MODES),
  stacks: z.enum(STACK_SELECTIONS),
  logLevel: z.enum(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "SILENT", "CRITICAL"]),
  throttleRate: count(1, 10_000),
  throttleBurst: count(1, 5_000),
});

type SettingKey = keyof z.input<typeof settingsSchema>;

/** The defaults, in one place. */
const DEFAULTS = {
  stage: "dev",
  throwaway: false,
  encryption: "AES256",
  keepImages: 10,
  digests: "recorded",
  stacks: "all",
  logLevel: "INFO",
  throttleRate: 50,
  throttleBurst: 100,
} as const satisfies Partial<Record<SettingKey, unknown>>;

/** Each setting's CDK context key (`-c key=value`) and the environment variables read when it is absent. */
const SOURCES: Record<SettingKey, { context: string; env: readonly string[] }> = {
  stage: { context: "stage", env: ["STAGE"] },
  account: { context: "account", env: ["CDK_DEFAULT_ACCOUNT"] },
  region: { context: "region", env: ["CDK_DEFAULT_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"] },
  throwaway: { context: "throwaway", env: ["STAGE_THROWAWAY"] },
  encryption: { context: "encryption", env: [] },
  keepImages: { context: "keepImages", env: [] },
  digests: { context: "digests", env: [] },
  stacks: { context: "stacks", env: [] },
  logLevel: { context: "logLevel", env: [] },
  throttleRate: { context: "throttleRate", env: [] },
  throttleBurst: { context: "throttleBurst", env: [] },
};

export type ContextReader = (key: string) => unknown;

/**
 * Reads the stage settings from CDK context first, then the environment, then the defaults above.
 * Fails with every invalid setting at once, naming where each value came from.
 */
export function resolveStageSettings(
  context: ContextReader,
  env: NodeJS.ProcessEnv = process.env,
): StageSettings {
  const raw: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const [key, source] of Object.entries(SOURCES) as [SettingKey, (typeof SOURCES)[SettingKey]][]) {
    const fromContext = context(source.context);
    if (fromContext !== undefined && fromContext !== "") {
      raw[key] = fromContext;
      origin[key] = `context "${source.context}" (-c ${source.context}=...)`;
      continue;
    }
    const envName = source.env.find((name) => (env[name] ?? "") !== "");
    if (envName !== undefined) {
      raw[key] = env[envName];
      origin[key] = `environment variable ${envName}`;
      continue;
    }
    if (key in DEFAULTS) raw[key] = DEFAULTS[key as keyof typeof DEFAULTS];
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      const from = origin[key] ?? "the default";
      return `  - ${key} (from ${from}, value ${JSON.stringify(raw[key])}): ${issue.message}`;
    });
    throw new Error(`Invalid stage settings:\n${problems.join("\n")}`);
  }
  return { ...parsed.data, account: parsed.data.account, region: parsed.data.region };
}
