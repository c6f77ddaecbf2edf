/**
 * The CDK app's entry (cdk.json runs `node dist/app.js`). Settings come from context (`-c stage=prod`) or the
 * environment; see docs/deploy.md for every setting.
 */
import { findWorkspaceRoot } from "@lambda-images/function-config";
import { buildApp } from "./build-app.js";

const { app } = buildApp({ workspaceRoot: findWorkspaceRoot() });
app.synth();
