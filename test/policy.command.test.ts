// The `policy` command module run in-process through yargs (spawning the built CLI is covered
// elsewhere): options, choices and what the handlers print.
import { afterEach, describe, expect, it, vi } from "vitest";
import yargs from "yargs";
import { policyCommand } from "../src/cli/commands/policy.js";

interface Run {
  stdout: string;
  error: string | null;
}

async function run(args: string[]): Promise<Run> {
  const written: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  });
  try {
    await yargs(args)
      .scriptName("esa-dane")
      .strict()
      .exitProcess(false)
      .fail((message, error) => {
        throw error ?? new Error(message);
      })
      .command(policyCommand)
      .parseAsync();
    return { stdout: written.join(""), error: null };
  } catch (error: unknown) {
    return { stdout: written.join(""), error: error instanceof Error ? error.message : String(error) };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("esa-dane policy", () => {
  it("prints both tables by default", async () => {
    const { stdout, error } = await run(["policy"]);
    expect(error).toBeNull();
    expect(stdout).toContain("DANE Mandatory");
    expect(stdout).toContain("│ O14 ");
  });

  it("prints JSON and markdown on request", async () => {
    const json = await run(["policy", "--format", "json"]);
    const parsed = JSON.parse(json.stdout) as { mandatory: unknown[]; opportunistic: unknown[] };
    expect(parsed.mandatory).toHaveLength(15);
    expect(parsed.opportunistic).toHaveLength(14);
    expect((await run(["policy", "--format", "markdown"])).stdout).toContain("| M15 | Bogus | | | | DANE Fail |");
  });

  it("rejects a format it does not have (text is the table, as in every command)", async () => {
    expect((await run(["policy", "--format", "csv"])).error).toMatch(/Invalid values[\s\S]*format/);
  });
});

describe("esa-dane policy explain", () => {
  it("explains both modes by default, every input unknown unless given", async () => {
    const { stdout, error } = await run(["policy", "explain", "--mx", "secure", "--a", "secure", "--tlsa", "secure"]);
    expect(error).toBeNull();
    expect(stdout).toContain("Inputs: MX secure, A secure, TLSA secure, certificate unknown");
    expect(stdout).toContain("M1 gives DANE Success and M2 gives DANE Fail; the certificate result is not known.");
    expect(stdout).toContain("O1 gives DANE Success and O2 gives DANE Fail; the certificate result is not known.");
  });

  it("prints one JSON object for one mode, and one per mode for both", async () => {
    const one = JSON.parse((await run(["policy", "explain", "--mode", "opportunistic", "--mx", "insecure", "--a", "insecure", "--format", "json"])).stdout) as unknown;
    expect(one).toEqual({
      mode: "opportunistic",
      input: { mx: "insecure", a: "insecure", tlsa: "unknown", cert: "unknown" },
      decision: "tls-fallback",
      row: "O12",
      rows: ["O12"],
      possible: ["tls-fallback"],
      missing: [],
    });
    const both = JSON.parse((await run(["policy", "explain", "--mx", "bogus", "--format", "json"])).stdout) as Record<string, { row: string }>;
    expect(Object.keys(both)).toEqual(["mandatory", "opportunistic"]);
    expect(both.mandatory?.row).toBe("M15");
    expect(both.opportunistic?.row).toBe("O14");
  });

  it("accepts values in the appliance's capitals", async () => {
    const { stdout, error } = await run(["policy", "explain", "--mode", "Mandatory", "--mx", "SECURE", "--a", "Secure", "--tlsa", "secure", "--cert", "Success"]);
    expect(error).toBeNull();
    expect(stdout).toContain("DANE Mandatory: DANE Success");
  });

  it.each([
    [["--mx", "maybe"], "mx"],
    [["--a", "valid"], "a"],
    [["--tlsa", "nodata"], "tlsa"],
    [["--cert", "fail"], "cert"],
    [["--mode", "none"], "mode"],
    [["--format", "markdown"], "format"],
  ])("rejects %j with a message naming %s", async (options, name) => {
    const { stdout, error } = await run(["policy", "explain", ...options]);
    expect(error).toMatch(new RegExp(`Invalid values:[\\s\\S]*Argument: ${name}, Given: "${options[1] ?? ""}"`));
    expect(stdout).toBe("");
  });

  it("rejects unknown options", async () => {
    expect((await run(["policy", "explain", "--resolver", "1.2.3.4"])).error).toMatch(/Unknown argument/);
  });
});
