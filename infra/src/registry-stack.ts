import { repositoryName } from "@lambda-images/docker/records";
import type { FunctionDefinition } from "@lambda-images/function-config";
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as iam from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { pascalCase } from "./naming.js";
import type { StageSettings } from "./settings.js";

export interface RegistryStackProps extends StackProps {
  readonly functions: readonly FunctionDefinition[];
  readonly settings: StageSettings;
}

/** One private ECR repository per function: scanned on push, immutable tags, lifecycle-limited. */
export class RegistryStack extends Stack {
  /** The repository of each function, by function name. */
  readonly repositories: ReadonlyMap<string, ecr.Repository>;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const repositories = new Map<string, ecr.Repository>();
    for (const fn of props.functions) {
      const repository = new ecr.Repository(this, `${pascalCase(fn.name)}Repository`, {
        repositoryName: repositoryName(settings.stage, fn.name),
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption:
          settings.encryption === "KMS" ? ecr.RepositoryEncryption.KMS : ecr.RepositoryEncryption.AES_256,
        removalPolicy: settings.throwaway ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        emptyOnDelete: settings.throwaway,
        lifecycleRules: [
          {
            rulePriority: 1,
            description: "Untagged images (left behind by re-tags and failed pushes) expire after a day",
            tagStatus: ecr.TagStatus.UNTAGGED,
            maxImageAge: Duration.days(1),
          },
          {
            rulePriority: 2,
            description: `Keep the last ${settings.keepImages} tagged images`,
            tagStatus: ecr.TagStatus.TAGGED,
            tagPatternList: ["*"],
            maxImageCount: settings.keepImages,
          },
        ],
      });
      // Lambda itself pulls the image when a function is created or updated; only functions of this account and
      // region may (what the Lambda console adds to a repository policy, narrowed to this account).
      repository.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: "LambdaImageRetrieval",
          principals: [new iam.ServicePrincipal("lambda.amazonaws.com")],
          actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
          conditions: {
            StringLike: {
              "aws:sourceArn": `arn:${Aws.PARTITION}:lambda:${Aws.REGION}:${Aws.ACCOUNT_ID}:function:*`,
            },
          },
        }),
      );
      new CfnOutput(this, `${pascalCase(fn.name)}RepositoryUri`, {
        description: `ECR repository of the ${fn.name} function`,
        value: repository.repositoryUri,
      });
      repositories.set(fn.name, repository);
    }
    this.repositories = repositories;
  }
}
