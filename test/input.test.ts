// The input stage: prefixes, time, bounded lines, wrapped records, rotation order, gzip.
import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LogEvent, Malformed, Unknown } from "../src/events/types.js";
import { Clock, formatInstant } from "../src/input/clock.js";
import { LineSplitter, MAX_LINE } from "../src/input/lines.js";
import { readPrefix } from "../src/input/prefix.js";
import { readInputs, readText } from "../src/input/read.js";
import { joinWrapped } from "../src/input/records.js";
import { orderLogFiles } from "../src/input/sources.js";

function collect(text: string, options: Parameters<typeof readText>[2] = {}, referenceTime = 0) {
  const events: LogEvent[] = [];
  const unknown: Unknown[] = [];
  const malformed: Malformed[] = [];
  const stats = readText(text, "t.log", options, { event: (e) => events.push(e), unknown: (u) => unknown.push(u), malformed: (m) => malformed.push(m) }, referenceTime);
  return { events, unknown, malformed, stats };
}

describe("line prefixes", () => {
  it("reads the appliance file form with one or two spaces before the day", () => {
    for (const line of ["Mon Feb  4 20:08:47 2019 Debug: x", "Mon Feb 4 20:08:47 2019 Debug: x"]) {
      expect(readPrefix(line)).toMatchObject({ stamp: { year: 2019, month: 2, day: 4, hour: 20, minute: 8, second: 47 }, host: null, level: "Debug" });
    }
  });
  it("reads syslog with and without PRI, hostname and year", () => {
    expect(readPrefix("<22>Mar 12 09:15:01 esa1.example.com mail_logs_d: Info: New SMTP DCID 1")).toMatchObject({ stamp: { year: null, month: 3, day: 12 }, host: "esa1.example.com", tag: "mail_logs_d", level: "Info" });
    expect(readPrefix("Jul 23 12:23:59 SplunkMailSyslog: Info: x")).toMatchObject({ host: null, tag: "SplunkMailSyslog", level: "Info" });
    expect(readPrefix("Aug  3 07:26:33  10.0.1.1 MAR_SecurityAudit: Info: x")).toMatchObject({ host: "10.0.1.1", tag: "MAR_SecurityAudit" });
    expect(readPrefix("Jul 16 10:46:46 2013 dummy_source_Domain2 mail_logs: Info: x")).toMatchObject({ stamp: { year: 2013 }, host: "dummy_source_Domain2" });
  });
  it("reads RFC 3339 syslog timestamps, whose offset needs no header", () => {
    const { events, malformed } = collect(
      "2024-03-12T09:15:01+01:00 esa1.example.com mail_logs_d: Info: Start MID 5 ICID 6\n<22>1 2024-03-12T08:15:02.123Z esa2 mail_logs_d: Info: Start MID 6 ICID 6\n2024-13-12T09:15:03 esa1 mail_logs_d: Info: Start MID 7 ICID 6\n",
    );
    expect(events.map((e) => [e.host, formatInstant(e.time, e.utcKnown)])).toEqual([
      ["esa1.example.com", "2024-03-12T08:15:01Z"],
      ["esa2", "2024-03-12T08:15:02Z"],
    ]);
    expect(malformed.map((m) => m.code)).toEqual(["E_PREFIX"]);
  });
  it("reads the bare level form and rejects what is no prefix", () => {
    expect(readPrefix("Warning: Received an invalid DNS Response: x")).toMatchObject({ stamp: null, level: "Warning" });
    expect(readPrefix("data(['1.2.3.4'], secure, 0, 1800)")).toBeNull();
    expect(readPrefix("Information: not a level")).toBeNull();
  });
  it("keeps a timestamp that is followed by no level (CEF)", () => {
    const line = "Sun Aug 25 12:37:08 2019 CEF:0|Cisco|x";
    const prefix = readPrefix(line);
    expect(prefix).toMatchObject({ level: null });
    expect(line.slice((prefix as { messageStart: number }).messageStart)).toBe("CEF:0|Cisco|x");
  });
  it("calls an impossible date malformed, with its line", () => {
    const { malformed, stats } = collect("Mon Feb 30 20:08:47 2019 Info: Begin Logfile\nMon Feb  4 25:08:47 2019 Info: Begin Logfile\n");
    expect(malformed.map((m) => [m.line, m.code])).toEqual([[1, "E_PREFIX"], [2, "E_PREFIX"]]);
    expect(stats.malformed).toBe(2);
  });
});

describe("time", () => {
  it("applies the Time offset header to the file, header lines included", () => {
    const { events } = collect(
      "Wed Nov 19 09:16:46 2014 Info: Begin Logfile\nWed Nov 19 09:16:46 2014 Info: Time offset from UTC: -21600 seconds\nWed Nov 19 09:16:47 2014 Info: Start MID 1 ICID 2\n",
    );
    expect(events.map((e) => formatInstant(e.time, e.utcKnown))).toEqual(["2014-11-19T15:16:46Z", "2014-11-19T15:16:46Z", "2014-11-19T15:16:47Z"]);
  });
  it("applies each syslog host's own Time offset header to that host's lines only", () => {
    const { events } = collect(
      [
        "<22>Mar 12 09:15:00 esa1 mail_logs_d: Info: Time offset from UTC: 3600 seconds",
        "<22>Mar 12 09:15:00 esa2 mail_logs_d: Info: Time offset from UTC: -7200 seconds",
        "<22>Mar 12 09:15:01 esa1 mail_logs_d: Info: Start MID 1 ICID 2",
        "<22>Mar 12 09:15:01 esa2 mail_logs_d: Info: Start MID 1 ICID 2",
        "<22>Mar 12 09:15:01 esa3 mail_logs_d: Info: Start MID 1 ICID 2",
        "<22>Mar 12 09:15:02 esa1 mail_logs_d: Info: Start MID 2 ICID 2",
      ].join("\n"),
      { year: 2024 },
    );
    expect(events.filter((e) => e.kind === "message-start").map((e) => `${e.host} ${formatInstant(e.time, e.utcKnown)}`)).toEqual([
      "esa1 2024-03-12T08:15:01Z",
      "esa2 2024-03-12T11:15:01Z",
      "esa3 2024-03-12T09:15:01",
      "esa1 2024-03-12T08:15:02Z",
    ]);
  });
  it("uses --tz without a header, across a DST change", () => {
    const { events } = collect("Sun Mar 31 01:30:00 2024 Info: Start MID 1 ICID 2\nSun Mar 31 03:30:00 2024 Info: Start MID 2 ICID 2\n", { zone: "Europe/Zurich" });
    expect(events.map((e) => formatInstant(e.time, e.utcKnown))).toEqual(["2024-03-31T00:30:00Z", "2024-03-31T01:30:00Z"]);
  });
  it("prints local time without Z when neither is known", () => {
    const { events } = collect("Mon Feb  4 20:08:47 2019 Info: Start MID 1 ICID 2\n");
    expect(formatInstant(events[0]!.time, events[0]!.utcKnown)).toBe("2019-02-04T20:08:47");
  });
  it("infers the year of syslog lines from the reference date, and takes --year", () => {
    const january = Date.UTC(2025, 0, 2);
    const clock = new Clock({ referenceTime: january });
    const stamp = { year: null, month: 12, day: 31, hour: 23, minute: 59, second: 0 };
    expect(new Date(clock.instantOf(stamp).time).getUTCFullYear()).toBe(2024);
    expect(new Date(clock.instantOf({ ...stamp, month: 1, day: 1 }).time).getUTCFullYear()).toBe(2025);
    expect(new Date(new Clock({ year: 2019, referenceTime: january }).instantOf(stamp).time).getUTCFullYear()).toBe(2019);
  });
  it("times one stamp object again after a header moved its clock, and counts every line", () => {
    // Lines of one second share a stamp object; the clock answers them from its last instant.
    const clock = new Clock({ referenceTime: Date.UTC(2024, 5, 1) });
    const stamp = { year: 2024, month: 3, day: 11, hour: 8, minute: 0, second: 1 };
    const syslog = { fileForm: false, host: "esa1" } as const;
    expect(clock.instantOf(stamp)).toEqual({ time: Date.UTC(2024, 2, 11, 8, 0, 1), utcKnown: false });
    expect(clock.instantOf(stamp)).toEqual({ time: Date.UTC(2024, 2, 11, 8, 0, 1), utcKnown: false });
    clock.setUtcOffset(3600);
    expect(clock.instantOf(stamp)).toEqual({ time: Date.UTC(2024, 2, 11, 7, 0, 1), utcKnown: true });
    // Another appliance's clock has no header of its own.
    expect(clock.instantOf(stamp, syslog)).toEqual({ time: Date.UTC(2024, 2, 11, 8, 0, 1), utcKnown: false });
    expect(clock.instantOf(stamp)).toEqual({ time: Date.UTC(2024, 2, 11, 7, 0, 1), utcKnown: true });
    clock.clearUtcOffset();
    expect(clock.instantOf(stamp)).toEqual({ time: Date.UTC(2024, 2, 11, 8, 0, 1), utcKnown: false });
    expect([clock.zoned, clock.unzoned]).toEqual([2, 4]);
  });
  it("formats any instant as Date's ISO text does, from the last minute's text or without it", () => {
    const iso = (time: number, utcKnown: boolean) => {
      const text = new Date(time).toISOString();
      return utcKnown ? text.replace(".000Z", "Z") : text.slice(0, 19);
    };
    const DAY = 86_400_000;
    const times = fc.oneof(
      // Whole seconds near one another (the fast path, the same minute or the next) ...
      fc.integer({ min: 0, max: 3 * DAY }).map((s) => Date.UTC(2024, 2, 10) + s * 1000),
      // ... and anything else: milliseconds, before 1970, past the year 9999, leap days.
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.integer({ min: -8.64e12, max: 8.64e12 }).map((s) => s * 1000),
      fc.integer({ min: 0, max: 400 * 366 }).map((d) => Date.UTC(1900, 1, 28) + d * DAY),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(times, fc.boolean()), { minLength: 1, maxLength: 20 }), (instants) => {
        for (const [time, utcKnown] of instants) expect(formatInstant(time, utcKnown)).toBe(iso(time, utcKnown));
      }),
      { numRuns: 300 },
    );
    expect(formatInstant(Date.UTC(2024, 2, 11, 0, 18, 5), true)).toBe("2024-03-11T00:18:05Z");
    expect(formatInstant(Date.UTC(2024, 2, 11, 0, 18, 59), false)).toBe("2024-03-11T00:18:59");
    expect(formatInstant(Date.UTC(2024, 2, 11, 0, 19, 0), true)).toBe("2024-03-11T00:19:00Z");
    expect(formatInstant(null, true)).toBeNull();
  });
});

describe("physical lines", () => {
  function split(chunks: (string | Buffer)[]) {
    const lines: { text: string; flags: number }[] = [];
    const splitter = new LineSplitter((text, _n, flags) => lines.push({ text, flags }));
    for (const chunk of chunks) typeof chunk === "string" ? splitter.push(chunk) : splitter.pushBytes(chunk);
    splitter.end();
    return lines;
  }
  it("strips CR, removes NUL bytes and flags invalid UTF-8", () => {
    const lines = split([Buffer.from("a\r\nb\0c\n"), Buffer.from([0x64, 0xff, 0x65, 0x0a])]);
    expect(lines.map((l) => l.text)).toEqual(["a", "bc", "d\uFFFDe"]);
    expect(lines.map((l) => l.flags)).toEqual([0, 2, 4]);
  });
  it("gives each line as decoding it alone would, ASCII chunks (read as Latin-1) or not, in any chunks", () => {
    const byte = fc.constantFrom(0x61, 0x20, 0x3a, 0x0d, 0x0a, 0x0a, 0x00, 0xc3, 0xa9, 0xff);
    const asciiByte = fc.constantFrom(0x61, 0x20, 0x3a, 0x0d, 0x0a, 0x0a, 0x7e);
    const chunk = fc.oneof(fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)), fc.array(byte, { maxLength: 40 }).map((b) => Buffer.from(b)), fc.array(asciiByte, { maxLength: 40 }).map((b) => Buffer.from(b)));
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 8 }), (chunks) => {
        const all = Buffer.concat(chunks);
        const expected: { text: string; flags: number }[] = [];
        let start = 0;
        while (start < all.length) {
          const newline = all.indexOf(10, start);
          let end = newline < 0 ? all.length : newline;
          if (end > start && all[end - 1] === 13) end--;
          const decoded = all.toString("utf8", start, end);
          const text = decoded.replaceAll("\0", "");
          expected.push({ text, flags: (text !== decoded ? 2 : 0) | (text.includes("\uFFFD") ? 4 : 0) });
          start = newline < 0 ? all.length : newline + 1;
        }
        expect(split(chunks)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
  it("joins a line split across chunks, even inside a UTF-8 character", () => {
    const bytes = Buffer.from("héllo\nworld\n");
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)]).map((l) => l.text)).toEqual(["héllo", "world"]);
  });
  it("cuts a line over 64 KiB and keeps memory bounded without any newline", () => {
    let longest = 0;
    let count = 0;
    let flags = 0;
    const splitter = new LineSplitter((text, _n, f) => {
      longest = Math.max(longest, text.length);
      count++;
      flags |= f;
    });
    const block = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 20; i++) splitter.pushBytes(block); // 20 MB, no newline
    splitter.end();
    expect([count, longest, flags & 1]).toEqual([1, MAX_LINE, 1]);
  });
  it("counts truncated lines in the accounting", () => {
    const { stats } = collect(`Mon Feb  4 20:08:47 2019 Info: ${"x".repeat(70_000)}\nMon Feb  4 20:08:47 2019 Info: Begin Logfile\n`);
    expect(stats).toMatchObject({ read: 2, truncated: 1, parsed: 1, unknown: 1 });
  });
});

describe("records", () => {
  it("joins a wrapped record, across blank lines, and counts it", () => {
    const { events, stats } = collect("Mon Feb  4 20:08:48 2019 Warning: Received an invalid DNSSEC Response:\n\nDNSSEC_Error('m.example', 'AAAA', '10.0.0.1', 'x') of qtype AAAA looking up m.example\n");
    expect(events[0]).toMatchObject({ kind: "dnssec-error", name: "m.example", line: 1 });
    expect(stats).toMatchObject({ read: 3, parsed: 3, joined: 1 });
  });
  it("joins a word broken after a hyphen without a space", () => {
    expect(joinWrapped("QIP ('thinkbeyond-", "ch.mail')")).toBe("QIP ('thinkbeyond-ch.mail')");
    expect(joinWrapped("RID 0 -", "5.1.2")).toBe("RID 0 - 5.1.2");
  });
  it("counts comments, blank lines and lines without a prefix as unknown", () => {
    const { unknown, stats } = collect("# a comment\n\nno prefix here\nMon Feb  4 20:08:47 2019 Info: Begin Logfile\n\n");
    expect(unknown.map((u) => u.family)).toEqual(["(comment)", "(blank)", "(no prefix)", "(blank)"]);
    expect(stats).toMatchObject({ read: 5, parsed: 1, unknown: 4, malformed: 0 });
  });
  it("names the family of unknown lines by their first words", () => {
    const { unknown } = collect("Mon Feb  4 20:08:47 2019 Info: MID 123 using engine: CASE spam negative\n");
    expect(unknown[0]?.family).toBe("MID N using");
  });
});

describe("inputs", () => {
  it("orders rotated files oldest first, the current file last, and skips other names", () => {
    expect(
      orderLogFiles([
        "README.md",
        "mail_logs_d.current",
        "mail_logs_d.@20240312T000000.s",
        "mail_logs_d.@20240311T000000.s.gz",
        ".hidden.s",
        "notes.json",
        "notes.txt",
        "other.log",
      ]),
    ).toEqual(["mail_logs_d.@20240311T000000.s.gz", "mail_logs_d.@20240312T000000.s", "mail_logs_d.current", "other.log"]);
  });
  it("recognises gzip by content, multi-member too, and reports corrupt gzip with the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-"));
    const line = (mid: number) => `Mon Feb  4 20:08:47 2019 Info: Start MID ${mid} ICID 1\n`;
    writeFileSync(join(dir, "a.@20190204T000000.s"), Buffer.concat([gzipSync(line(1)), gzipSync(line(2))]));
    writeFileSync(join(dir, "b.gz"), line(3));
    writeFileSync(join(dir, "c.@20190204T000000.s.gz"), gzipSync(line(4) + line(5)).subarray(0, 20));
    const events: LogEvent[] = [];
    const result = await readInputs([join(dir, "a.@20190204T000000.s"), join(dir, "b.gz"), join(dir, "c.@20190204T000000.s.gz"), join(dir, "missing.s")], {}, { event: (e) => events.push(e), malformed: () => {} });
    expect(events.map((e) => e.kind === "message-start" && e.mid)).toEqual([1, 2, 3]);
    expect(result.errors.map((e) => [e.input.split("/").pop(), e.message.split(" (")[0]])).toEqual([
      ["missing.s", "no such file or directory"],
      ["c.@20190204T000000.s.gz", "gzip data is corrupt or truncated"],
    ]);
  });
  it("tells the sink, before each input, when the inputs after it start (a gzip file's first 32 KiB unpacked)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-"));
    const fileForm = (clock: string, offsetSeconds: number, lines: number) => {
      const out = [`Mon Mar 11 ${clock} 2024 Info: Begin Logfile`, `Mon Mar 11 ${clock} 2024 Info: Time offset from UTC: ${offsetSeconds} seconds`];
      // Random names: the gzip file stays bigger than what is read of it.
      for (let i = 0; i < lines; i++) out.push(`Mon Mar 11 ${clock} 2024 Debug: DNS query: Q('${Math.random().toString(36).slice(2)}.example', 'MX')`);
      return `${out.join("\n")}\n`;
    };
    const a = join(dir, "a.log");
    const b = join(dir, "b.log.gz");
    const c = join(dir, "c.log");
    const d = join(dir, "d.log");
    writeFileSync(a, fileForm("08:00:00", 0, 10));
    const gzipped = gzipSync(fileForm("10:00:00", 3600, 20_000));
    expect(gzipped.length).toBeGreaterThan(64 * 1024);
    writeFileSync(b, gzipped);
    writeFileSync(c, "Info: Start MID 1 ICID 2\n");
    writeFileSync(d, fileForm("07:00:00", 0, 10));
    const starts = async (inputs: string[]) => {
      const seen: number[] = [];
      await readInputs(inputs, { workers: 0 }, { event: () => {}, malformed: () => {}, beginInput: (ms) => seen.push(ms) });
      return seen;
    };
    const at = (hour: number) => Date.UTC(2024, 2, 11, hour);
    expect(await starts([a, b, d])).toEqual([at(7), at(7), Number.POSITIVE_INFINITY]);
    expect(await starts([a, b])).toEqual([at(9), Number.POSITIVE_INFINITY]);
    // Standard input or a file without a timed line in its first 32 KiB: not known.
    expect(await starts([a, c, d])).toEqual([Number.NEGATIVE_INFINITY, at(7), Number.POSITIVE_INFINITY]);
    // One input: nothing to tell.
    expect(await starts([a])).toEqual([]);
  });
  it("gives the same records, counts and order with worker threads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "esa-dane-"));
    const file = join(dir, "big.log");
    const lines: string[] = ["Mon Feb  4 20:08:47 2019 Info: Begin Logfile", "Mon Feb  4 20:08:47 2019 Info: Time offset from UTC: 3600 seconds"];
    for (let i = 0; i < 40_000; i++) {
      lines.push(`Mon Feb  4 20:${String(10 + (i % 40)).padStart(2, "0")}:47 2019 Debug: DNS query: QIP ('d${i}.example', 'MX', '10.0.0.53', 60)`);
      if (i % 97 === 0) lines.push("Mon Feb  4 20:08:48 2019 Warning: Received an invalid DNSSEC Response:", "", `DNSSEC_Error('m${i}.example', 'AAAA', '10.0.0.1', 'x') of qtype AAAA looking up m${i}.example`);
      if (i % 13 === 0) lines.push(`Mon Feb  4 20:08:48 2019 Info: MID ${i} using engine: CASE spam negative`, "");
    }
    // A line longer than a chunk (cut at 64 KiB) and a last line without its newline.
    lines.splice(20_000, 0, `Mon Feb  4 20:08:47 2019 Info: ${"x".repeat(3_000_000)}`);
    writeFileSync(file, `${lines.join("\n")}\nMon Feb  4 20:08:47 2019 Info: Start MID 1 ICID 2`);
    const run = async (workers: number) => {
      const out: string[] = [];
      const result = await readInputs([file], { workers }, { event: (e) => out.push(JSON.stringify(e)), unknown: (u) => out.push(JSON.stringify(u)), malformed: (m) => out.push(JSON.stringify(m)) });
      return { out, files: result.files };
    };
    const sequential = await run(0);
    const parallel = await run(2);
    expect(parallel.files).toEqual(sequential.files);
    expect(sequential.files[0]).toMatchObject({ truncated: 1, read: lines.length + 1 });
    expect(parallel.out.length).toBe(sequential.out.length);
    expect(parallel.out).toEqual(sequential.out);
  });
});
