import { ECRClient } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedAwsEnvironment } from "../../testing/aws-environment.js";
import { EcrStandIn } from "../../testing/ecr-stand-in.js";
import {
  localRegistryForTests,
  putTestImage,
  TEST_REGISTRY_HOST as registryHost,
  uniqueSuffix,
} from "../../testing/registry.js";
import { AwsPreflightError, EcrRegistry, LocalRegistry } from "./registries.js";

const registryTests = await localRegistryForTests(registryHost);

describe.runIf(registryTests.run)(
  `LocalRegistry (against the real local registry: ${registryTests.reason})`,
  () => {
    const registry = new LocalRegistry(registryHost);
    const repository = `lambda-image-test/${uniqueSuffix()}/fn`;

    it("answers (start it with infra/scripts/start-local-registry.sh)", async () => {
      await expect(registry.check()).resolves.toBeUndefined();
    });

    it("reads back the digest of the manifest under a tag", async () => {
      const digest = await putTestImage(registryHost, repository, "v1-aaaaaaaaaaaa");
      expect(await registry.findDigest(repository, "v1-aaaaaaaaaaaa")).toBe(digest);
    });

    it("finds nothing for a tag or a repository that is not there", async () => {
      expect(await registry.findDigest(repository, "v1-bbbbbbbbbbbb")).toBeUndefined();
      expect(await registry.findDigest(`${repository}-none`, "latest")).toBeUndefined();
    });

    it("says how to start a registry when none answers", async () => {
      const nothing = new LocalRegistry("127.0.0.1:9");
      await expect(nothing.check()).rejects.toThrow(
        /No registry answers at http:\/\/127\.0\.0\.1:9\/v2\/.*start-local-registry\.sh/,
      );
    });
  },
);

describe("EcrRegistry preflight, without AWS configuration", () => {
  const bareEnvironment = isolatedAwsEnvironment();

  it("names the missing region", async () => {
    bareEnvironment();
    const error = await EcrRegistry.connect(new ECRClient({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsPreflightError);
    expect((error as Error).message).toMatch(/No AWS region is set\. Set AWS_REGION/);
  });

  it("names the missing credentials when the region is there", async () => {
    bareEnvironment({ AWS_REGION: "eu-west-1" });
    const error = await EcrRegistry.connect(new ECRClient({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsPreflightError);
    expect((error as Error).message).toMatch(/No AWS credentials were found.*AWS_ACCESS_KEY_ID/s);
  });
});

describe.runIf(registryTests.run)("EcrRegistry (real @aws-sdk/client-ecr against an ECR stand-in)", () => {
  const repository = `lambda-images/t${uniqueSuffix()}/fn`;
  const standIn = new EcrStandIn(registryHost, new Set([repository]));
  let client: ECRClient;

  beforeAll(async () => {
    const endpoint = await standIn.start();
    client = new ECRClient({
      region: "eu-west-1",
      endpoint,
      credentials: { accessKeyId: "AKIDSTANDIN", secretAccessKey: "stand-in-secret" },
    });
  });
  afterAll(async () => {
    client.destroy();
    await standIn.stop();
  });

  it("takes the registry host from the authorization token's endpoint, with a signed request", async () => {
    const registry = await EcrRegistry.connect(client);
    expect(registry.host).toBe(registryHost);
    expect(registry.region).toBe("eu-west-1");
    const call = standIn.calls.find((c) => c.operation === "GetAuthorizationToken");
    expect(call?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDSTANDIN\/\d{8}\/eu-west-1\/ecr\/aws4_request/,
    );
  });

  it("reads a tag's digest with DescribeImages, and nothing for a missing tag", async () => {
    const registry = await EcrRegistry.connect(client);
    const digest = await putTestImage(registryHost, repository, "v2-cccccccccccc");
    expect(await registry.findDigest(repository, "v2-cccccccccccc")).toBe(digest);
    expect(await registry.findDigest(repository, "v2-dddddddddddd")).toBeUndefined();
    expect(standIn.calls.filter((c) => c.operation === "DescribeImages").at(-1)?.body).toEqual({
      repositoryName: repository,
      imageIds: [{ imageTag: "v2-dddddddddddd" }],
    });
  });

  it("says to deploy the registry stack when the repository does not exist", async () => {
    const registry = await EcrRegistry.connect(client);
    await expect(registry.findDigest("lambda-images/none/fn", "v1-aaaaaaaaaaaa")).rejects.toThrow(
      /repository "lambda-images\/none\/fn" does not exist in eu-west-1\. Deploy the registry stack first/,
    );
  });
});
