// The log excerpts of Cisco's tech note (test/fixtures/tech-note/), out of its markdown: `**bold**` and `\_` escapes
// removed, prose dropped. What remains is fed to the reader as a copy of a log would be:
// wrapped lines, blank lines between parts, single-space day padding and all.
import { readdirSync, readFileSync } from "node:fs";
import { SEEDS } from "./cli.js";

const TIMESTAMP = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2}[ \u00a0]+\d{1,2} \d\d:\d\d:\d\d \d{4} /;
/** Continuations seen in the seeds: the rest of a wrapped DNS or TLS line. */
const CONTINUATION = /^(?:[[('\d]|data\(|DNSSEC_Error\(|ch\.mail|GCM-|[a-z0-9-]+(?:\.[a-z0-9-]+)+\)?$)/;

export function seedFiles(): string[] {
  return readdirSync(SEEDS).filter((f) => f.endsWith(".txt")).sort();
}

export function seedText(file: string): string {
  return readFileSync(`${SEEDS}${file}`, "utf8");
}

/** The log lines of a seed, with their wrapped continuations and the blank lines between. */
export function seedLog(file: string): string {
  const out: string[] = [];
  let inRecord = false;
  let blanks: string[] = [];
  for (const raw of seedText(file).split("\n")) {
    const line = raw.replace(/\*\*/g, "").replace(/\\_/g, "_").replace(/\s+$/, "");
    if (TIMESTAMP.test(line)) {
      out.push(line);
      inRecord = true;
      blanks = [];
    } else if (inRecord && line.trim() === "") {
      blanks.push("");
    } else if (inRecord && CONTINUATION.test(line.trim())) {
      out.push(...blanks, line);
      blanks = [];
    } else {
      inRecord = false;
      blanks = [];
    }
  }
  return `${out.join("\n")}\n`;
}
