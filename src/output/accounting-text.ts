// The accounting every command ends with: per input, lines read = parsed + unknown + malformed.
import Table from "cli-table3";
import { totalStats, type FileStats } from "../input/accounting.js";
import { escapeTerminal } from "./escape.js";

export function accountingJson(files: readonly FileStats[]): { files: FileStats[]; total: FileStats } {
  return { files: [...files], total: totalStats(files) };
}

export function accountingTable(files: readonly FileStats[]): string {
  const table = new Table({
    head: ["input", "read", "parsed", "unknown", "malformed", "joined", "truncated", "bad UTF-8", "NUL"],
    style: { head: [], border: [], compact: true },
    colAligns: ["left", "right", "right", "right", "right", "right", "right", "right", "right"],
  });
  const rows = files.length > 1 ? [...files, totalStats(files)] : files;
  for (const f of rows) {
    table.push([escapeTerminal(f.file) + (f.error ? ` (${escapeTerminal(f.error)})` : ""), f.read, f.parsed, f.unknown, f.malformed, f.joined, f.truncated, f.invalidUtf8, f.nulBytes]);
  }
  return `${table.toString()}\n`;
}
