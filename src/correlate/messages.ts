// What the log says about messages, per appliance: each message's recipients (`MID n ICID n RID
// r To: <address>`) and the connection delivering it (`Delivery start DCID n MID m`). Bounded:
// the oldest messages are forgotten first.
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
    this.recipients.delete(mid);
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
