import { readFileSync } from "node:fs";

/** The version from package.json, read at run time so it never drifts from the published one. */
export function packageVersion(): string {
  const url = new URL("../../../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(url, "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}
