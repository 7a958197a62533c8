import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that spawn the binary most (measured: together over half of the suite's time), in
 * that order. Two workers share the files as they come: the long ones go first so that no long
 * file starts last and runs alone at the end. Vitest orders by the durations it cached from the
 * last run, and without a cache (CI, a fresh checkout) by file size, which puts these late.
 */
const LONGEST_FIRST = [
  "test/alert.days.test.ts",
  "test/parallel.test.ts",
  "test/cli-behaviour.test.ts",
  "test/report-html.browser.test.ts",
  "test/report.formats.test.ts",
  "test/alert.cli.test.ts",
  "test/alert-cli.test.ts",
  "test/bench-cli.test.ts",
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = LONGEST_FIRST.findIndex((path) => file.moduleId.endsWith(`/${path}`));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    // Array sort is stable: the other files keep Vitest's own order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // CLI suites build their logs and spawn the binary in beforeAll; on a loaded 2-core machine
    // that took over vitest's 10 s default (seen at load 25), so hooks get the tests' own bound.
    hookTimeout: 120_000,
    pool: "forks",
    // At least two files at a time. Vitest's default is one worker fewer than the cores: one
    // worker on a 2-core machine, where every spawnSync of the binary then left the worker, and
    // so one core, idle until the child exited. (The order above assumed two workers already.)
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A worker runs file after file without reloading the modules: the grammar, the correlator
    // and Vitest's own setup load once per worker, not once per file (the in-process files:
    // 56 -> 28 s of CPU). No test mocks a module or leaves a spy; two src modules keep state
    // for the process (the policy memo, pure; the file index of src/correlate/sources.ts, which
    // orders source lines by first-seen file name): a test that reads the same file names as an
    // earlier file in another order could see that order. None does; isolate: true if one must.
    isolate: false,
    sequence: { sequencer: LongestFirst },
  },
});
