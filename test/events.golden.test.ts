// Golden outcomes of the input stage (prefix, grammar, typed event bodies), written before the
// grammar was rewritten to build the events itself (issue 13) and unchanged by it:
//  - every record of samples/ and of the public samples, as the reader classifies it;
//  - malformed lines of every modelled family (E_PARSE mid-line and at end of line, E_SHAPE)
//    and look-alikes of modelled heads that stay unknown;
//  - every modelled message of those files cut short at each word and punctuation boundary,
//    which walks each rule through all its error paths.
// A change here is a change of behaviour: review the diff of the golden file line by line.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyMessage, type MessageOutcome } from "../src/events/classify.js";
import { LineSplitter } from "../src/input/lines.js";
import { readPrefix } from "../src/input/prefix.js";
import { RecordReader, type ClassifiedRecord, type ReaderCounts } from "../src/input/records.js";
import { ROOT } from "./helpers/cli.js";

const SAMPLES = join(ROOT, "samples");
const PUBLIC = join(ROOT, "test", "fixtures", "public-samples");
const sources = [
  ...readdirSync(SAMPLES).filter((f) => !f.endsWith(".md")).sort().map((f) => ({ name: f, path: join(SAMPLES, f) })),
  ...readdirSync(PUBLIC).sort().map((f) => ({ name: f, path: join(PUBLIC, f) })),
];

function records(text: string): ClassifiedRecord[] {
  const counts: ReaderCounts = { logLines: 0, joined: 0, truncated: 0, invalidUtf8: 0, nulBytes: 0 };
  const out: ClassifiedRecord[] = [];
  const reader = new RecordReader(counts, (record) => out.push(record));
  const splitter = new LineSplitter((line, lineNo, flags) => reader.pushLine(line, lineNo, flags));
  splitter.push(text);
  splitter.end();
  reader.flush();
  return out;
}

/** One line per outcome, keys in the order the code builds them (JSON output keeps that order). */
function outcomeLine(outcome: MessageOutcome): string {
  return JSON.stringify(outcome);
}

/** One message of each shape (numbers and quoted text aside) of a modelled family in the sources. */
function modelledMessages(): string[] {
  const seen = new Map<string, string>();
  for (const { path } of sources) {
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const prefix = readPrefix(line.replace(/^[a-z_]+\t/, ""));
      if (prefix === null || "invalid" in prefix) continue;
      const message = line.replace(/^[a-z_]+\t/, "").slice(prefix.messageStart).replace(/\r$/, "");
      const shape = message.replace(/\d+/g, "0").replace(/'[^']*'/g, "''").replace(/<[^<>]*>/g, "<>");
      if (!seen.has(shape) && classifyMessage(message).type !== "unknown") seen.set(shape, message);
    }
  }
  return [...seen.values()];
}

/** The message cut before each space and each punctuation character. */
function truncations(message: string): string[] {
  const cuts: string[] = [];
  for (let i = 1; i < message.length; i++) {
    if (" ([,)]':<>".includes(message[i]!)) cuts.push(message.slice(0, i));
  }
  return cuts;
}

const ALL_KINDS = [
  "dns-query", "dns-response", "dns-encache", "dns-no-answer", "dns-no-cname", "dns-resolver-failure", "dnssec-error",
  "connection-new", "tls-success", "tls-failed", "connection-close", "connection-error", "delivery-start", "message-done",
  "delivery-response", "delivery-delayed", "delivery-bounced", "message-recipient", "message-sender", "message-start",
  "message-queued", "message-finished", "log-begin", "log-version", "time-offset",
] as const;

const malformedFixture = readFileSync(join(ROOT, "test", "fixtures", "malformed-lines.txt"), "utf8")
  .split("\n")
  .filter((line, i) => i > 0 && line !== "");

describe.each(sources)("records of $name", ({ name, path }) => {
  it("match their golden file", async () => {
    const lines = records(readFileSync(path, "utf8")).map((r) => JSON.stringify(r));
    await expect(`${lines.join("\n")}\n`).toMatchFileSnapshot(`golden/records/${name}.ndjson`);
  });
});

describe("typed events of every modelled family", () => {
  it("each event kind occurs in the samples, the public samples or the malformed-lines fixture", () => {
    const kinds = new Set<string>();
    for (const { path } of sources) for (const r of records(readFileSync(path, "utf8"))) if (r.t === "event") kinds.add(r.body.kind);
    for (const message of malformedFixture) {
      const outcome = classifyMessage(message);
      if (outcome.type === "event") kinds.add(outcome.body.kind);
    }
    expect([...ALL_KINDS].filter((k) => !kinds.has(k))).toEqual([]);
  });
});

describe("malformed lines", () => {
  it("match their golden outcomes", async () => {
    const lines = malformedFixture.map((message) => `${JSON.stringify(message)} ${outcomeLine(classifyMessage(message))}`);
    await expect(`${lines.join("\n")}\n`).toMatchFileSnapshot("golden/messages/malformed-lines.txt");
  });

  it("tell a line cut short (at end) from one that goes wrong inside", () => {
    expect(classifyMessage("DNS query: QIP ('ietf.org',")).toMatchObject({ type: "malformed", family: "dnsQuery", code: "E_PARSE", atEnd: true });
    expect(classifyMessage("DNS query: R('ietf.org', 'MX')")).toMatchObject({ type: "malformed", family: "dnsQuery", code: "E_PARSE", atEnd: false });
    expect(classifyMessage("DNSSEC Response data([(0, 'mail.ietf.org.')] , secure, 0, 1800) extra")).toMatchObject({ code: "E_PARSE", atEnd: false });
  });

  it("refuse values of the wrong shape with E_SHAPE", () => {
    expect(classifyMessage("DNS query: QIP ('ietf.org', 'MX', '194.191.40.84')")).toMatchObject({ code: "E_SHAPE", message: "QIP needs (name, type, resolver, timeout)" });
    expect(classifyMessage("DNS query: Q('ietf.org', 'MX', '194.191.40.84', 60)")).toMatchObject({ code: "E_SHAPE", message: "Q takes (name, type[, resolver])" });
    expect(classifyMessage("DNS encache (ietf.org, MX, [(8496573380345476L, 0, 'SECURE')])")).toMatchObject({ code: "E_SHAPE", message: "an encache entry is (stamp, n, 'STATUS', value)" });
    expect(classifyMessage("DNSSEC Response data([(0, 'mail.ietf.org.', 5)], secure, 0, 1800)")).toMatchObject({ code: "E_SHAPE", message: "expected (preference, 'host')" });
  });

  it("leave look-alikes of modelled heads unknown", () => {
    for (const message of ["MID 14 using engine: CASE spam negative", "DCID 30 close now", "Received 3 messages", "MID 14 queued", "DCID 30 using engine"]) {
      expect(classifyMessage(message)).toEqual({ type: "unknown" });
    }
  });
});

describe("modelled messages cut short at every boundary", () => {
  it("match their golden outcomes", async () => {
    const cuts = new Set<string>();
    for (const message of [...modelledMessages(), ...malformedFixture]) for (const cut of truncations(message)) cuts.add(cut);
    const lines = [...cuts].map((cut) => `${JSON.stringify(cut)} ${outcomeLine(classifyMessage(cut))}`);
    expect(lines.length).toBeGreaterThan(2000);
    await expect(`${lines.join("\n")}\n`).toMatchFileSnapshot("golden/messages/truncations.txt");
  });
});
