// A reader that goes away (`esa-dane parse | head -1`) is not an error: like grep and jq,
// esa-dane stops reading and exits quietly as soon as its standard output is closed.

/** Installs the handler once, at start-up: every command's writes go through process.stdout. */
export function exitQuietlyWhenStdoutCloses(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    throw error;
  });
}
