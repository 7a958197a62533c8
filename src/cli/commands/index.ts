import type { CommandModule } from "yargs";
import { alertCommand } from "./alert.js";
import { deliveriesCommand } from "./deliveries.js";
import { parseCommand } from "./parse.js";
import { policyCommand } from "./policy.js";
import { reportCommand } from "./report.js";

// Each command module declares its options here and imports its implementation lazily in the handler.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commandModules: CommandModule<any, any>[] = [reportCommand, deliveriesCommand, alertCommand, parseCommand, policyCommand];
