// Real public ESA lines that nobody on the team wrote: every line is accounted for, none of a
// modelled family comes out malformed, and the events match golden files (reviewed by hand).
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../src/events/types.js";
import { readText } from "../src/input/read.js";
import { eventToJson } from "../src/output/events-json.js";
import { PUBLIC_SAMPLES } from "./helpers/cli.js";

const files = readdirSync(PUBLIC_SAMPLES).filter((f) => f.endsWith(".log")).sort();

function read(name: string, text = readFileSync(`${PUBLIC_SAMPLES}${name}`, "utf8")) {
  const events: LogEvent[] = [];
  const malformed: string[] = [];
  const unknownFamilies: string[] = [];
  const stats = readText(text, name, {}, {
    event: (e) => events.push(e),
    malformed: (m) => malformed.push(`${m.line}: ${m.code} ${m.text}`),
    unknown: (u) => unknownFamilies.push(u.family),
  });
  return { events, malformed, stats, unknownFamilies };
}

describe.each(files)("%s", (name) => {
  const { events, malformed, stats } = read(name);
  it("accounts for every line, and none is malformed", () => {
    const lines = readFileSync(`${PUBLIC_SAMPLES}${name}`, "utf8").split("\n");
    const physical = lines[lines.length - 1] === "" ? lines.length - 1 : lines.length;
    expect(stats.read).toBe(physical);
    expect(stats.read).toBe(stats.parsed + stats.unknown + stats.malformed);
    expect(malformed).toEqual([]);
  });
  it("matches its golden events", async () => {
    await expect(events.map(eventToJson).join("\n") + "\n").toMatchFileSnapshot(`golden/public-samples/${name}.ndjson`);
  });
});

function only<K extends LogEvent["kind"]>(events: LogEvent[], kind: K): Extract<LogEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<LogEvent, { kind: K }> => e.kind === kind);
}

describe("delivery lines of the public samples", () => {
  const cribl = read("criblpacks-cribl-cisco-esa-mailtext.log").events;
  const ironport = read("ironport-tools-spamtowho-comments.log").events;
  const help = read("cisco-sma-help-sample-text-mail-log.log").events;

  it("reads the file header, and times lines after the Time offset in UTC", () => {
    expect(cribl.slice(0, 3).map((e) => e.kind)).toEqual(["log-begin", "log-version", "time-offset"]);
    expect(cribl[1]).toMatchObject({ version: "7.6.3-019", serial: "420D4FEA709365BFB3E3-0AF2EE5E700E" });
    expect(cribl[2]).toMatchObject({ seconds: -21600 });
    // Wed Nov 19 09:16:46 2014 at UTC-6 is 15:16:46Z.
    expect(eventToJson(cribl[0]!)).toContain('"time":"2014-11-19T15:16:46Z"');
  });

  it("reads New SMTP DCID with and without the port", () => {
    expect(only(help, "connection-new")[0]).toMatchObject({ dcid: 8, interface: "192.168.42.42", address: "10.5.3.25", port: null });
    expect(only(ironport, "connection-new")[0]).toMatchObject({ dcid: 1, interface: "172.19.0.21", address: "72.14.205.27", port: 25 });
  });

  it("reads Delivery start and Message done in both RID forms and with suffixes", () => {
    expect(only(help, "delivery-start")[0]).toMatchObject({ dcid: 8, mid: 6, rids: [0], suffix: null });
    expect(only(ironport, "delivery-start")[0]).toMatchObject({ dcid: 4901127, mid: 10288263, rids: [0] });
    expect(only(ironport, "message-done")[0]).toMatchObject({ dcid: 3312, mid: 4806, rids: [0] });
    expect(only(cribl, "message-done").find((e) => e.suffix === "(external quarantine)")).toMatchObject({ dcid: 6565554, mid: 24611414 });
    expect(only(cribl, "delivery-start").find((e) => e.suffix !== null)?.suffix).toBe("to offbox IronPort Spam Quarantine");
  });

  it("reads Response lines, quoted and bare", () => {
    expect(only(cribl, "delivery-response")[0]).toMatchObject({ mid: 24611465, rids: [0], response: "2.0.0 Ok: queued as 3jjSKc6HnKz4GTHJ" });
    expect(only(ironport, "delivery-response")[0]).toMatchObject({ mid: 5911872, response: "ok 1083092729 qp 3998" });
  });

  it("reads the message lines that name recipients", () => {
    expect(only(help, "message-recipient")[0]).toMatchObject({ mid: 6, icid: 5, rid: 0, to: "mary@yourdomain.com" });
    expect(only(help, "message-start")[0]).toMatchObject({ mid: 6, icid: 5 });
    expect(only(help, "message-sender")[0]).toMatchObject({ mid: 6, icid: 5, from: "sender@remotehost.com" });
    expect(only(cribl, "message-finished")[0]).toMatchObject({ mid: 24611465, outcome: "done" });
    expect(only(cribl, "message-queued").length).toBeGreaterThan(10);
  });

  it("reads TLS lines and close", () => {
    expect(only(ironport, "tls-success")[0]).toMatchObject({ dcid: 33, protocol: null, cipher: null, daneDomain: null });
    expect(only(help, "connection-close")[0]).toMatchObject({ dcid: 8 });
  });

  it("reads Connection Error, Delayed and Bounced in their old and new forms", () => {
    const errors = only(ironport, "connection-error");
    expect(errors[0]).toMatchObject({ dcid: 2804, ip: "69.59.158.5", details: "timeout", interface: "10.20.1.49", reason: null });
    expect(errors[1]).toMatchObject({ dcid: 263, ip: "128.242.110.90", details: "EOF", reason: "network error" });
    expect(only(ironport, "delivery-delayed")[0]).toMatchObject({ dcid: 4370, mid: 10800, rid: 0, dsn: "4.4.0", text: "Other network problem", smtpCode: "000", smtpLines: ["[Errno 54] Connection reset by peer"] });
    const bounced = only(ironport, "delivery-bounced");
    expect(bounced[0]).toMatchObject({ dcid: 1911, mid: 3993, rid: 0, dsn: "5.1.0", smtpCode: "554", smtpLines: ["Too long line."] });
    expect(bounced[1]).toMatchObject({ dcid: 0, mid: 8, rid: 0, dsn: "5.1.2", text: "Bad destination host", smtpLines: ["DNS Hard Error looking up BMQ-WIN.RUN (MX):  NXDomain"] });
    const elastic = only(read("elastic-integrations-sample-bounces.log").events, "delivery-bounced");
    expect(elastic[0]).toMatchObject({ dcid: 2, mid: 15232, from: "example.com", to: "example.com", rid: 0, dsn: "5.1.0", smtpCode: "550" });
    expect(elastic[0]?.smtpLines).toHaveLength(4);
    // The synthetic `Bounced: 123:123 From:<example.com> To:<example.com>`: the shape, not the numbers.
    expect(elastic[1]).toMatchObject({ dcid: null, mid: null, from: "example.com", to: "example.com", dsn: null });
  });

  it("reads the resolver failures of the system log samples", () => {
    const system = read("elastic-integrations-test-common-system.log").events;
    expect(only(system, "dns-resolver-failure")).toMatchObject([
      { reason: "[Errno 51] Network is unreachable", resolver: "dummy_ip", name: "" },
      { reason: "", resolver: "dummy_ip", name: "example.de" },
    ]);
    expect(system[0]).toMatchObject({ level: "Warning", time: expect.any(Number) });
  });
});

describe("the sc4s test strings, with their list-name column removed", () => {
  const text = readFileSync(`${PUBLIC_SAMPLES}sc4s-test_cisco_esa.log`, "utf8")
    .split("\n")
    .map((line) => line.replace(/^[a-z_]+\t/, ""))
    .join("\n");
  const { events, malformed } = read("sc4s", text);
  it("reads the DANE success line and the syslog forms", () => {
    expect(malformed).toEqual([]);
    expect(only(events, "tls-success")[0]).toMatchObject({ dcid: 112095, protocol: "TLSv1", cipher: "AES128-SHA", daneDomain: "dummy_domain.com" });
    const versions = only(events, "log-version");
    expect(versions.find((e) => e.host === "dummy_source_Domain2")).toMatchObject({ version: "8.7.2-001" });
    expect(versions.find((e) => e.host === "7.37.118.246")).toMatchObject({ version: "8.7.2-004" });
    expect(only(events, "time-offset")[0]).toMatchObject({ seconds: 19207 });
    expect(only(events, "dns-resolver-failure")[0]).toMatchObject({ resolver: "104.244.72.10", name: "smtprdns3.werschreitdersiegt.de" });
  });
});
