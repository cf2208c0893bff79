import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["lambdas/test/**/*.test.ts", "test/**/*.test.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
