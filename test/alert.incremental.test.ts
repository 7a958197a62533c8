// Reading only what is new (--state) and following growing files (--follow): every line exactly
// once, counted by the accounting and by the events, across growth, an unfinished last line,
// rotation (with and without the rotated file among the inputs), truncation, replacement in
// place and gzip.
import { appendFileSync, mkdtempSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { RecordSink } from "../src/input/records.js";
import { follow } from "../src/input/follow.js";
import { readIncrementally, type FileCursor } from "../src/input/incremental.js";
import * as gen from "./helpers/generate-log.js";

const app = gen.appliance();
/** Line `i`: a `Start MID i` at second i, so the events say which lines were read. */
const line = (i: number) => `${gen.prefix(app, gen.T0 + i * 1000, "Info")}Start MID ${i} ICID 1\n`;
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(from + k)).join("");

function collector() {
  const mids: number[] = [];
  const sink: RecordSink = {
    event: (e) => {
      if (e.kind === "message-start") mids.push(e.mid);
    },
    malformed: () => {},
  };
  return { mids, sink };
}

async function readNew(paths: string[], cursors: FileCursor[]) {
  const { mids, sink } = collector();
  const result = await readIncrementally(paths, cursors, {}, sink);
  return { mids, cursors: result.cursors, read: result.files.reduce((n, f) => n + f.read, 0), result };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const scratch = (name: string) => mkdtempSync(join(tmpdir(), `esa-dane-${name}-`));

describe("readIncrementally", () => {
  it("reads every line exactly once across growth, an unfinished line, rotation and a new file", async () => {
    const dir = scratch("inc");
    const current = join(dir, "mail_logs_d.current");
    let written = 0;
    let read = 0;
    // A file smaller than any head hash window: growing past it must not look like a new file.
    writeFileSync(current, lines(0, 2));
    written += 2;
    let run = await readNew([current], []);
    read += run.read;
    expect(run.mids).toEqual([0, 1]);
    appendFileSync(current, lines(2, 10) + line(10).slice(0, 20)); // line 10 is still being written
    written += 8;
    run = await readNew([current], run.cursors);
    read += run.read;
    expect(run.mids).toEqual(range(2, 10));
    appendFileSync(current, line(10).slice(20) + lines(11, 13));
    written += 3;
    // Rotation between two runs: more lines went into the old file first; only .current is named.
    renameSync(current, join(dir, "mail_logs_d.@20240311T090000.s"));
    writeFileSync(current, lines(13, 16));
    written += 3;
    run = await readNew([current], run.cursors);
    read += run.read;
    expect(run.mids).toEqual(range(10, 16));
    expect(run.result.files.map((f) => [f.file.slice(dir.length + 1), f.read])).toEqual([["mail_logs_d.@20240311T090000.s", 3], ["mail_logs_d.current", 3]]);
    // The directory named instead (rotated file and new file): nothing is read twice.
    appendFileSync(current, lines(16, 18));
    written += 2;
    run = await readNew([join(dir, "mail_logs_d.@20240311T090000.s"), current], run.cursors);
    read += run.read;
    expect(run.mids).toEqual([16, 17]);
    run = await readNew([join(dir, "mail_logs_d.@20240311T090000.s"), current], run.cursors);
    expect(run.mids).toEqual([]);
    expect(read).toBe(written);
  });

  it("reads a truncated file, and a file rewritten in place, from its start", async () => {
    const dir = scratch("trunc");
    const file = join(dir, "mail_logs_d.current");
    writeFileSync(file, lines(0, 10));
    let run = await readNew([file], []);
    writeFileSync(file, lines(30, 32)); // truncated to zero and written again: shorter than before
    run = await readNew([file], run.cursors);
    expect(run.mids).toEqual([30, 31]);
    // Rewritten in place (same inode), longer than before, the same first line: the bytes before
    // the saved offset changed, so it is another file.
    writeFileSync(file, lines(30, 31) + lines(40, 50));
    run = await readNew([file], run.cursors);
    expect(run.mids).toEqual([30, ...range(40, 50)]);
  });

  it("warns when the rotated file is gone and still reads the new one", async () => {
    const dir = scratch("gone");
    const current = join(dir, "mail_logs_d.current");
    writeFileSync(current, lines(0, 3));
    let run = await readNew([current], []);
    appendFileSync(current, lines(3, 5));
    renameSync(current, join(dir, "mail_logs_d.@20240311T090000.s"));
    writeFileSync(current, lines(5, 7));
    // Deleted after the new file exists (deleted before, its inode could be the new file's).
    unlinkSync(join(dir, "mail_logs_d.@20240311T090000.s"));
    run = await readNew([current], run.cursors);
    expect(run.mids).toEqual([5, 6]);
    expect(run.result.warnings.map((w) => w.code)).toEqual(["W_ROTATED_NOT_FOUND"]);
  });

  it("reads a gzip file whole, once", async () => {
    const dir = scratch("gz");
    const file = join(dir, "mail_logs_d.@20240311T080000.s.gz");
    writeFileSync(file, gzipSync(lines(0, 5)));
    let run = await readNew([file], []);
    expect([run.mids, run.cursors[0]!.done]).toEqual([range(0, 5), true]);
    run = await readNew([file], run.cursors);
    expect([run.mids, run.read]).toEqual([[], 0]);
  });

  it("reports an input it cannot open with a code, and reads the others", async () => {
    const dir = scratch("missing");
    const file = join(dir, "ok.log");
    writeFileSync(file, lines(0, 2));
    const run = await readNew([join(dir, "nope.log"), file], []);
    expect(run.mids).toEqual([0, 1]);
    expect(run.result.errors.map((e) => [e.code, e.message])).toEqual([["E_INPUT_OPEN", "no such file or directory"]]);
  });
});

describe("follow", () => {
  it("sees lines appended after start, the rest of a rotated file, the new file, and a truncation", async () => {
    const dir = scratch("follow");
    const current = join(dir, "mail_logs_d.current");
    writeFileSync(current, lines(0, 3));
    const { mids, sink } = collector();
    const controller = new AbortController();
    let poll = 0;
    const steps = [
      () => appendFileSync(current, lines(3, 5)),
      () => {
        appendFileSync(current, lines(5, 6)); // written just before the rotation: read from the old file
        renameSync(current, join(dir, "mail_logs_d.@20240311T090000.s"));
      },
      () => writeFileSync(current, lines(6, 8)), // the new file appears a poll later
      () => appendFileSync(current, lines(8, 9)),
      () => writeFileSync(current, lines(20, 21)), // truncated and rewritten
      () => controller.abort(),
    ];
    const result = await follow([current], {}, sink, { signal: controller.signal, pollMs: 5, onPoll: () => steps[poll++]?.() });
    expect(mids).toEqual([...range(0, 9), 20]);
    expect(result.files.reduce((n, f) => n + f.read, 0)).toBe(10);
    // The rotated file is remembered under its new name too (a later run may name it).
    expect(result.cursors.map((c) => c.path.slice(dir.length + 1))).toEqual(["mail_logs_d.@20240311T090000.s", "mail_logs_d.current"]);
  });

  it("resumes from saved cursors, including the rest of a file rotated while it was not running", async () => {
    const dir = scratch("resume");
    const current = join(dir, "mail_logs_d.current");
    writeFileSync(current, lines(0, 4));
    const first = await readNew([current], []);
    appendFileSync(current, lines(4, 6));
    renameSync(current, join(dir, "mail_logs_d.@20240311T090000.s"));
    writeFileSync(current, lines(6, 8));
    const { mids, sink } = collector();
    const controller = new AbortController();
    await follow([current], {}, sink, { signal: controller.signal, pollMs: 5, saved: first.cursors, onPoll: () => controller.abort() });
    expect(mids).toEqual(range(4, 8));
  });
});
