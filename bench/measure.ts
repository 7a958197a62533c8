// Runs the esa-dane CLI in this process and reports its peak resident memory on stderr at exit
// (`maxRSS=<KiB>`), so the benchmark measures the real command without an external `time -v`.
import { pathToFileURL } from "node:url";

const [cliPath, ...args] = process.argv.slice(2);
if (cliPath === undefined) {
  process.stderr.write("usage: measure.js <cli.js> [args..]\n");
  process.exit(1);
}
process.on("exit", () => process.stderr.write(`maxRSS=${process.resourceUsage().maxRSS}\n`));
process.argv = [process.argv[0]!, cliPath, ...args];
await import(pathToFileURL(cliPath).href);
