// The --state file: per input where the last run stopped, and the detector's buckets, baseline
// and held counters, so that detection goes on across cron runs. Written atomically (a
// temporary file in the same directory, then rename): a run killed halfway leaves the old state.
import { open, readFile, rename, unlink, writeFile } from "node:fs/promises";
import type { FileCursor } from "../input/incremental.js";
import type { DetectorOptions, DetectorState } from "./detector.js";
import { describeFsError } from "../input/sources.js";
import { errorCodeOf, messageOf, type AlertError } from "./errors.js";

export const STATE_VERSION = 3;

export interface StateFile {
  version: typeof STATE_VERSION;
  /** The tool that wrote it, for people reading it. */
  writer: "esa-dane alert";
  cursors: FileCursor[];
  /** The options the detector state was built with: buckets of another size do not mix. */
  options: DetectorOptions;
  detector: DetectorState;
  /** Wall-clock time (ms) of the last run that read a new line: a feed silent for longer than --stale is dead. */
  newestLineReadAtMs: number | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The saved state, null when there is none yet (the first run), or why it cannot be used. */
export async function loadState(path: string): Promise<{ state: StateFile | null } | { error: AlertError }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (errorCodeOf(error) === "ENOENT") return { state: null };
    return { error: { code: "E_STATE_READ", input: path, message: messageOf(error) } };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: { code: "E_STATE_FORMAT", input: path, message: "not an esa-dane alert state file (not JSON)" } };
  }
  if (!isRecord(value) || typeof value.version !== "number") {
    return { error: { code: "E_STATE_FORMAT", input: path, message: "not an esa-dane alert state file" } };
  }
  if (value.version !== STATE_VERSION) {
    return { error: { code: "E_STATE_VERSION", input: path, message: `state file of version ${String(value.version)}, this esa-dane reads version ${STATE_VERSION}: remove it (the next run reads the inputs from their start)` } };
  }
  const cursorsOk = Array.isArray(value.cursors) && value.cursors.every((c) => isRecord(c) && typeof c.path === "string" && typeof c.offset === "number" && typeof c.ino === "number");
  if (value.writer !== "esa-dane alert" || !cursorsOk || !isRecord(value.options) || !isRecord(value.detector)) {
    return { error: { code: "E_STATE_FORMAT", input: path, message: "not an esa-dane alert state file (fields missing)" } };
  }
  return { state: value as unknown as StateFile };
}

export async function saveState(path: string, state: StateFile): Promise<AlertError | null> {
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    const handle = await open(temporary, "w", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(state)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
    return null;
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    return { code: "E_STATE_WRITE", input: path, message: `cannot write the state (${describeFsError(error)}): the next run will read the same lines again` };
  }
}

export interface StateLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCodeOf(error) === "EPERM";
  }
}

/**
 * Takes `STATE.lock` (created exclusively, holding the pid and the time), so that a cron run that
 * is still reading when the next one starts does not have both read the same lines and overwrite
 * each other's state. A lock whose process is gone (killed, rebooted) is taken over.
 */
export async function lockState(path: string): Promise<StateLock | { error: AlertError }> {
  const lockPath = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockPath, `${process.pid} ${new Date().toISOString()}\n`, { flag: "wx", mode: 0o600 });
      return { release: () => unlink(lockPath).catch(() => undefined) };
    } catch (error) {
      // A directory we cannot write to: the run goes on, and saving the state reports it (E_STATE_WRITE).
      if (errorCodeOf(error) !== "EEXIST") return { release: async () => undefined };
    }
    const holder = (await readFile(lockPath, "utf8").catch(() => "")).trim();
    const match = /^(\d+) (\S+)$/.exec(holder);
    const pid = match === null ? null : Number(match[1]);
    if (pid !== null && pid !== process.pid && isAlive(pid)) {
      return { error: { code: "E_STATE_LOCKED", input: path, message: `another esa-dane alert (pid ${pid}, since ${match![2]}) is using this state file; if it is not running, remove ${lockPath}` } };
    }
    // Left by a run that is gone (or unreadable): take it over.
    await unlink(lockPath).catch(() => undefined);
  }
  return { error: { code: "E_STATE_LOCKED", input: path, message: `could not take the lock ${lockPath}: another run took it at the same moment` } };
}
