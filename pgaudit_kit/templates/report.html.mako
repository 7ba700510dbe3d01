<%doc>
  The evidence report (pgaudit_kit/report.py renders it; every ${} is HTML-escaped).
  Self-contained: inline CSS and SVG, no script, no font, no link to fetch.
</%doc>
<%def name="bar_chart(items, unit)">
% if not items:
<p class="muted">No audit rows in the period.</p>
% else:
<svg class="chart" role="img" width="100%" height="${len(items) * 26 + 4}"
     viewBox="0 0 720 ${len(items) * 26 + 4}" preserveAspectRatio="xMinYMin meet">
% for i, bar in enumerate(items):
  <g transform="translate(0, ${i * 26})">
    <text x="0" y="17" class="label">${bar.label[:36]}</text>
    <rect x="260" y="4" height="18" width="${"%.1f" % (max(2, bar.share * 380))}" rx="3" class="bar">
      <title>${bar.label}: ${bar.count} ${unit}</title>
    </rect>
    <text x="${"%.1f" % (268 + bar.share * 380)}" y="17" class="value">${num(bar.count)}</text>
  </g>
% endfor
</svg>
% endif
</%def>
<%def name="findings_list(findings)">
% if findings:
<ul class="findings">
% for f in findings:
  <li><span class="tag">${f["check"]}</span> <strong>${f["subject"]}</strong>: ${f["message"]}</li>
% endfor
</ul>
% else:
<p class="good">No findings.</p>
% endif
</%def>
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>pgaudit-kit evidence report: ${d["database"]}</title>
<style>
  :root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --ink: #1f2328; --muted: #656d76;
          --line: #d0d7de; --soft: #f6f8fa; --accent: #0969da; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); }
  main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 64px; }
  h1 { font-size: 26px; margin: 0 0 4px; }
  h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
  h3 { font-size: 15px; margin: 18px 0 6px; }
  .muted { color: var(--muted); }
  .verdict { margin: 18px 0 8px; padding: 18px 22px; border-radius: 8px; font-size: 20px;
             font-weight: 700; color: #fff; }
  .verdict.ok { background: var(--ok); }
  .verdict.bad { background: var(--bad); }
  .v-pass { color: var(--ok); font-weight: 700; } .v-fail { color: var(--bad); font-weight: 700; }
  .v-gap { color: var(--warn); font-weight: 700; }
  .verdict small { display: block; font-size: 14px; font-weight: 400; opacity: .95; }
  .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; }
  .tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--soft); }
  .tile b { display: block; font-size: 22px; overflow-wrap: anywhere; }
  table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 14px; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { background: var(--soft); font-weight: 600; }
  .problems td { color: var(--bad); }
  .tag { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px;
         background: #eaeef2; color: var(--ink); white-space: nowrap; }
  .p-plain { background: #eaeef2; } .p-hash { background: #ddf4ff; color: #0550ae; }
  .p-omit { background: #ffebe9; color: #a40e26; } .p-mask { background: #fff8c5; color: #7d4e00; }
  .good { color: var(--ok); font-weight: 600; }
  .findings li { margin: 3px 0; }
  .chart .label { font-size: 13px; fill: var(--ink); }
  .chart .value { font-size: 12px; fill: var(--muted); }
  .chart .bar { fill: var(--accent); }
  .days { display: flex; align-items: flex-end; gap: 2px; height: 140px; border-bottom: 1px solid var(--line); }
  .days div { flex: 1; background: var(--accent); min-width: 3px; border-radius: 2px 2px 0 0; }
  .days-axis { display: flex; justify-content: space-between; font-size: 12px; color: var(--muted); }
  footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
  @media print { .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<main>
<h1>Audit evidence report</h1>
<div class="muted">Database <strong>${d["database"]}</strong>, audit schema <code>${d["schema"]}</code>,
  period ${d["period"]["from"]} to ${d["period"]["to"]} (UTC), generated ${when(d["generated_at"])}
  by pgaudit-kit ${d["pgaudit_kit_version"]}.</div>

<div class="verdict ${'ok' if ok else 'bad'}" id="verdict">${headline}
  <small>Verified outside the database: every row hash, Merkle root and block link
    recomputed; ${digests_note}.</small>
</div>

<h2 id="integrity">1. Integrity of the trail</h2>
<div class="tiles">
  <div class="tile"><b>${num(d['verify']['rows_verified'])}</b>sealed rows verified</div>
  <div class="tile"><b>${num(d['verify']['blocks_verified'])}</b>blocks in the chain</div>
  <div class="tile"><b>${num(d['verify']['unsealed_rows'])}</b>rows not sealed yet</div>
  <div class="tile"><b>${len(d["verify"]["problems"])}</b>problems</div>
</div>
% if d["verify"]["problems"]:
<h3>Problems found</h3>
<table class="problems" id="problems">
  <tr><th>kind</th><th>block</th><th>row</th><th>detail</th></tr>
% for p in d["verify"]["problems"]:
  <tr><td><strong>${p["kind"]}</strong></td><td>${p["block"] if p["block"] is not None else "–"}</td>
      <td>${p["row_id"] if p["row_id"] is not None else "–"}</td><td>${p["detail"]}</td></tr>
% endfor
</table>
% endif
% if d["verify"]["unsealed_rows"]:
<p class="muted">Rows not sealed yet are not protected until the next seal
  (oldest: ${d["verify"]["oldest_unsealed"]}).</p>
% endif
% if d["verify"]["redacted"]:
<h3>Redacted rows (legal erasure orders)</h3>
<table>
  <tr><th>row</th><th>redacted at</th><th>by</th><th>reason</th></tr>
% for r in d["verify"]["redacted"]:
  <tr><td>${r["row_id"]}</td><td>${when(r["redacted_at"])}</td><td>${r["redacted_by"]}</td><td>${r["reason"]}</td></tr>
% endfor
</table>
% endif

<h2 id="coverage">2. Coverage</h2>
<p>Tables that must be audited: ${required_note}.</p>
<table>
  <tr><th>table</th><th>retention</th><th>capture</th><th>columns and their policies</th></tr>
% for t in d["coverage"]["tables"]:
  <tr><td><strong>${t["table"]}</strong></td><td>${t["retention"]}</td><td>${t["capture"]}</td>
      <td>
% for column, policy in t["policies"].items():
        <span class="tag p-${policy.split(':')[0]}">${column}: ${policy}</span>
% endfor
      </td></tr>
% endfor
</table>
<h3>Findings</h3>
${findings_list(d["coverage"]["findings"])}

<h2 id="immutability">3. Immutability</h2>
<div class="tiles">
  <div class="tile"><b>${d["immutability"]["owner_role"]}</b>owner of the trail (NOLOGIN)</div>
  <div class="tile"><b>${"on" if d["immutability"]["guard_enabled"] else "OFF"}</b>DDL guard</div>
  <div class="tile"><b>${d["immutability"]["triggers_healthy"]} / ${d["immutability"]["tables"]}</b>tables with every trigger enabled</div>
  <div class="tile"><b>${d["immutability"]["revision"]}</b>toolkit schema revision</div>
</div>
<h3>Findings (grants, roles, triggers, guard)</h3>
${findings_list(d["immutability"]["findings"])}

<h2 id="retention">4. Retention, purges and legal holds</h2>
% if d["retention"]["classes"]:
<table>
  <tr><th>class</th><th>kept in the database for</th><th>kept in archives for</th></tr>
% for name, period in d["retention"]["classes"].items():
  <tr><td>${name}</td><td>${period}</td><td>${d["retention"]["archive_classes"].get(name) or "–"}</td></tr>
% endfor
</table>
% else:
<p class="muted">No retention class is configured: every row is kept for ever.</p>
% endif
<p>Log partitions: ${d["retention"]["partitions"]} (${d["retention"]["partition_interval"]} each).</p>
<h3>Purge history</h3>
% if d["verify"]["purges"]:
<table>
  <tr><th>purged at</th><th>partition</th><th>range</th><th>classes</th><th>blocks</th><th>sealed</th></tr>
% for p in d["verify"]["purges"]:
  <tr><td>${when(p["purged_at"])}</td><td>${p["partition"]}</td><td>${p["from"]} – ${p["to"]}</td>
      <td>${", ".join(p["classes"])}</td><td>${len(p["blocks"])}</td><td>${"yes" if p["sealed"] else "not yet"}</td></tr>
% endfor
</table>
% else:
<p class="muted">Nothing has been purged.</p>
% endif
<h3>Second copies</h3>
<% a = d["retention"]["archives"] %>\
% if a and a["archives"]:
<p>Archives: ${a["archives"]} recorded, holding blocks up to ${a["last_block"]} (last on ${when(a["last_recorded"])});
  ${a["blocks_behind"]} sealed block(s) not archived yet.</p>
% else:
<p class="muted">No archive has been recorded.</p>
% endif
% if d["witness"]:
<% w = d["witness"] %>\
<p>Witness ${w["witness"]}: ${w["witness_height"]} of ${w["primary_height"]} block(s), ${w["blocks_behind"]} behind
  (${"%.0f" % w["seconds_behind"]} s); subscription ${"running" if w["subscription_running"] else "NOT RUNNING"}.
% for problem in w["problems"]:
  <br><strong>${problem["kind"]}</strong>: block ${problem["block"]}: ${problem["detail"]}
% endfor
</p>
% else:
<p class="muted">No witness was compared (report --witness DSN).</p>
% endif
<h3>Active legal holds</h3>
% if d["retention"]["holds"]:
<table>
  <tr><th>hold</th><th>reason</th><th>table</th><th>from</th><th>to</th><th>placed</th></tr>
% for h in d["retention"]["holds"]:
  <tr><td>${h["hold_id"]}</td><td>${h["reason"]}</td><td>${h["table_name"] or "every table"}</td>
      <td>${when(h["from_time"]) or "–"}</td><td>${when(h["to_time"]) or "–"}</td><td>${when(h["created_at"])}</td></tr>
% endfor
</table>
% else:
<p class="muted">No legal hold is in force.</p>
% endif

<h2 id="keys">5. HMAC keys</h2>
<p class="muted">Ids and dates only: key material never leaves the database.</p>
<table>
  <tr><th>key id</th><th>created</th><th>rotated out</th><th>shredded</th><th>shred reason</th></tr>
% for k in d["keys"]:
  <tr><td>${k["key_id"]}</td><td>${when(k["created_at"])}</td><td>${when(k["retired_at"]) or "current"}</td>
      <td>${when(k["shredded_at"]) or "–"}</td><td>${k["shred_reason"] or ""}</td></tr>
% endfor
</table>

<h2 id="activity">6. Activity in the period</h2>
<p>${num(d['activity']['total'])} audit row(s) from ${d["period"]["from"]} to ${d["period"]["to"]}.</p>
<h3>Changes per day</h3>
% if days:
<div class="days" role="img" aria-label="audit rows per day">
% for bar in days:
  <div style="height: ${"%.0f" % (max(2, bar.share * 100) if bar.count else 0)}%" title="${bar.label}: ${bar.count} rows"></div>
% endfor
</div>
<div class="days-axis"><span>${days[0].label}</span><span>${days[-1].label}</span></div>
% else:
<p class="muted">No audit rows in the period.</p>
% endif
<h3>Per table</h3>
${bar_chart(charts["by_table"], "rows")}
<h3>Per operation</h3>
${bar_chart(charts["by_op"], "rows")}
<h3>Per login role</h3>
${bar_chart(charts["by_role"], "rows")}

% if d["controls"]:
<h2 id="controls">7. Controls</h2>
<p class="muted">Each control's id with our own summary of what it asks (read the standard for its
  text), the evidence this report holds, a verdict (pass, fail, or gap: the trail cannot show it
  yet) and what would close it.</p>
<table>
  <tr><th>framework</th><th>control</th><th>verdict</th><th>evidence</th></tr>
% for c in d["controls"]:
  <tr><td>${c["framework"]}</td><td><strong>${c["control"]}</strong><br>${c["summary"]}</td>
      <td class="v-${c["verdict"]}">${c["verdict"].upper()}</td>
      <td>${"; ".join(c["evidence"])}\
% if c["close"]:
<br><em>to close: ${c["close"]}</em>\
% endif
</td></tr>
% endfor
</table>
% endif

<footer>report.json beside this file holds the same facts (schema_version ${d["schema_version"]}).
  This page loads nothing from the network and holds no plaintext personal data: only counts,
  names, policies, dates and the verification result.</footer>
</main>
</body>
</html>
