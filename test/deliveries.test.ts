// `esa-dane deliveries` on the samples: the contract, the golden output, table and --explain.
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { attemptRecordErrors } from "./helpers/schema.js";

describe("esa-dane deliveries", () => {
  const result = runCli(["deliveries", "samples/", "--year", "2024", "--stats", "none"]);
  const records = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

  it("prints one contract record per attempt for every sample", () => {
    expect(result.status).toBe(0);
    expect(records).toHaveLength(15);
    for (const record of records) expect(attemptRecordErrors(record), JSON.stringify(record)).toEqual([]);
  });

  it("the schema check refuses what breaks the contract", () => {
    const good = records[0]!;
    expect(attemptRecordErrors({ ...good, decision: "maybe" })).toEqual(["decision"]);
    const { row: _row, ...missing } = good;
    expect(attemptRecordErrors(missing)[0]).toContain("exactly the contract's fields");
  });

  it("matches the golden output (checked against samples/README.md)", async () => {
    await expect(result.stdout).toMatchFileSnapshot("golden/deliveries/samples.ndjson");
  });

  it("prints a table for people and the evidence trail with --explain", () => {
    const table = runCli(["deliveries", "samples/mail_logs_d.@20240311T083000.s", "--format", "table", "--stats", "none"]);
    expect(table.stdout).toContain("dane-ok.example");
    expect(table.stdout).toMatch(/219102 .* S S S ok .* dane-success/);
    const explain = runCli(["deliveries", "samples/thinkbeyond-daneverify.@20190204T201552.s", "--explain", "--format", "table", "--mode", "opportunistic", "--stats", "none"]);
    expect(explain.stdout).toContain("thinkbeyond.ch DCID -: tls-fallback (O12)");
    expect(explain.stdout).toContain("SERVER FAILED to IP 194.191.40.83");
  });

  it("is identical with worker threads", () => {
    const parallel = runCli(["deliveries", "samples/", "--year", "2024", "--stats", "none", "--workers", "2"]);
    expect(parallel.stdout).toBe(result.stdout);
  });
});
