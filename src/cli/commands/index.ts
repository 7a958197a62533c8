import { alertCommand } from "./alert.js";
import { deliveriesCommand } from "./deliveries.js";
import { parseCommand } from "./parse.js";
import { policyCommand } from "./policy.js";
import { reportCommand } from "./report.js";

// Each command module declares its options here and imports its implementation lazily in the handler.
export const commandModules = [reportCommand, deliveriesCommand, alertCommand, parseCommand, policyCommand] as const;
