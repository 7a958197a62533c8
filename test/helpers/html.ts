// Reading back what `report --format html` wrote: the JSON its script works from, its inline blocks.
export function embeddedJson(page: string): unknown {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page);
  if (match === null) throw new Error("no report-data element in the page");
  return JSON.parse(match[1]!);
}

/** The contents of the page's inline <style> and executable <script> elements. */
export function inlineBlocks(page: string): { styles: string[]; scripts: string[] } {
  const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  return { styles, scripts };
}
