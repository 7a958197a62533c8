// How the command line behaves for a newcomer (issue 12): closed pipes, standard input on a
// terminal, empty and foreign input, where the accounting goes, the filters, terminal output
// of real size. Every test spawns the built binary, as a user would run it.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, CLI_ENV, ROOT, runCli } from "./helpers/cli.js";
import { LogBuilder } from "./helpers/log-builder.js";

const scratch = mkdtempSync(join(tmpdir(), "esa-dane-behaviour-"));

/**
 * Runs esa-dane with its standard output closed from the start (the reader is gone, as after
 * `| head -1` has its line). Standard input, if given, is written and left open: the command can
 * only end by noticing the closed output. Resolves with the exit status and stderr.
 */
function withClosedStdout(args: string[], input?: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: CLI_ENV, stdio: ["pipe", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.on("error", () => undefined);
    if (input !== undefined) child.stdin.write(input);
    else child.stdin.end();
    child.on("close", (status) => {
      child.stdin.destroy();
      resolve({ status, stderr });
    });
  });
}

/** Runs esa-dane with a terminal (a pseudo-terminal from `script`) as stdin and stdout. */
function onTerminal(args: string[]): { status: number | null; output: string } {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const result = spawnSync("script", ["-qec", `stty cols 200; ${command}`, "/dev/null"], { cwd: ROOT, env: { ...CLI_ENV, COLUMNS: "200" }, input: "", timeout: 20_000 });
  return { status: result.status, output: result.stdout.toString().replace(/\r\n/g, "\n") };
}

/** A log of `count` DANE-successful deliveries to distinct domains, one minute apart. */
function manyDomains(count: number, start = Date.UTC(2024, 2, 11, 8, 0, 0)): string {
  const b = new LogBuilder({ start });
  for (let i = 0; i < count; i++) b.delivery({ domain: `d${String(i).padStart(4, "0")}.example`, mxHost: `mx.d${i}.example`, ip: `192.0.2.${(i % 250) + 1}`, at: start + 60_000 * (i + 1) });
  return b.text();
}

describe("a closed standard output (item 2)", () => {
  const samples = readFileSync(join(ROOT, "samples/mail_logs_d.@20240311T083000.s"), "utf8");
  it("parse stops reading and exits quietly, though its input never ends", async () => {
    const result = await withClosedStdout(["parse", "--stats", "none"], samples.repeat(10));
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  // Two files with their time headers: nothing to warn about, so stderr must stay empty.
  const logs = ["samples/mail_logs_d.@20240311T083000.s", "samples/mail_logs_d.current"];
  it.each([
    ["deliveries", ["deliveries", ...logs]],
    ["deliveries --format table", ["deliveries", ...logs, "--format", "table"]],
    ["parse --unknown", ["parse", "--unknown", ...logs]],
    ["report", ["report", ...logs, "--format", "json"]],
    ["alert --verbose", ["alert", ...logs, "--verbose"]],
  ])("%s exits without an error or a stack trace", async (_name, args) => {
    const result = await withClosedStdout([...args, "--stats", "none"]);
    expect(result.stderr).not.toMatch(/EPIPE|Error|at .*\.js/);
    expect(result.stderr).toBe("");
  });
});

describe("deliveries --explain keeps one JSON object per line (item 3)", () => {
  it("puts each attempt's source lines in its record, with their text", () => {
    const result = runCli(["deliveries", "samples/ietf-daneverify.@20190204T200847.s", "samples/thinkbeyond-daneverify.@20190204T201552.s", "--explain", "--stats", "none"]);
    expect(result.status).toBe(0);
    const records = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { source: string[]; lines: { source: string; text: string | null }[] });
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record.lines.map((l) => l.source)).toEqual(record.source);
      for (const { source, text } of record.lines) {
        const [file, line] = [source.slice(0, source.lastIndexOf(":")), Number(source.slice(source.lastIndexOf(":") + 1))];
        expect(text).toBe(readFileSync(join(ROOT, file), "utf8").split("\n")[line - 1]);
      }
    }
  });
});

describe("standard input on a terminal, and --close-after (item 4)", () => {
  it.each(["report", "deliveries", "parse"])("%s with no input named on a terminal says how to use it and exits 1", (command) => {
    const result = onTerminal([command]);
    expect(result.status).toBe(1);
    expect(result.output).toContain("standard input is a terminal");
    expect(result.output).toContain(`esa-dane ${command} --help`);
  });

  it("--close-after takes a positive number of seconds; the old --quiet is gone", () => {
    const swallowed = runCli(["report", "--close-after", "samples/"]);
    expect(swallowed.status).toBe(1);
    expect(swallowed.stderr).toContain("--close-after takes a number of seconds");
    const negative = runCli(["deliveries", "samples/", "--close-after", "-5"]);
    expect(negative.status).toBe(1);
    expect(negative.stdout).toBe("");
    expect(runCli(["report", "--quiet", "60", "samples/"]).status).toBe(1);
    const ok = runCli(["deliveries", "samples/", "--close-after", "60", "--stats", "none"]);
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim().split("\n").length).toBeGreaterThan(10);
  });
});

describe("empty and foreign input (item 10)", () => {
  it("an empty directory, an empty file and a binary file: one line each, exit 2", () => {
    const empty = join(scratch, "empty-dir");
    mkdirSync(empty);
    const emptyFile = join(scratch, "empty.log");
    writeFileSync(emptyFile, "");
    // 8 MiB of the Node binary (NUL bytes, invalid UTF-8, lines over 64 KiB), not all its 100 MB,
    // with a few strings that look like log lines (the whole binary has some too): still binary.
    const binary = join(scratch, "binary.log");
    const executable = readFileSync(process.execPath);
    const logLike = "\nMon Mar 11 08:00:00 2024 Info: System startup\nMar 11 08:00:02 esa1.example.com mail_logs_d: Info: hello\n";
    writeFileSync(binary, Buffer.concat([executable.subarray(0, 4 << 20), Buffer.from(logLike), executable.subarray(4 << 20, 8 << 20)]));
    for (const [input, says] of [
      [empty, "no log files in this directory"],
      [emptyFile, "empty"],
      [binary, "binary content, not a mail log"],
    ] as const) {
      const result = runCli(["report", input, "--stats", "none"]);
      expect(result.status, input).toBe(2);
      expect(result.stderr).toContain(says);
      expect(result.stderr).toContain("no log line in the input");
      expect(result.stderr.split("\n").length, result.stderr.slice(0, 500)).toBeLessThanOrEqual(4);
    }
    const empties = runCli(["deliveries", "--stats", "none"], { input: "" });
    expect(empties.status).toBe(2);
  });

  it("a log beside a file that is not a log: exit 0, and a warning for the other file", () => {
    const notes = join(scratch, "notes.log");
    writeFileSync(notes, "These are my notes\nabout the appliance\n");
    const result = runCli(["report", "samples/ietf-daneverify.@20190204T200847.s", notes, "--stats", "none", "--format", "json"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("not a mail log");
  });

  it("--dest-controls with a binary file: one line, no binary dump", () => {
    const result = runCli(["report", "samples/", "--dest-controls", process.execPath]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("not a text file");
    expect(result.stderr.length).toBeLessThan(600);
  });

  it("a .txt file in a directory is skipped, as the README says", () => {
    const dir = join(scratch, "with-notes");
    mkdirSync(dir);
    copyFileSync(join(ROOT, "samples/ietf-daneverify.@20190204T200847.s"), join(dir, "mail_logs_d.@20190204T200847.s"));
    writeFileSync(join(dir, "README.txt"), "Mon Feb  4 20:08:47 2019 Info: MID 1 ICID 1 RID 0 To: <a@readme.example>\n");
    const result = runCli(["parse", dir, "--stats", "json"]);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain("readme.example");
    expect(JSON.parse(result.stderr.trim()).files.map((f: { file: string }) => f.file.split("/").pop())).toEqual(["mail_logs_d.@20190204T200847.s"]);
  });
});

describe("the accounting goes to stderr, and --stats none removes it (item 11)", () => {
  it("report's table has no input table on stdout; stderr has it unless --stats none", () => {
    const table = runCli(["report", "samples/", "--year", "2024"]);
    expect(table.status).toBe(0);
    expect(table.stdout).not.toMatch(/lines read|parsed.*unknown.*malformed/);
    expect(table.stderr).toMatch(/read.*parsed.*unknown.*malformed/);
    // Two files with their headers: no warning either, so stderr is empty.
    const none = runCli(["report", "samples/mail_logs_d.@20240311T083000.s", "samples/mail_logs_d.current", "--stats", "none"]);
    expect(none.status).toBe(0);
    expect(none.stderr).toBe("");
    expect(none.stdout).not.toMatch(/448|lines read|malformed/);
  });
});

describe("filters on every command that rebuilds attempts (item 7)", () => {
  it("deliveries takes --domain, --since and --until; relative times count back from the end of the log", () => {
    const log = join(scratch, "many.log");
    writeFileSync(log, manyDomains(30));
    const domains = (...args: string[]) =>
      runCli(["deliveries", log, "--stats", "none", ...args])
        .stdout.trim()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => (JSON.parse(l) as { domain: string }).domain);
    expect(domains()).toHaveLength(30);
    expect(domains("--domain", "d000?.example")).toHaveLength(10);
    // The last delivery is at 08:30 of 2024-03-11: ten minutes back from there, whatever today is.
    expect(domains("--since", "10m")).toEqual(["d0020.example", "d0021.example", "d0022.example", "d0023.example", "d0024.example", "d0025.example", "d0026.example", "d0027.example", "d0028.example", "d0029.example"]);
    expect(domains("--since", "2024-03-11T08:05Z", "--until", "2024-03-11 08:07Z")).toEqual(["d0004.example", "d0005.example"]);
    expect(runCli(["deliveries", log, "--since", "yesterday"]).status).toBe(1);
  });

  it("alert takes the same filters: they choose the lookups its detector counts", () => {
    const samples = join(ROOT, "samples");
    const bogus = (...args: string[]) => {
      const run = runCli(["alert", samples, "--stats", "none", ...args]);
      return [run.status, /\bbogus_max=(\d+);/.exec(run.stdout)?.[1]];
    };
    // samples/ has one Bogus answer, for bogus-mx.example.
    expect(bogus()).toEqual([0, "1"]);
    expect(bogus("--domain", "bogus-mx.*")).toEqual([0, "1"]);
    expect(bogus("--domain", "nothing.example")).toEqual([0, "0"]);
    expect(bogus("--until", "2000-01-01T00:00Z")).toEqual([0, "0"]);
    // A log that goes on has no end to count back from.
    const state = runCli(["alert", samples, "--since", "10m", "--state", join(scratch, "alert.state")]);
    expect(state.status).toBe(3);
    expect(state.stdout).toContain("absolute times");
    expect(runCli(["alert", samples, "--since", "yesterday"]).status).toBe(3);
  });
});

describe("output that stays readable at real size (item 5)", () => {
  const log = join(scratch, "forty.log");
  writeFileSync(log, manyDomains(40));
  it("report on a terminal shows 25 rows and says how many more; piped or with --top 0, all", () => {
    const rows = (text: string) => text.split("\n").filter((l) => /│ d\d{4}\.example /.test(l)).length;
    const terminal = onTerminal(["report", log, "--stats", "none"]);
    expect(terminal.status).toBe(0);
    expect(rows(terminal.output)).toBe(25);
    expect(terminal.output).toContain("(15 more; --top to show more)");
    expect(rows(onTerminal(["report", log, "--stats", "none", "--top", "0"]).output)).toBe(40);
    expect(rows(runCli(["report", log, "--stats", "none"]).stdout)).toBe(40);
  });

  it("deliveries --format table lays out each row on its own: no pass over all rows first", () => {
    const start = Date.UTC(2024, 2, 11, 8, 0, 0);
    const build = (withLongName: boolean) => {
      const b = new LogBuilder({ start });
      b.delivery({ domain: "short.example", mxHost: "mx.short.example", ip: "192.0.2.1", at: start + 60_000 });
      if (withLongName) b.delivery({ domain: `${"very-long-label.".repeat(8)}example`, mxHost: "mx.long.example", ip: "192.0.2.2", at: start + 120_000 });
      const path = join(scratch, `table-${withLongName}.log`);
      writeFileSync(path, b.text());
      return runCli(["deliveries", path, "--format", "table", "--stats", "none"]).stdout.split("\n");
    };
    const alone = build(false);
    const withLong = build(true);
    // The header and the short row do not move because another row has a long name.
    expect(withLong[0]).toBe(alone[0]);
    expect(withLong.find((l) => l.includes("short.example"))).toBe(alone.find((l) => l.includes("short.example")));
    expect(alone[0]).toMatch(/^start +host +DCID +domain/);
    expect(withLong.find((l) => l.includes("mx.long.example"))).toContain("…");
  });
});

describe("times of several appliances in one stream (item 6)", () => {
  const stream = [
    "Mon Mar 11 08:00:00 2024 Info: Begin Logfile",
    "Mon Mar 11 08:00:00 2024 Info: Time offset from UTC: 3600 seconds",
    "Mon Mar 11 08:00:01 2024 Info: Start MID 1 ICID 1",
    "<22>Mar 11 08:00:02 esa2.example.com mail_logs_d: Info: Start MID 2 ICID 2",
    "Mon Mar 11 08:00:03 2024 Info: Begin Logfile",
    "Mon Mar 11 08:00:04 2024 Info: Start MID 3 ICID 3",
    "",
  ].join("\n");
  const times = (stdout: string) => Object.fromEntries(stdout.trim().split("\n").map((l) => JSON.parse(l) as { kind: string; mid?: number; time: string }).filter((e) => e.kind === "message-start").map((e) => [e.mid, e.time]));

  it("a header applies to its own appliance's file-form lines only, and a guessed zone is said", () => {
    const result = runCli(["parse", "--year", "2024", "--stats", "none"], { input: stream });
    expect(result.status).toBe(0);
    // MID 1: its file's header. MID 2: another appliance's syslog line. MID 3: a file with no header of its own.
    expect(times(result.stdout)).toEqual({ 1: "2024-03-11T07:00:01Z", 2: "2024-03-11T08:00:02", 3: "2024-03-11T08:00:04" });
    expect(result.stderr).toContain("3 lines have no known time zone");
  });

  it("--local prints the times as logged", () => {
    const result = runCli(["parse", "--year", "2024", "--stats", "none", "--local"], { input: stream });
    expect(times(result.stdout)).toEqual({ 1: "2024-03-11T08:00:01", 2: "2024-03-11T08:00:02", 3: "2024-03-11T08:00:04" });
    expect(result.stderr).toBe("");
  });
});
