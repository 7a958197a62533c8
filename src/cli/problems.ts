// Problems as data: every way a command can fail has a stable code, and this module alone turns
// a problem into an exit status and a line on stderr. Helpers throw a CliProblem or return
// problems; they never print and never exit.
import { escapeTerminal } from "../output/escape.js";

export type ProblemCode =
  /** A bad option value or a missing input: exit 1 (3 for alert, the monitoring-plugin UNKNOWN). */
  | "E_USAGE"
  /** An input could not be opened or read to its end (the others are still read): exit 2. */
  | "E_INPUT"
  /** Inputs were read but none had a single log line (empty, binary, another kind of file): exit 2. */
  | "E_NO_LOG_LINES"
  /** The destination controls file could not be read or has bad lines: a usage error. */
  | "E_DEST_CONTROLS"
  /** --output could not be written. */
  | "E_OUTPUT"
  | "E_INTERNAL";

export interface Problem {
  code: ProblemCode;
  message: string;
  /** The file concerned, if one is. */
  input?: string | undefined;
}

/** A problem thrown through the layers of a command to main, which reports it. */
export class CliProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

export function usageProblem(message: string): CliProblem {
  return new CliProblem({ code: "E_USAGE", message });
}

/** Exit status of a problem: 0 done, 1 bad usage, 2 an input could not be read (alert: 3 UNKNOWN for all). */
export function exitStatusOf(code: ProblemCode, command: string | undefined): number {
  if (command === "alert") return 3;
  switch (code) {
    case "E_INPUT":
    case "E_NO_LOG_LINES":
      return 2;
    default:
      return 1;
  }
}

/** The exit status of several problems: a usage problem outweighs an unreadable input. */
export function exitStatusOfAll(problems: readonly Problem[], command: string | undefined): number {
  let status = 0;
  for (const problem of problems) {
    const next = exitStatusOf(problem.code, command);
    if (status === 0 || next === 1) status = next;
  }
  return status;
}

const COMMANDS = ["report", "deliveries", "alert", "parse", "policy"];

/** The command named on the command line, if it is one (`policy explain` for the subcommand), for messages and exit status. */
export function commandOf(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith("-"));
  const command = words[0];
  if (command === undefined || !COMMANDS.includes(command)) return undefined;
  return command === "policy" && words[1] === "explain" ? "policy explain" : command;
}

const MAX_MESSAGE = 300;

/** One line on stderr per problem; usage problems point to the command's own help. */
export function problemText(problem: Problem, command: string | undefined, severity: "error" | "warning" = "error"): string {
  const who = command === undefined ? "esa-dane" : `esa-dane ${command}`;
  const label = severity === "warning" ? "warning: " : "";
  const where = problem.input !== undefined ? `${escapeTerminal(problem.input)}: ` : "";
  // One line, even when the message quotes a long line of a file.
  const flat = problem.message.replace(/\s*\n\s*/g, " ");
  const message = flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}…` : flat;
  const hint = severity === "error" && (problem.code === "E_USAGE" || problem.code === "E_DEST_CONTROLS") ? `\nRun '${who} --help' for usage.` : "";
  return `${who}: ${label}${where}${escapeTerminal(message)}${hint}\n`;
}

/** A warning: something the user should know, that does not change the exit status by itself. */
export function warningText(problem: Problem, command: string | undefined): string {
  return problemText(problem, command, "warning");
}
