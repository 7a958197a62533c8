// Lines whose shape the grammar must accept even where their text differs from the public
// samples: the reference asks to parse the general shape and never to demand exact text.
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../src/events/types.js";
import { readText } from "../src/input/read.js";

function read(text: string) {
  const events: LogEvent[] = [];
  const malformed: string[] = [];
  const stats = readText(text, "shapes", {}, { event: (e) => events.push(e), malformed: (m) => malformed.push(`${m.code} ${m.text}`) });
  return { events, malformed, stats };
}

describe("addresses without angle brackets (a posted real log)", () => {
  it("reads `To: ******@domainsample2.com` as the recipient", () => {
    const { events, malformed } = read("Mon Feb  4 20:08:47 2019 Info: MID 14 ICID 14 RID 0 To: ******@domainsample2.com\n");
    expect(malformed).toEqual([]);
    expect(events[0]).toMatchObject({ kind: "message-recipient", mid: 14, icid: 14, rid: 0, to: "******@domainsample2.com" });
  });

  it("reads `From: ******@domainsample1.com` as the sender", () => {
    const { events, malformed } = read("Mon Feb  4 20:08:47 2019 Info: MID 14 ICID 14 From: ******@domainsample1.com\n");
    expect(malformed).toEqual([]);
    expect(events[0]).toMatchObject({ kind: "message-sender", mid: 14, icid: 14, from: "******@domainsample1.com" });
  });

  it("still strips the brackets of the bracketed form, and reads the empty sender of a bounce", () => {
    const { events, malformed } = read(
      "Mon Feb  4 20:08:47 2019 Info: MID 64855 ICID 3160 RID 0 To: <matthew@cisco.com>\nMon Feb  4 20:08:47 2019 Info: MID 64856 ICID 3160 From: <>\n",
    );
    expect(malformed).toEqual([]);
    expect(events.map((e) => (e.kind === "message-recipient" ? e.to : e.kind === "message-sender" ? e.from : null))).toEqual(["matthew@cisco.com", ""]);
  });

  it("reads a bare certificate name after `TLS success CN:`", () => {
    const { events, malformed } = read("Mon Feb  4 20:08:47 2019 Info: DCID 33 TLS success CN: eq-c601.ironport.com\n");
    expect(malformed).toEqual([]);
    expect(events[0]).toMatchObject({ kind: "tls-success", dcid: 33 });
  });
});
