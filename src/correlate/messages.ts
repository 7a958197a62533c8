// What the log says about messages, per appliance: each message's recipients (`MID n ICID n RID
// r To: <address>`), the connection delivering it (`Delivery start DCID n MID m`), and which
// messages wait in the delivery queue for each recipient domain (`MID n queued for delivery`
// until `Message done`, a bounce or `Message finished`): an attempt without connection is for
// them. Bounded: the oldest messages are forgotten first.
import { normalName } from "./dns.js";

const MAX_REMEMBERED_MESSAGES = 200_000;

export function domainOfAddress(address: string): string | null {
  const at = address.lastIndexOf("@");
  if (at < 0 || at === address.length - 1) return null;
  return normalName(address.slice(at + 1));
}

export class Messages {
  /** MID -> RID -> recipient address. */
  private readonly recipients = new Map<number, Map<number, string>>();
  private readonly dcids = new Map<number, number>();
  /** Recipient domain -> queued MID -> when it was queued. */
  private readonly queued = new Map<string, Map<number, number | null>>();
  private queuedCount = 0;

  get size(): number {
    return this.recipients.size;
  }

  get deliveringSize(): number {
    return this.dcids.size;
  }

  recipient(mid: number, rid: number, address: string): void {
    let byRid = this.recipients.get(mid);
    if (byRid === undefined) {
      if (this.recipients.size >= MAX_REMEMBERED_MESSAGES) this.recipients.delete(this.recipients.keys().next().value!);
      byRid = new Map();
      this.recipients.set(mid, byRid);
    }
    byRid.set(rid, address);
  }

  recipientOf(mid: number, rid: number): string | undefined {
    return this.recipients.get(mid)?.get(rid);
  }

  finished(mid: number): void {
    this.dequeue(mid);
    this.recipients.delete(mid);
  }

  /** `MID n queued for delivery`: the message waits for each of its recipients' domains. */
  enqueue(mid: number, atMs: number | null): void {
    const byRid = this.recipients.get(mid);
    if (byRid === undefined) return;
    for (const address of byRid.values()) {
      const domain = domainOfAddress(address);
      if (domain === null) continue;
      let mids = this.queued.get(domain);
      if (mids === undefined) this.queued.set(domain, (mids = new Map()));
      if (!mids.has(mid)) {
        if (this.queuedCount >= MAX_REMEMBERED_MESSAGES) this.forgetOldestQueued();
        this.queuedCount++;
      }
      mids.set(mid, atMs);
    }
  }

  /** The message left the queue (delivered, bounced, finished). */
  dequeue(mid: number): void {
    const byRid = this.recipients.get(mid);
    if (byRid === undefined) return;
    for (const address of byRid.values()) {
      const domain = domainOfAddress(address);
      const mids = domain === null ? undefined : this.queued.get(domain);
      if (mids === undefined || !mids.delete(mid)) continue;
      this.queuedCount--;
      if (mids.size === 0) this.queued.delete(domain!);
    }
  }

  /** The messages queued for `domain` by `atMs` and still waiting, in MID order. */
  queuedFor(domain: string, atMs: number | null): number[] {
    const mids = this.queued.get(domain);
    if (mids === undefined) return [];
    const out: number[] = [];
    for (const [mid, queuedMs] of mids) if (atMs === null || queuedMs === null || queuedMs <= atMs) out.push(mid);
    return out.sort((a, b) => a - b);
  }

  private forgetOldestQueued(): void {
    const [domain, mids] = this.queued.entries().next().value!;
    const mid = mids.keys().next().value!;
    mids.delete(mid);
    this.queuedCount--;
    if (mids.size === 0) this.queued.delete(domain);
  }

  deliveredBy(mid: number, dcid: number): void {
    this.dcids.set(mid, dcid);
  }

  dcidOf(mid: number): number | undefined {
    return this.dcids.get(mid);
  }

  /** The connection closed: its messages are no longer being delivered by it. */
  connectionClosed(mids: readonly number[], dcid: number): void {
    for (const mid of mids) if (this.dcids.get(mid) === dcid) this.dcids.delete(mid);
  }
}
