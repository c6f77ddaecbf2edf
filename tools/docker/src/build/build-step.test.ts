import { describe, expect, it } from "vitest";
import { dockerBuildStep } from "./progress.js";

describe("dockerBuildStep", () => {
  it("reads the step from the classic builder's and BuildKit's output, and nothing from other lines", () => {
    expect(dockerBuildStep("Step 3/9 : RUN npm ci --omit=dev")).toBe("step 3/9 RUN npm ci --omit=dev");
    expect(dockerBuildStep("#8 [builder 3/5] RUN npm ci")).toBe("step 3/5 (builder) RUN npm ci");
    expect(dockerBuildStep("#5 [2/4] COPY dist/ /var/task/")).toBe("step 2/4 COPY dist/ /var/task/");
    expect(dockerBuildStep(" ---> Using cache")).toBeUndefined();
    expect(dockerBuildStep("#8 0.512 added 12 packages")).toBeUndefined();
    expect(dockerBuildStep("Successfully built 1234")).toBeUndefined();
  });
});
