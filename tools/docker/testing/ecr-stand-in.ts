import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LocalRegistry } from "@lambda-images/docker/publish";

/** One request the stand-in received: the ECR operation and its SigV4 Authorization header. */
export interface EcrCall {
  readonly operation: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown>;
}

/**
 * A stand-in for the ECR control plane (the AWS JSON 1.1 protocol the real @aws-sdk/client-ecr speaks), for
 * tests that cannot reach AWS. Its registry endpoint is a real local OCI registry, so `docker login` and
 * `docker push` go to real registry code; DescribeImages answers from that registry. Only the repositories given
 * exist, as if the registry stack had created them.
 */
export class EcrStandIn {
  readonly calls: EcrCall[] = [];
  private server: Server | undefined;

  constructor(
    readonly registryHost: string,
    readonly repositories: ReadonlySet<string>,
    readonly password = "stand-in-password",
  ) {}

  /** Starts listening on a free port of 127.0.0.1; returns the endpoint URL to give the ECR client. */
  async start(): Promise<string> {
    const registry = new LocalRegistry(this.registryHost);
    this.server = createServer((request, response) => {
      void this.handle(request, registry).then(({ status, body, errorType }) => {
        response.writeHead(status, {
          "Content-Type": "application/x-amz-json-1.1",
          ...(errorType ? { "x-amzn-ErrorType": errorType } : {}),
          "x-amzn-RequestId": "00000000-0000-0000-0000-000000000000",
        });
        response.end(JSON.stringify(body));
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(
    request: IncomingMessage,
    registry: LocalRegistry,
  ): Promise<{ status: number; body: unknown; errorType?: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.split(".").pop() ?? "";
    this.calls.push({ operation, authorization: request.headers.authorization, body });

    const error = (type: string, message: string) => ({
      status: 400,
      errorType: type,
      body: { __type: type, message },
    });
    switch (operation) {
      case "GetAuthorizationToken":
        return {
          status: 200,
          body: {
            authorizationData: [
              {
                authorizationToken: Buffer.from(`AWS:${this.password}`).toString("base64"),
                proxyEndpoint: `http://${this.registryHost}`,
                expiresAt: Math.floor(Date.now() / 1000) + 43_200,
              },
            ],
          },
        };
      case "DescribeImages": {
        const repository = String(body.repositoryName);
        if (!this.repositories.has(repository)) {
          return error(
            "RepositoryNotFoundException",
            `The repository with name '${repository}' does not exist`,
          );
        }
        const ids = (body.imageIds ?? []) as { imageTag?: string }[];
        const tag = ids[0]?.imageTag ?? "";
        const digest = await registry.findDigest(repository, tag);
        if (digest === undefined) {
          return error("ImageNotFoundException", `The image with imageId {imageTag:'${tag}'} does not exist`);
        }
        return {
          status: 200,
          body: { imageDetails: [{ repositoryName: repository, imageDigest: digest, imageTags: [tag] }] },
        };
      }
      default:
        return error("UnknownOperationException", `The stand-in does not implement ${operation}`);
    }
  }
}
