// The one JSON writer: every JSON and NDJSON output goes through here, so that log text in it is
// escaped the same way everywhere (escapeJsonText: characters a terminal would act on become \uXXXX).
import { escapeJsonText } from "./escape.js";

/** One value on one line (NDJSON), without the newline. */
export function jsonLine(value: unknown): string {
  return escapeJsonText(JSON.stringify(value));
}

/** A JSON document for people and machines alike: indented, with a final newline. */
export function jsonDocument(value: unknown): string {
  return `${escapeJsonText(JSON.stringify(value, null, 2))}\n`;
}
