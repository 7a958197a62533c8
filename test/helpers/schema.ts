// A hand-written check of the `esa-dane deliveries` NDJSON contract (section 3 of the reference).
const CLASS = ["secure", "insecure", "bogus", "unknown"];
const DECISIONS = ["dane-success", "dane-fail", "tls-fallback", "undetermined", "outside-table"];
const FLAGS = ["bogus", "resolver-fallback", "dane-success", "cached", "mismatch", "undetermined"];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?$/;
const FIELDS = ["host", "start", "end", "dcid", "mids", "domain", "mxHost", "ip", "evidence", "mode", "decisionByMode", "decision", "row", "observed", "flags", "resolvers", "source"];

export function attemptRecordErrors(value: unknown): string[] {
  const errors: string[] = [];
  const r = value as Record<string, unknown>;
  const need = (ok: boolean, what: string) => {
    if (!ok) errors.push(what);
  };
  need(typeof r === "object" && r !== null, "an object");
  if (errors.length > 0) return errors;
  need(JSON.stringify(Object.keys(r).sort()) === JSON.stringify([...FIELDS].sort()), `exactly the contract's fields, got ${Object.keys(r).join(",")}`);
  const nullableString = (k: string) => need(r[k] === null || typeof r[k] === "string", `${k}: string or null`);
  nullableString("host");
  nullableString("domain");
  nullableString("mxHost");
  nullableString("ip");
  nullableString("row");
  for (const k of ["start", "end"]) need(r[k] === null || (typeof r[k] === "string" && ISO.test(r[k] as string)), `${k}: ISO 8601 or null`);
  need(r["dcid"] === null || Number.isInteger(r["dcid"]), "dcid: number or null");
  need(Array.isArray(r["mids"]) && (r["mids"] as unknown[]).every(Number.isInteger), "mids: numbers");
  need(typeof r["domain"] !== "string" || r["domain"] === (r["domain"] as string).toLowerCase(), "domain: lower case");
  const e = r["evidence"] as Record<string, unknown>;
  need(typeof e === "object" && e !== null && JSON.stringify(Object.keys(e).sort()) === '["a","cert","mx","tlsa"]', "evidence: mx, a, tlsa, cert");
  if (typeof e === "object" && e !== null) {
    // mx and a may also be nxdomain (outside the table): esa-dane documents this extension.
    need([...CLASS, "nxdomain"].includes(e["mx"] as string), "evidence.mx");
    need([...CLASS, "nxdomain"].includes(e["a"] as string), "evidence.a");
    need([...CLASS, "nxdomain"].includes(e["tlsa"] as string), "evidence.tlsa");
    need(["success", "failed", "unknown"].includes(e["cert"] as string), "evidence.cert");
  }
  need(["mandatory", "opportunistic", "none", "unknown"].includes(r["mode"] as string), "mode");
  const byMode = r["decisionByMode"] as Record<string, unknown>;
  need(typeof byMode === "object" && byMode !== null && DECISIONS.includes(byMode["mandatory"] as string) && DECISIONS.includes(byMode["opportunistic"] as string), "decisionByMode");
  need([...DECISIONS, "not-applicable"].includes(r["decision"] as string), "decision");
  need(r["row"] === null || /^[MO]\d{1,2}$/.test(r["row"] as string), "row: M1..M15, O1..O14 or null");
  need(["dane-success", "tls", "tls-failed", "plaintext", "no-connection"].includes(r["observed"] as string), "observed");
  need(Array.isArray(r["flags"]) && (r["flags"] as unknown[]).every((f) => FLAGS.includes(f as string)), "flags");
  need(Array.isArray(r["resolvers"]) && (r["resolvers"] as unknown[]).every((x) => typeof x === "string"), "resolvers: strings");
  need(Array.isArray(r["source"]) && (r["source"] as unknown[]).every((x) => typeof x === "string" && /:\d+$/.test(x)), "source: file:line");
  return errors;
}
