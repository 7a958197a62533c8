// Why `esa-dane alert` could not give a verdict (or not a complete one): errors as data, each
// with a stable code that scripts may test, and the UNKNOWN state of the monitoring plugin.

export type AlertErrorCode =
  /** A bad option value (a usage error is UNKNOWN too, per the monitoring-plugin guidelines). */
  | "E_USAGE"
  /** An input could not be opened or read to its end (the others are still read). */
  | "E_INPUT"
  /** The destination controls file could not be read or has bad lines. */
  | "E_DEST_CONTROLS"
  /** The --state file could not be read, is not a state file, or is of another version. */
  | "E_STATE_READ"
  | "E_STATE_FORMAT"
  | "E_STATE_VERSION"
  /** The --state file could not be written: the next run would read the same lines again. */
  | "E_STATE_WRITE"
  /** Another run is using the --state file (its lock file names a live process). */
  | "E_STATE_LOCKED"
  /** A dead feed: no log line at all, or with --state none new for longer than --stale. */
  | "E_NO_LINES"
  | "E_STALE"
  | "E_INTERNAL";

export interface AlertError {
  code: AlertErrorCode;
  message: string;
  /** The file concerned, if one is. */
  input?: string;
}

export function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
