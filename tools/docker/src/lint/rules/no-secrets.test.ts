import { describe, expect, it } from "vitest";
import { GOOD_AWS_BASE, lintFixture } from "../../../test/support/lint-fixture.js";

describe("lambda-image lint: no-secrets", () => {
  it("a CA bundle and AWS credentials in a shipped Dockerfile", () => {
    const dockerfile = GOOD_AWS_BASE.replace(
      "CMD",
      "COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\nENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt\nARG AWS_SECRET_ACCESS_KEY\nCMD",
    );
    const { of } = lintFixture({
      dockerfile,
      extraFiles: { "ca-certificates.crt": "x" },
      dockerignore: "*\n!dist/\n!ca-certificates.crt\n",
    });
    expect(of("no-secrets")).toEqual([
      expect.stringMatching(/:4: \[no-secrets\] COPY carries a CA bundle \(ca-certificates\.crt\)/),
      expect.stringMatching(/:5: \[no-secrets\] ENV carries a CA bundle \(NODE_EXTRA_CA_CERTS\)/),
      expect.stringMatching(/:5: \[no-secrets\] ENV carries a CA bundle \(ca-certificates\.crt\)/),
      expect.stringMatching(
        /:6: \[no-secrets\] ARG carries AWS credentials \(AWS_SECRET_ACCESS_KEY\).*stand-in/,
      ),
    ]);
  });
});
