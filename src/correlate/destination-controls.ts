// Per-domain DANE modes, as the appliance's Destination Controls set them. File format, one
// entry per line (`#` starts a comment):
//
//   default opportunistic        mode for domains no other line names
//   example.com mandatory        this domain only
//   .example.net none            every subdomain of example.net (not example.net itself)
//
// Modes: mandatory, opportunistic, none. The most specific entry wins.
import { normalName } from "./dns.js";
import type { ModeSetting } from "./types.js";

export interface DestinationControls {
  default: ModeSetting | null;
  exact: Map<string, ModeSetting>;
  /** Suffix entries, without the leading dot. */
  suffixes: Map<string, ModeSetting>;
}

export interface ControlsError {
  line: number;
  message: string;
}

const MODES = new Set(["mandatory", "opportunistic", "none"]);

export function parseDestinationControls(text: string): { controls: DestinationControls; errors: ControlsError[] } {
  const controls: DestinationControls = { default: null, exact: new Map(), suffixes: new Map() };
  const errors: ControlsError[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const words = line.split(/\s+/);
    const [domain, mode] = words;
    if (words.length !== 2 || domain === undefined || mode === undefined) {
      errors.push({ line: index + 1, message: `expected 'domain mode', found '${line}'` });
      return;
    }
    const modeName = mode.toLowerCase();
    if (!MODES.has(modeName)) {
      errors.push({ line: index + 1, message: `unknown mode '${mode}' (mandatory, opportunistic or none)` });
      return;
    }
    const name = normalName(domain);
    if (name === "default") controls.default = modeName as ModeSetting;
    else if (name.startsWith(".")) controls.suffixes.set(name.slice(1), modeName as ModeSetting);
    else controls.exact.set(name, modeName as ModeSetting);
  });
  return { controls, errors };
}

/** The mode for a domain: exact entry, else the longest matching suffix, else the default. */
export function modeFor(controls: DestinationControls | undefined, domain: string | null, fallback: ModeSetting): ModeSetting {
  if (controls === undefined) return fallback;
  if (domain !== null) {
    const exact = controls.exact.get(domain);
    if (exact !== undefined) return exact;
    let dot = domain.indexOf(".");
    while (dot >= 0) {
      const suffix = controls.suffixes.get(domain.slice(dot + 1));
      if (suffix !== undefined) return suffix;
      dot = domain.indexOf(".", dot + 1);
    }
  }
  return controls.default ?? fallback;
}
