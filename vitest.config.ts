import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // CLI suites build their logs and spawn the binary in beforeAll; on a loaded 2-core machine
    // that took over vitest's 10 s default (seen at load 25), so hooks get the tests' own bound.
    hookTimeout: 120_000,
    pool: "forks",
  },
});
