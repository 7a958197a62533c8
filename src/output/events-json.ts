// NDJSON form of parsed events (`esa-dane parse`): the event's fields with its time in ISO 8601.
import { formatInstant } from "../input/clock.js";
import type { LogEvent } from "../events/types.js";
import { jsonLine } from "./json.js";

export function eventToJson(event: LogEvent): string {
  const { time, utcKnown, ...rest } = event;
  const { kind, file, line, host, level, ...fields } = rest;
  return jsonLine({ kind, time: formatInstant(time, utcKnown), host, level, file, line, ...fields });
}
