// Log text in the exact line forms of the tech note and the public samples, for scenario tests:
// one lookup's query, response and encache lines; a delivery's connection lines. Times are
// seconds after Mon Mar 11 08:00:00 2024 (UTC: the header says offset 0).

export const HEADER = ["Mon Mar 11 08:00:00 2024 Info: Begin Logfile", "Mon Mar 11 08:00:00 2024 Info: Time offset from UTC: 0 seconds"];

export function at(seconds: number): string {
  const d = new Date(Date.UTC(2024, 2, 11, 8, 0, 0) + seconds * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()];
  return `${day} Mar ${String(d.getUTCDate()).padStart(2, " ")} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} 2024`;
}

export type Status = "secure" | "insecure" | "bogus" | "";

/** The four query lines of one lookup, at one resolver, then optionally more resolvers. */
export function queries(t: number, name: string, qtype: string, resolvers: string[], failed: string[] = []): string[] {
  const out = [`${at(t)} Debug: DNS query: Q('${name}', '${qtype}')`, `${at(t)} Debug: DNS query: QN('${name}', '${qtype}', 'recursive_nameserver0.parent')`];
  for (const resolver of resolvers) {
    out.push(`${at(t)} Debug: DNS query: QIP ('${name}', '${qtype}', '${resolver}', 60)`, `${at(t)} Debug: DNS query: Q ('${name}', '${qtype}', '${resolver}')`);
    if (failed.includes(resolver)) out.push(`${at(t)} Warning: Received an invalid DNS Response: SERVER FAILED to IP ${resolver} looking up ${name}`);
  }
  return out;
}

export function answer(t: number, name: string, qtype: string, values: string[], status: Status, ttl = 3600): string[] {
  const upper = status.toUpperCase() || "INSECURE";
  if (values.length === 0) return [`${at(t)} Debug: DNSSEC Response data([], ${status}, 0, ${ttl})`, `${at(t)} Debug: Received NODATA for domain ${name} type ${qtype}`];
  const data = qtype === "MX" ? values.map((v, i) => `(${(i + 1) * 10}, '${v}.')`).join(", ") : values.map((v) => `'${v}'`).join(", ");
  const cache = values.map((v, i) => `(8496573380345476L, 0, '${upper}', ${qtype === "MX" ? `(${(i + 1) * 10}, '${v}')` : `'${v}'`})`).join(", ");
  return [`${at(t)} Debug: DNSSEC Response data([${data}], ${status}, 0, ${ttl})`, `${at(t)} Debug: DNS encache (${name}, ${qtype}, [${cache}])`];
}

export function lookup(t: number, name: string, qtype: string, values: string[], status: Status, resolver = "10.0.0.53", ttl = 3600): string[] {
  return [...queries(t, name, qtype, [resolver]), ...answer(t, name, qtype, values, status, ttl)];
}

export function dns(t: number, domain: string, mx: string, ip: string, s: { mx: Status; a: Status; tlsa: Status | "nodata" | "none" }): string[] {
  const lines = [...lookup(t, domain, "MX", [mx], s.mx)];
  if (s.mx === "bogus") return lines;
  lines.push(...lookup(t + 1, mx, "A", [ip], s.a));
  if (s.tlsa === "none") return lines;
  lines.push(...lookup(t + 2, `_25._tcp.${mx}`, "TLSA", s.tlsa === "nodata" ? [] : ["030101aa"], s.tlsa === "nodata" ? "" : s.tlsa));
  return lines;
}

export function connection(t: number, dcid: number, mid: number, ip: string, forDomain: string | null, to: string): string[] {
  return [
    `${at(t)} Info: MID ${mid} ICID ${mid + 5000} RID 0 To: <${to}>`,
    `${at(t)} Info: New SMTP DCID ${dcid} interface 10.0.3.10 address ${ip} port 25`,
    `${at(t + 1)} Info: DCID ${dcid} TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES256-GCM-SHA384${forDomain ? ` for ${forDomain}` : ""}`,
    `${at(t + 1)} Info: Delivery start DCID ${dcid} MID ${mid} to RID [0]`,
    `${at(t + 2)} Info: Message done DCID ${dcid} MID ${mid} to RID [0]`,
    `${at(t + 2)} Info: MID ${mid} RID [0] Response '2.0.0 Ok: queued as X'`,
    `${at(t + 3)} Info: DCID ${dcid} close`,
  ];
}

export const log = (...parts: string[][]) => `${[...HEADER, ...parts.flat()].join("\n")}\n`;

/**
 * `count` DANE deliveries 20 s apart from `from` seconds, each to a domain of its own, with DCID
 * and MID `firstId`, `firstId + 1`, ...
 */
export function deliveryRun(from: number, count: number, firstId: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = firstId + i;
    const domain = `d${id}.example`;
    const ip = `198.51.${(id >> 8) & 255}.${id & 255}`;
    lines.push(...dns(from + i * 20, domain, `mx.${domain}`, ip, { mx: "secure", a: "secure", tlsa: "secure" }), ...connection(from + i * 20 + 5, id, id, ip, domain, `u@${domain}`));
  }
  return lines;
}
