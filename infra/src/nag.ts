import { Aspects } from "aws-cdk-lib";
import { AwsSolutionsChecks, NagSuppressions } from "cdk-nag";
import type { IConstruct } from "constructs";
import type { FunctionsStack } from "./functions-stack.js";

/** Runs the cdk-nag AWS Solutions rules on every construct of the app; their findings become synth errors. */
export function applyNagChecks(scope: IConstruct): void {
  Aspects.of(scope).add(new AwsSolutionsChecks({ verbose: true }));
}

/**
 * The findings this app accepts, each with the reason. Anything not listed here fails the synth.
 */
export function suppressAcceptedFindings(stack: FunctionsStack): void {
  if (stack.httpApi !== undefined) {
    NagSuppressions.addResourceSuppressions(
      stack.httpApi,
      [
        {
          id: "AwsSolutions-APIG4",
          reason:
            "The example routes are public demo endpoints by design; the stage is throttled and access-logged. " +
            "A function with private routes would add a JWT or IAM authorizer here.",
        },
      ],
      true,
    );
  }
}
