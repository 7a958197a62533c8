// The page's style sheet and its one script, as text. The script only reads the page's JSON and
// builds the domains table with textContent (never innerHTML): log text stays text. The page's
// Content-Security-Policy allows exactly these two blocks, by hash, and nothing from elsewhere.

export const PAGE_STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:12px 20px 40px;max-width:1400px;color:#1b1b1b;background:#fff}
h1{font-size:22px;margin:4px 0}h2{font-size:18px;margin:26px 0 8px;border-bottom:1px solid #ddd}
.span{color:#444;margin:2px 0 8px}.verdict{background:#f6f6f6;border-left:4px solid #c62828;padding:6px 12px;margin:8px 0}
.verdict.ok{border-left-color:#2e7d32}.verdict p{margin:6px 0}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#666}.bad{color:#b71c1c;font-weight:600}
#timeline-chart{width:100%;height:auto;display:block}.break{stroke:#888;stroke-dasharray:3 3}
.panel-title{font-size:13px;font-weight:600;fill:#333}.tick{font-size:11px;fill:#555}.axis{stroke:#999}.grid{stroke:#eee}
.hover{fill:transparent}.hover:hover{fill:rgba(0,0,0,.08)}
.episode{opacity:.22}.episode-strip{cursor:help}.ep-warning{fill:#f9a825;background:#f9a825}.ep-critical{fill:#c62828;background:#c62828}
.s-ok{fill:#2e7d32;background:#2e7d32}.s-fallback{fill:#1565c0;background:#1565c0}.s-fail{fill:#c62828;background:#c62828}
.s-undetermined{fill:#f9a825;background:#f9a825}.s-other{fill:#9e9e9e;background:#9e9e9e}
.s-bmx{fill:#6a1b9a;background:#6a1b9a}.s-ba{fill:#ad1457;background:#ad1457}.s-baaaa{fill:#ef6c00;background:#ef6c00}.s-btlsa{fill:#4e342e;background:#4e342e}
.s-failure{fill:#d84315;background:#d84315}.s-retry{fill:#00838f;background:#00838f}
.legend{list-style:none;padding:0;margin:4px 0;font-size:12px}.legend li{margin:2px 0}
.swatch{display:inline-block;width:10px;height:10px;margin:0 3px 0 8px;vertical-align:baseline}
.controls{margin:6px 0 8px;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
#domains-table th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}
#domains-table th[aria-sort=ascending] button::after{content:" \\25B2"}#domains-table th[aria-sort=descending] button::after{content:" \\25BC"}
#domains-table tbody tr.domain{cursor:pointer}#domains-table tbody tr.domain:hover{background:#f3f7fb}
tr.open{background:#eef3f8}table.attempts{font-size:12px}table.attempts td:first-child{white-space:nowrap}tr.detail>td{background:#fafafa;padding:8px 12px 14px}
.problem{display:inline-block;padding:0 5px;margin:0 3px 1px 0;border-radius:3px;font-size:11px;background:#eee}
.p-dane-fail,.p-bogus{background:#ffcdd2}.p-mismatch,.p-outside-table{background:#ffe0b2}.p-undetermined{background:#fff9c4}.p-resolver-fallback{background:#e1f5fe}
.episodes li{margin:4px 0}.name{overflow-wrap:anywhere}#domains-table td.name{min-width:14em}#domains-table td.muted{white-space:nowrap}
`;

export const PAGE_SCRIPT = `
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const col = (names) => Object.fromEntries(names.map((n, i) => [n, i]));
  const D = col(data.domainColumns), A = col(data.attemptColumns);
  const table = document.getElementById("domains-table");
  const tbody = table.tBodies[0];
  const nameBox = document.getElementById("filter-name");
  const problemBox = document.getElementById("filter-problem");
  const countBox = document.getElementById("domains-shown");
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  const bogus = (d) => d[D["bogus-mx"]] + d[D["bogus-a"]] + d[D["bogus-tlsa"]];
  // Column key -> [sort value, cell]; "rank" is the report's own order (problems first).
  const cells = {
    name: (d) => el("td", d[D.name], "name"),
    problems: (d) => { const td = el("td"); for (const p of d[D.problems]) td.append(el("span", p, "problem p-" + p)); return td; },
    "bogus": (d) => el("td", d[D["bogus-mx"]] + "/" + d[D["bogus-a"]] + "/" + d[D["bogus-tlsa"]], bogus(d) > 0 ? "n bad" : "n"),
    "mx-hosts": (d) => el("td", d[D["mx-hosts"]].join(" ") + (d[D["mx-hosts-capped"]] ? " \\u2026" : ""), "name muted"),
    "last-seen": (d) => el("td", d[D["last-seen"]], "muted"),
  };
  const sortValue = (key, d, i) => key === "rank" || key === "problems" ? i : key === "bogus" ? bogus(d) : key === "mx-hosts" ? d[D["mx-hosts"]].join(" ") : d[D[key]];
  const keys = [...table.tHead.querySelectorAll("th")].map((th) => th.dataset.key);
  // Rows are built when first shown: a page of thousands of domains lays out a few hundred.
  const rowElement = (row) => {
    if (row.tr) return row.tr;
    const tr = el("tr", null, "domain");
    tr.tabIndex = 0;
    tr.dataset.index = String(row.i);
    for (const key of keys) {
      const td = cells[key] ? cells[key](row.d) : el("td", row.d[D[key]], "n");
      if (!cells[key] && row.d[D[key]] > 0 && (key === "dane-fail" || key === "mismatches")) td.className = "n bad";
      tr.append(td);
    }
    return (row.tr = tr);
  };
  const rows = data.domains.map((d, i) => ({ d, i, tr: null, detail: null }));

  const sourceText = (a) => a[A.source].map(([f, from, to]) => data.sourceFiles[f] + ":" + from + (to > from ? "-" + to : "")).join(" ") + (a[A["source-more"]] ? " (+" + a[A["source-more"]] + " more)" : "");
  const detailOf = (row) => {
    const { d, i } = row;
    const box = el("td");
    box.colSpan = keys.length;
    const mx = d[D["mx-hosts"]];
    box.append(el("p", (data.by === "mx" ? "Domains: " : "MX hosts: ") + (mx.length ? mx.join(", ") + (d[D["mx-hosts-capped"]] ? " and more" : "") : "none known")));
    box.append(el("p", "First seen " + (d[D["first-seen"]] || "?") + ", last seen " + (d[D["last-seen"]] || "?"), "muted"));
    const { total, shown } = data.attempts[i];
    const t = el("table", null, "attempts");
    const head = t.createTHead().insertRow();
    for (const h of ["time", "appliance", "DCID", "MX host", "IP", "MX", "A", "TLSA", "cert", "Mandatory", "Opportunistic", "decision", "flags", "resolvers", "observed", "source lines"]) head.append(el("th", h));
    const body = t.createTBody();
    for (const a of shown) {
      const r = body.insertRow();
      const row = (name) => a[A[name]] ? " (" + a[A[name]] + ")" : "";
      const candidates = a[A["domain-candidates"]].length ? " one of: " + a[A["domain-candidates"]].join(", ") : "";
      for (const v of [a[A.start], a[A.appliance], a[A.dcid], (a[A["mx-host"]] || "") + candidates, a[A.ip], a[A.mx], a[A.a], a[A.tlsa], a[A.cert], a[A.mandatory] + row("mandatory-row"), a[A.opportunistic] + row("opportunistic-row"), a[A.decision] + " (mode " + a[A.mode] + ")", a[A.flags].join(" "), a[A.resolvers].join(" "), a[A.observed], sourceText(a)]) r.append(el("td", v === null ? "-" : v));
    }
    box.append(t);
    const left = total - shown.length;
    box.append(el("p", "Newest " + shown.length + " of " + total + " attempt" + (total === 1 ? "" : "s") + (left > 0 ? "; " + left + " older not shown in this page (esa-dane deliveries lists them all)" : "") + ".", "muted attempts-note"));
    const tr = el("tr", null, "detail");
    tr.append(box);
    return tr;
  };
  const toggle = (row) => {
    if (row.detail) { row.detail.remove(); row.detail = null; row.tr.classList.remove("open"); return; }
    row.detail = detailOf(row);
    row.tr.classList.add("open");
    row.tr.after(row.detail);
  };
  tbody.addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr.domain");
    if (tr) toggle(rows[Number(tr.dataset.index)]);
  });
  tbody.addEventListener("keydown", (ev) => {
    const tr = ev.target.closest("tr.domain");
    if (tr && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); toggle(rows[Number(tr.dataset.index)]); }
  });

  const PAGE = 200;
  let order = rows.slice(), limit = PAGE;
  const more = document.getElementById("domains-more");
  const draw = () => {
    const name = nameBox.value.trim().toLowerCase();
    const problem = problemBox.value;
    const frag = document.createDocumentFragment();
    let matching = 0;
    for (const row of order) {
      const problems = row.d[D.problems];
      const visible = (!name || row.d[D.name].toLowerCase().includes(name)) &&
        (problem === "" || (problem === "any" ? problems.length > 0 : problem === "none" ? problems.length === 0 : problems.includes(problem)));
      if (!visible || matching++ >= limit) {
        if (row.tr) row.tr.remove();
        if (row.detail) row.detail.remove();
        continue;
      }
      frag.append(rowElement(row));
      if (row.detail) frag.append(row.detail);
    }
    tbody.append(frag);
    const shown = Math.min(matching, limit);
    countBox.textContent = matching === rows.length ? shown + " of " + rows.length + " shown" : shown + " of " + matching + " matching shown (" + rows.length + " in all)";
    more.hidden = matching <= shown;
    more.textContent = "show " + Math.min(PAGE, matching - shown) + " more";
  };
  more.addEventListener("click", () => { limit += PAGE; draw(); });
  let sortKey = "rank", descending = false;
  table.tHead.addEventListener("click", (ev) => {
    const th = ev.target.closest("th");
    if (!th) return;
    const key = th.dataset.key;
    descending = key === sortKey ? !descending : key !== "name" && key !== "mx-hosts";
    sortKey = key;
    const dir = descending ? -1 : 1;
    order = rows.slice().sort((a, b) => {
      const va = sortValue(key, a.d, a.i), vb = sortValue(key, b.d, b.i);
      return (va < vb ? -dir : va > vb ? dir : 0) || a.i - b.i;
    });
    for (const h of table.tHead.querySelectorAll("th")) h.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    draw();
  });
  const redraw = () => { limit = PAGE; draw(); };
  nameBox.addEventListener("input", redraw);
  problemBox.addEventListener("change", redraw);
  draw();
})();
`;
