// How classified records cross from a worker thread to the main thread. postMessage would
// structured-clone the record objects, and rebuilding those on the main thread (where
// correlation must run, in order) cost 130-250 ms per 4 MB chunk of log, about what the workers
// saved. Rows of plain values in one JSON text take about 70 ms, because a row is an array, not
// an object with its own keys. Each body's keys are sent once per chunk as a schema.
//
// Row of an event:  [0, line, lines, year, month, day, hour, minute, second, utcOffsetMinutes,
//                    host, level, schema, ...body values in schema order]
//                   (month 0 when the record had no timestamp)
// Row of any other record: [1, the record itself]
//
// Body values that are undefined are left out (as JSON would leave out their keys), so a
// decoded record equals the original once both are written as JSON.
import type { Level } from "../events/types.js";
import type { EventBody } from "../events/types.js";
import type { ClassifiedRecord } from "./records.js";

export interface EncodedRecords {
  /** Body keys per schema number. */
  schemas: string[][];
  /** JSON text of the rows. */
  rows: string;
}

type EventRecord = Extract<ClassifiedRecord, { t: "event" }>;

const LEVELS: readonly Level[] = ["Info", "Warning", "Critical", "Debug", "Trace"];
const FIRST_BODY_VALUE = 13;

/** Builds the encoding of one chunk's records as they come. */
export class RecordEncoder {
  private readonly schemaIds = new Map<string, number>();
  private readonly schemas: string[][] = [];
  private readonly rows: unknown[] = [];

  push(record: ClassifiedRecord): void {
    if (record.t !== "event") {
      this.rows.push([1, record]);
      return;
    }
    const body = record.body as unknown as Record<string, unknown>;
    const keys: string[] = [];
    for (const key in body) if (body[key] !== undefined) keys.push(key);
    const signature = keys.join(",");
    let schema = this.schemaIds.get(signature);
    if (schema === undefined) {
      schema = this.schemas.length;
      this.schemas.push(keys);
      this.schemaIds.set(signature, schema);
    }
    const s = record.stamp;
    const row: unknown[] = [
      0,
      record.line,
      record.lines,
      s === null ? null : s.year,
      s === null ? 0 : s.month,
      s === null ? 0 : s.day,
      s === null ? 0 : s.hour,
      s === null ? 0 : s.minute,
      s === null ? 0 : s.second,
      s === null || s.utcOffsetMinutes === undefined ? null : s.utcOffsetMinutes,
      record.host,
      record.level === null ? -1 : LEVELS.indexOf(record.level),
      schema,
    ];
    for (const key of keys) row.push(body[key]);
    this.rows.push(row);
  }

  finish(): EncodedRecords {
    return { schemas: this.schemas, rows: JSON.stringify(this.rows) };
  }
}

/** Hands each record of an encoding to `visit`, in order, with `lineBase` added to its line number. */
export function decodeRecords(encoded: EncodedRecords, lineBase: number, visit: (record: ClassifiedRecord) => void): void {
  const rows = JSON.parse(encoded.rows) as unknown[][];
  const schemas = encoded.schemas;
  for (const row of rows) {
    if (row[0] !== 0) {
      const record = row[1] as ClassifiedRecord;
      record.line += lineBase;
      visit(record);
      continue;
    }
    const keys = schemas[row[12] as number]!;
    const body: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) body[keys[i]!] = row[FIRST_BODY_VALUE + i];
    const month = row[4] as number;
    let stamp: EventRecord["stamp"] = null;
    if (month !== 0) {
      stamp = { year: row[3] as number | null, month, day: row[5] as number, hour: row[6] as number, minute: row[7] as number, second: row[8] as number };
      if (row[9] !== null) stamp.utcOffsetMinutes = row[9] as number;
    }
    const level = row[11] as number;
    visit({
      t: "event",
      line: (row[1] as number) + lineBase,
      lines: row[2] as number,
      stamp,
      host: row[10] as string | null,
      level: level < 0 ? null : LEVELS[level]!,
      body: body as unknown as EventBody,
    });
  }
}
