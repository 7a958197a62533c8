// The detector's options from the command line, checked: a bad value is an error with a code,
// not an exception (the command reports it as UNKNOWN).
import { DEFAULT_DETECTOR, type DetectorOptions } from "./detector.js";
import type { AlertError } from "./errors.js";

export interface DetectorArgs {
  bucket: string;
  "min-count": number;
  warning: number;
  critical: number;
  factor: number;
  alpha: number;
  hold: number;
  chronic: string;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `30s`, `5m`, `1h` (whole numbers of seconds, minutes or hours) to milliseconds; null if not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*([smh])$/.exec(text.trim());
  if (match === null) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

export function detectorOptions(args: DetectorArgs): { options: DetectorOptions } | { error: AlertError } {
  const usage = (message: string) => ({ error: { code: "E_USAGE" as const, message } });
  const bucketMs = parseDuration(args.bucket);
  if (bucketMs === null) return usage(`--bucket: expected a duration such as 30s, 5m or 1h, got '${args.bucket}'`);
  for (const name of ["min-count", "warning", "critical", "hold"] as const) {
    if (!Number.isInteger(args[name]) || args[name] < 1) return usage(`--${name} takes a whole number, 1 or more`);
  }
  if (!(args.alpha > 0 && args.alpha <= 1)) return usage("--alpha takes a number above 0 and at most 1");
  if (!(Number.isFinite(args.factor) && args.factor >= 1)) return usage("--factor takes a number, 1 or more");
  if (args.warning > args.critical) return usage("--warning must not be above --critical");
  const chronicMs = parseDuration(args.chronic);
  if (chronicMs === null) return usage(`--chronic: expected a duration such as 30m or 1h, got '${args.chronic}'`);
  return {
    options: { ...DEFAULT_DETECTOR, bucketMs, minCount: args["min-count"], warning: args.warning, critical: args.critical, factor: args.factor, alpha: args.alpha, hold: args.hold, chronicMs },
  };
}
