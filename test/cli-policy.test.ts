// One command-line policy (issue 12, items 8 and 9): the same --format names and the `unknown`
// mode everywhere, problems with stable codes mapped to exit status in one place, every JSON
// writer escaping the same way, no import cycles between command declarations and their
// implementations, and help text that can be copied.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exitStatusOf, problemText } from "../src/cli/problems.js";
import { BIN, CLI_ENV, ROOT, runCli } from "./helpers/cli.js";
import { LogBuilder } from "./helpers/log-builder.js";

/** Help of a command as a terminal of `columns` columns shows it. */
function helpAt(columns: number, args: string[]): string {
  const command = [process.execPath, BIN, ...args, "--help"].map((a) => `'${a}'`).join(" ");
  const result = spawnSync("script", ["-qec", `stty cols ${columns}; ${command}`, "/dev/null"], { cwd: ROOT, env: CLI_ENV, input: "", timeout: 20_000 });
  return result.stdout.toString().replace(/\r\n/g, "\n");
}

describe("the same --format names everywhere (item 8)", () => {
  it("text and table name the output for people, json and ndjson the output for machines, in every command", () => {
    const table = runCli(["report", "samples/", "--stats", "none", "--year", "2024"]);
    expect(runCli(["report", "samples/", "--stats", "none", "--year", "2024", "--format", "text"]).stdout).toBe(table.stdout);
    const ndjson = runCli(["deliveries", "samples/", "--stats", "none", "--year", "2024"]);
    expect(runCli(["deliveries", "samples/", "--stats", "none", "--year", "2024", "--format", "json"]).stdout).toBe(ndjson.stdout);
    expect(runCli(["alert", "samples/", "--format", "ndjson"]).status).not.toBe(3);
    expect(runCli(["alert", "samples/", "--format", "table"]).stdout).toMatch(/^DANE BOGUS /);
    expect(runCli(["policy", "--format", "text"]).status).toBe(0);
    expect(runCli(["policy", "explain", "--mx", "bogus", "--format", "table"]).stdout).toContain("DANE Mandatory: DANE Fail");
  });

  it("the mode is called unknown in policy explain too ('both' still read)", () => {
    const unknown = runCli(["policy", "explain", "--mode", "unknown", "--mx", "bogus", "--format", "json"]);
    expect(Object.keys(JSON.parse(unknown.stdout) as object)).toEqual(["mandatory", "opportunistic"]);
    expect(runCli(["policy", "explain", "--mode", "both", "--mx", "bogus", "--format", "json"]).stdout).toBe(unknown.stdout);
    expect(runCli(["policy", "explain", "--help"]).stdout).not.toContain('"both"');
  });
});

describe("problems as data, mapped in one place (item 8)", () => {
  it("maps each code to its exit status, and alert's to UNKNOWN", () => {
    expect(exitStatusOf("E_USAGE", "report")).toBe(1);
    expect(exitStatusOf("E_DEST_CONTROLS", "deliveries")).toBe(1);
    expect(exitStatusOf("E_INPUT", "report")).toBe(2);
    expect(exitStatusOf("E_NO_LOG_LINES", "parse")).toBe(2);
    for (const code of ["E_USAGE", "E_INPUT", "E_NO_LOG_LINES"] as const) expect(exitStatusOf(code, "alert")).toBe(3);
  });

  it("writes one line per problem, log text escaped, usage problems pointing to the command's help", () => {
    expect(problemText({ code: "E_INPUT", input: "a\u001b[2Jb.log", message: "no such file" }, "report")).toBe("esa-dane report: a\\x1b[2Jb.log: no such file\n");
    expect(problemText({ code: "E_USAGE", message: "--top takes\na number" }, "report")).toBe("esa-dane report: --top takes a number\nRun 'esa-dane report --help' for usage.\n");
  });

  it("every JSON writer escapes what a terminal would act on: deliveries NDJSON too", () => {
    const start = Date.UTC(2024, 2, 11, 8, 0, 0);
    const b = new LogBuilder({ start });
    b.delivery({ domain: "csi\u009bx.example", mxHost: "mx.csi.example", ip: "192.0.2.1", at: start + 60_000 });
    const path = join(mkdtempSync(join(tmpdir(), "esa-dane-json-")), "hostile.log");
    writeFileSync(path, b.text());
    const out = runCli(["deliveries", path, "--stats", "none"]).stdout;
    expect(out).not.toContain("\u009b");
    expect(out).toContain("csi\\u009bx.example");
    expect((JSON.parse(out.trim().split("\n")[0]!) as { domain: string }).domain).toBe("csi\u009bx.example");
  });

  it("no command declaration and implementation import each other", () => {
    const cli = join(ROOT, "src/cli");
    for (const file of readdirSync(cli).filter((f) => f.startsWith("run-"))) {
      expect(readFileSync(join(cli, file), "utf8"), file).not.toMatch(/from "\.\/commands\//);
    }
  });
});

describe("help and error messages (item 9)", () => {
  it("breaks no word or option in two, at 160 columns and at 80", () => {
    // Each width and command once: the policy explain help at 160 is read again below.
    const helps = new Map<string, string>();
    const wide = helpAt(160, ["report"]);
    expect(wide).toContain("none: standard input");
    expect(wide).toMatch(/^ +esa-dane report logs\/ --since 24h --format prometheus --output esa_dane\.prom *$/m);
    for (const [columns, args] of [[160, ["policy", "explain"]], [80, ["policy", "explain"]], [80, ["report"]], [80, ["alert"]], [80, ["deliveries"]]] as const) {
      const help = helpAt(columns, [...args]);
      helps.set(`${columns} ${args.join(" ")}`, help);
      // The block of examples ends at the first blank line (the epilogue follows).
      const examples = help.slice(help.indexOf("Examples:")).split("\n\n")[0]!;
      expect(examples.split("\n").length).toBeGreaterThan(2);
      // Every example is a comment line or a whole command line.
      for (const line of examples.split("\n").slice(1).filter((l) => l !== "")) {
        expect(line, `${args.join(" ")} at ${columns}`).toMatch(/^ +(#|esa-dane )/);
      }
    }
    expect(helps.get("160 policy explain")).toContain("esa-dane policy explain --mx secure -a secure --tlsa secure");
  });

  it("points errors to the command's own help, and suggests what a misspelt option or command meant", () => {
    const option = runCli(["report", "samples/", "--fromat", "json"]);
    expect(option.status).toBe(1);
    expect(option.stderr).toContain("did you mean --format?");
    expect(option.stderr).toContain("Run 'esa-dane report --help' for usage.");
    const command = runCli(["reprot", "samples/"]);
    expect(command.status).toBe(1);
    expect(command.stderr).toContain("Did you mean report?");
    expect(runCli(["alert", "samples/", "--verbse"]).stderr).toContain("did you mean --verbose?");
  });
});
