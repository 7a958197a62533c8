// Runs the built esa-dane binary (npm test builds it first) the way a user does.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));
/** Test inputs copied into the repository; each file's first line names where it came from. */
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
/** Real, public ESA log lines that nobody on the team wrote. */
export const PUBLIC_SAMPLES = `${FIXTURES}public-samples/`;
/** The log excerpts of Cisco's tech note 214794, one file per translation. */
export const SEEDS = `${FIXTURES}tech-note/`;

/**
 * The environment the CLI runs in under test: UTC, no colour. Without NODE_EXTRA_CA_CERTS, which
 * some CI sandboxes set: Node would load that certificate bundle at every start (about 90 ms
 * here, hundreds of times in this suite) for a tool that never opens a network connection.
 */
export const CLI_ENV: NodeJS.ProcessEnv = (() => {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: "UTC", NO_COLOR: "1" };
  delete env["NODE_EXTRA_CA_CERTS"];
  return env;
})();

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { input?: string | Buffer; cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input ?? "",
    env: { ...CLI_ENV, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

/** The binary, asynchronously, so that several runs go side by side (stdin closed at once). */
export function runCliAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: CLI_ENV, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}
