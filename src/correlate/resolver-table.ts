// Per appliance and resolver: how often it was asked, how it answered, which lookups it failed
// and handed over to another resolver, and whether it looks unable to do DNSSEC (it answers
// Bogus or Insecure where another resolver answers Secure for the same name).
import type { DnsStatus } from "../events/types.js";
import type { ResolverStats } from "./types.js";

/** Per appliance and resolver: what it was asked and how it answered. */
export class ResolverTable {
  private readonly table = new Map<string, ResolverStats>();
  /** name|type -> resolver -> last status, to see resolvers disagree (bounded). */
  private readonly verdicts = new Map<string, Map<string, DnsStatus>>();
  private static readonly MAX_VERDICTS = 50_000;

  constructor(private readonly host: string | null) {}

  stats(ip: string): ResolverStats {
    let stats = this.table.get(ip);
    if (stats === undefined) {
      stats = {
        host: this.host,
        ip,
        queries: 0,
        failures: 0,
        answers: { secure: 0, insecure: 0, bogus: 0, nxdomain: 0, none: 0, other: 0 },
        fallbacksFrom: 0,
        fallbacksTo: 0,
        likelyNoDnssec: false,
        noDnssecReason: null,
      };
      this.table.set(ip, stats);
    }
    return stats;
  }

  recordAnswer(ip: string, key: string, status: DnsStatus): void {
    this.stats(ip).answers[status]++;
    if (status === "none" || status === "other") return;
    let byResolver = this.verdicts.get(key);
    if (byResolver === undefined) {
      if (this.verdicts.size >= ResolverTable.MAX_VERDICTS) this.verdicts.delete(this.verdicts.keys().next().value!);
      byResolver = new Map();
      this.verdicts.set(key, byResolver);
    }
    byResolver.set(ip, status);
  }

  /** The table with the DNSSEC verdict filled in. */
  finish(): ResolverStats[] {
    const contradicted = new Map<string, { count: number; by: Set<string> }>();
    for (const byResolver of this.verdicts.values()) {
      const secureBy = [...byResolver].filter(([, s]) => s === "secure").map(([ip]) => ip);
      if (secureBy.length === 0) continue;
      for (const [ip, status] of byResolver) {
        if (status !== "bogus" && status !== "insecure") continue;
        const entry = contradicted.get(ip) ?? { count: 0, by: new Set<string>() };
        entry.count++;
        for (const other of secureBy) entry.by.add(other);
        contradicted.set(ip, entry);
      }
    }
    const all = [...this.table.values()];
    const anySecure = all.some((r) => r.answers.secure > 0);
    for (const resolver of all) {
      const disagreement = contradicted.get(resolver.ip);
      const validated = resolver.answers.secure + resolver.answers.insecure + resolver.answers.bogus;
      if (disagreement !== undefined) {
        resolver.likelyNoDnssec = true;
        resolver.noDnssecReason = `answered Bogus or Insecure for ${disagreement.count} name(s) that ${[...disagreement.by].join(", ")} answered Secure`;
      } else if (resolver.answers.secure === 0 && resolver.answers.bogus > 0 && (anySecure || validated >= 3)) {
        resolver.likelyNoDnssec = true;
        resolver.noDnssecReason = `never answered Secure in ${validated} validated answers (${resolver.answers.bogus} Bogus)`;
      }
    }
    return all.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  }
}
