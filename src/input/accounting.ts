// The promise that nothing is lost: per input, every physical line is counted once as parsed,
// unknown (a line shape esa-dane does not model) or malformed (a modelled shape that did not fit).

export interface FileStats {
  file: string;
  read: number;
  parsed: number;
  unknown: number;
  malformed: number;
  /** Lines without a prefix joined onto the record before them (counted with that record). */
  joined: number;
  /** Lines that start with a log-line prefix (the others are blank, comments or not log text). */
  logLines: number;
  /** Lines cut at 64 KiB. */
  truncated: number;
  /** Lines with bytes that are not UTF-8 (shown as U+FFFD; a literal U+FFFD counts too). */
  invalidUtf8: number;
  /** Lines that had NUL bytes (removed). */
  nulBytes: number;
  /** Why the input could not be read to its end, if it could not. */
  error: string | null;
}

export function newFileStats(file: string): FileStats {
  return { file, read: 0, parsed: 0, unknown: 0, malformed: 0, logLines: 0, joined: 0, truncated: 0, invalidUtf8: 0, nulBytes: 0, error: null };
}

const COUNTS = ["read", "parsed", "unknown", "malformed", "logLines", "joined", "truncated", "invalidUtf8", "nulBytes"] as const;

export function totalStats(files: readonly FileStats[]): FileStats {
  const total = newFileStats("(total)");
  for (const file of files) for (const key of COUNTS) total[key] += file[key];
  total.error = files.some((f) => f.error !== null) ? "some inputs could not be read" : null;
  return total;
}
