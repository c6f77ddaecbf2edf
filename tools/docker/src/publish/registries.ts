import {
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from "@aws-sdk/client-ecr";
import { dockerOk } from "@lambda-images/docker-cli";
import type { PublishTarget } from "./records.js";

/** A registry the publish step pushes to and reads digests back from. */
export interface ImageRegistry {
  readonly target: PublishTarget;
  /** "123456789012.dkr.ecr.eu-west-1.amazonaws.com" or "127.0.0.1:5000": the prefix of every image reference. */
  readonly host: string;
  /** The digest `tag` names in `repository`, or undefined when the tag is not there. */
  findDigest(repository: string, tag: string): Promise<string | undefined>;
  /** Lets `docker push` write to this registry. */
  login(): Promise<void>;
}

/** The manifest types a registry may answer with; without them a registry converts or refuses. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

export const DEFAULT_LOCAL_REGISTRY = "127.0.0.1:5000";

/**
 * The local OCI registry of the offline rehearsal (Debian's docker-registry, plain HTTP, no auth). Repositories
 * come into being on first push.
 */
export class LocalRegistry implements ImageRegistry {
  readonly target = "local";

  constructor(readonly host: string = DEFAULT_LOCAL_REGISTRY) {}

  get baseUrl(): string {
    return `http://${this.host}/v2/`;
  }

  /** Fails with how to start the registry when it does not answer. */
  async check(): Promise<void> {
    let status: number;
    try {
      status = (await fetch(this.baseUrl, { signal: AbortSignal.timeout(5_000) })).status;
    } catch (error) {
      throw new Error(
        `No registry answers at ${this.baseUrl} (${(error as Error).message}). Start the local registry with ` +
          "`bash infra/scripts/start-local-registry.sh`, or point LOCAL_REGISTRY at one (host:port).",
      );
    }
    if (status !== 200) {
      throw new Error(
        `${this.baseUrl} answered HTTP ${status}, not 200: is it an OCI registry without auth?`,
      );
    }
  }

  async findDigest(repository: string, tag: string): Promise<string | undefined> {
    const url = `${this.baseUrl}${repository}/manifests/${tag}`;
    const response = await fetch(url, {
      method: "HEAD",
      headers: { Accept: MANIFEST_ACCEPT },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new Error(`HEAD ${url} answered HTTP ${response.status}.`);
    const digest = response.headers.get("docker-content-digest");
    if (digest === null) throw new Error(`HEAD ${url} answered without a Docker-Content-Digest header.`);
    return digest;
  }

  async login(): Promise<void> {
    // No auth: docker pushes to a plain-HTTP registry on 127.0.0.1 without any setup.
  }
}

/** What is missing before anything can be pushed to ECR. */
export class AwsPreflightError extends Error {
  override readonly name = "AwsPreflightError";
}

/** Amazon ECR in the account and region of the current AWS credentials. */
export class EcrRegistry implements ImageRegistry {
  readonly target = "aws";
  private loggedIn: Promise<void> | undefined;

  private constructor(
    private readonly client: ECRClient,
    readonly host: string,
    readonly region: string,
    private readonly token: { readonly username: string; readonly password: string },
  ) {}

  /**
   * Checks, before anything is built or pushed, that a region and credentials are there and that they work:
   * asks ECR for a registry login (which also names the account's registry host). Each failure names what is
   * missing and how to provide it.
   */
  static async connect(client: ECRClient = new ECRClient({})): Promise<EcrRegistry> {
    let region: string;
    try {
      region = await client.config.region();
    } catch {
      throw new AwsPreflightError(
        "No AWS region is set. Set AWS_REGION (or AWS_DEFAULT_REGION, or a region in your AWS profile) " +
          "before publishing; nothing was built or pushed.",
      );
    }
    if (!region) {
      throw new AwsPreflightError(
        "No AWS region is set. Set AWS_REGION (or AWS_DEFAULT_REGION) before publishing; nothing was built or pushed.",
      );
    }
    try {
      await client.config.credentials();
    } catch (error) {
      throw new AwsPreflightError(
        "No AWS credentials were found (" +
          (error as Error).message +
          "). Provide them as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an AWS_PROFILE, or (in GitHub Actions) " +
          "aws-actions/configure-aws-credentials with an OIDC role; nothing was built or pushed.",
      );
    }
    let data: { authorizationToken?: string | undefined; proxyEndpoint?: string | undefined } | undefined;
    try {
      const answer = await client.send(new GetAuthorizationTokenCommand({}));
      data = answer.authorizationData?.[0];
    } catch (error) {
      throw new AwsPreflightError(
        `ECR refused a registry login in ${region} (${(error as Error).name}: ${(error as Error).message}). ` +
          "The credentials need ecr:GetAuthorizationToken; nothing was built or pushed.",
      );
    }
    if (data?.authorizationToken === undefined || data.proxyEndpoint === undefined) {
      throw new AwsPreflightError(
        `ECR answered GetAuthorizationToken in ${region} without a token or endpoint.`,
      );
    }
    const decoded = Buffer.from(data.authorizationToken, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new AwsPreflightError("ECR's authorization token is not user:password in base64.");
    const host = data.proxyEndpoint.replace(/^https?:\/\//, "").replace(/\/+$/, "");
    return new EcrRegistry(client, host, region, {
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
    });
  }

  async findDigest(repository: string, tag: string): Promise<string | undefined> {
    try {
      const answer = await this.client.send(
        new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }),
      );
      return answer.imageDetails?.[0]?.imageDigest;
    } catch (error) {
      if (error instanceof ImageNotFoundException) return undefined;
      if (error instanceof RepositoryNotFoundException) {
        throw new Error(
          `The ECR repository "${repository}" does not exist in ${this.region}. Deploy the registry stack first: ` +
            "`pnpm --filter @lambda-images/infra run registry` (part of `pnpm turbo run build deploy`).",
        );
      }
      throw error;
    }
  }

  /** `docker login` with the token from connect(), given on stdin (never on the command line); once. */
  login(): Promise<void> {
    this.loggedIn ??= dockerOk(["login", "--username", this.token.username, "--password-stdin", this.host], {
      input: this.token.password,
    }).then(() => undefined);
    return this.loggedIn;
  }
}
