// What `report --format html` gathers besides the per-domain rows: the time line (with the alert
// episodes) and each row's latest attempts; then the page.
import type { BogusDetector } from "../alert/detector.js";
import type { Attempt, DnsLookup } from "../correlate/types.js";
import type { ReportData } from "./aggregate.js";
import { renderHtml } from "./html.js";
import { AttemptSamples, pageData } from "./html-data.js";
import { TimelineBuilder } from "./timeline.js";

export class HtmlReportBuilder {
  private readonly timeline: TimelineBuilder;
  private readonly samples: AttemptSamples;

  /** `detector`: the report's Bogus detector, fed the same lookups (see TimelineBuilder). */
  constructor(by: "domain" | "mx", bucketMs: number, detector?: BogusDetector) {
    this.timeline = new TimelineBuilder(bucketMs, detector);
    this.samples = new AttemptSamples(by);
  }

  addAttempt(attempt: Attempt): void {
    this.timeline.addAttempt(attempt);
    this.samples.add(attempt);
  }

  addLookup(lookup: DnsLookup): void {
    this.timeline.addLookup(lookup);
  }

  render(report: ReportData): string {
    const timeline = this.timeline.finish();
    return renderHtml(report, pageData(report, timeline, this.samples), timeline);
  }
}
