// The built binary, spawned as a user runs it (TZ=UTC, no TTY).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

const line = (time: string, message: string) => `Mon Mar 11 ${time} 2024 Info: ${message}`;

function rotatedDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "esa-dane-cli-"));
  writeFileSync(join(dir, "mail_logs_d.current"), `${line("10:00:00", "Start MID 3 ICID 1")}\n`);
  writeFileSync(join(dir, "mail_logs_d.@20240311T090000.s"), gzipSync(`${line("09:00:00", "Start MID 2 ICID 1")}\n`));
  writeFileSync(join(dir, "mail_logs_d.@20240311T080000.s"), `${line("08:00:00", "Start MID 1 ICID 1")}\n`);
  writeFileSync(join(dir, "README.md"), "not a log\n");
  return dir;
}

describe("esa-dane parse", () => {
  it("reads a gzip file", () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-cli-"));
    const file = join(dir, "x.log.gz");
    writeFileSync(file, gzipSync(readFileSync("samples/ietf-daneverify.@20190204T200847.s")));
    const result = runCli(["parse", file, "--stats", "json"]);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split("\n")).toHaveLength(30);
    const stats = JSON.parse(result.stderr.trim().split("\n").pop()!);
    expect(stats.total).toMatchObject({ read: 30, parsed: 30, unknown: 0, malformed: 0 });
  });

  it("reads a directory of rotated files oldest first, skipping other names", () => {
    const result = runCli(["parse", rotatedDir(), "--stats", "json"]);
    expect(result.status).toBe(0);
    const events = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.map((e) => e.mid)).toEqual([1, 2, 3]);
    expect(events.map((e) => e.file.split("/").pop())).toEqual(["mail_logs_d.@20240311T080000.s", "mail_logs_d.@20240311T090000.s", "mail_logs_d.current"]);
  });

  it("reads standard input, with no input named and with -", () => {
    const input = `${line("08:00:00", "Start MID 7 ICID 1")}\n${line("08:00:01", "ICID 1 close")}\n`;
    for (const args of [["parse"], ["parse", "-"]]) {
      const result = runCli([...args, "--stats", "json"], { input });
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ kind: "message-start", mid: 7, file: "(stdin)", line: 1, time: "2024-03-11T08:00:00" });
      expect(JSON.parse(result.stderr.trim()).total).toMatchObject({ read: 2, parsed: 1, unknown: 1 });
    }
  });

  it("lists the lines it does not model with --unknown, escaped for the terminal", () => {
    const result = runCli(["parse", "--unknown", "--stats", "none"], { input: `${line("08:00:00", "MID 1 using engine: \u001b[31mCASE")}\n` });
    expect(result.stdout).toBe("(stdin):1: [MID N using] MID 1 using engine: \\x1b[31mCASE\n");
  });

  it("reports a missing input with its name, exits 2, and still reads the others", () => {
    const result = runCli(["parse", "samples/thinkbeyond-daneverify.@20190204T201552.s", "no/such/file.s"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("esa-dane parse: no/such/file.s: no such file or directory");
    expect(result.stdout.trim().split("\n")).toHaveLength(27);
  });

  it("warns about a directory without log files, and exits 2 when nothing else had a log line", () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-empty-"));
    writeFileSync(join(dir, "notes.md"), "# not a log\n");
    const result = runCli(["parse", dir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`esa-dane parse: warning: ${dir}: no log files in this directory`);
  });

  it("prints the accounting table on stderr by default", () => {
    const result = runCli(["parse", "samples/"]);
    expect(result.stderr).toMatch(/│ \(total\)\s+│\s+598 │\s+446 │\s+152 │\s+0 │/);
  });
});

describe("usage", () => {
  it("has --help on every command and --version", () => {
    for (const command of [[], ["report"], ["deliveries"], ["alert"], ["parse"], ["policy"], ["policy", "explain"]]) {
      const result = runCli([...command, "--help"]);
      expect(result.status, command.join(" ")).toBe(0);
      expect(result.stdout).toContain("esa-dane");
    }
    expect(runCli(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it("exits 1 with a clear message on bad usage", () => {
    const result = runCli(["parse", "--no-such-option"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Unknown argument");
    expect(runCli(["report", "samples/", "--format", "pdf"]).status).toBe(1);
    expect(runCli(["parse", "--tz", "Mars/Olympus"]).stderr).toContain("unknown time zone 'Mars/Olympus'");
    for (const [option, value, message] of [["--year", "123", "--year takes a year"], ["--workers", "-1", "--workers takes a whole number"], ["--workers", "1.5", "--workers takes a whole number"]] as const) {
      const bad = runCli(["report", "samples/", option, value]);
      expect([bad.status, bad.stdout], `${option} ${value}`).toEqual([1, ""]);
      expect(bad.stderr).toContain(message);
    }
  });
});
