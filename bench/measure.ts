// Runs an esa-dane CLI in this process and reports, on stderr at exit, its peak resident memory
// and the CPU time of the whole process (all threads: workers included, as getrusage counts them):
//   esa-dane-bench maxRSS=<KiB> userCPU=<µs> systemCPU=<µs>
// The CLI is any built checkout's `dist/src/cli/main.js`, so that the bench measures an older
// checkout (which has no such wrapper) exactly as it measures this one.
import { pathToFileURL } from "node:url";

const [cliPath, ...args] = process.argv.slice(2);
if (cliPath === undefined) {
  process.stderr.write("usage: measure.js <cli.js> [args..]\n");
  process.exit(1);
}
process.on("exit", () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\nesa-dane-bench maxRSS=${usage.maxRSS} userCPU=${usage.userCPUTime} systemCPU=${usage.systemCPUTime}\n`);
});
process.argv = [process.argv[0]!, cliPath, ...args];
await import(pathToFileURL(cliPath).href);
