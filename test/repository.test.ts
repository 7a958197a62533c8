// The repository carries everything its tests read: a fresh clone with nothing beside it must
// pass `npm ci && npm test`. Test inputs live in test/fixtures/, each naming its source.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, ROOT } from "./helpers/cli.js";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

// Built from parts so that this file does not match itself.
const OUTSIDE = new RegExp(["(?:^|[^\\w-])sha" + "red/", "/wo" + "rk/"].join("|"));

describe("the repository is self-contained", () => {
  it("no source or test file names a path outside the repository", () => {
    const offenders = ["src", "test"]
      .flatMap((dir) => filesUnder(join(ROOT, dir)))
      .filter((path) => /\.(ts|js|mjs|json)$/.test(path) && !path.includes(`${join("test", "fixtures")}`))
      .flatMap((path) =>
        readFileSync(path, "utf8")
          .split("\n")
          .map((line, index) => `${path.slice(ROOT.length)}:${index + 1}: ${line.trim()}`)
          .filter((line) => OUTSIDE.test(line.slice(line.indexOf(": ") + 2))),
      );
    expect(offenders).toEqual([]);
  });

  it("every fixture copied from elsewhere names its source on its first line", () => {
    const copied = [...filesUnder(join(FIXTURES, "public-samples")), ...filesUnder(join(FIXTURES, "tech-note"))];
    expect(copied.length).toBe(18);
    for (const path of copied) expect(readFileSync(path, "utf8").split("\n")[0], path).toMatch(/^# source: \S/);
  });
});
