// The HTML report: one self-contained file (inline CSS and JS, no external resources) that
// embeds the JSON report and renders from it a summary matrix (profiles x verdicts), a row per
// case with its coloured verdict, and per case its requirements with their registry text,
// description, expectation, verdict reason and wire transcript. Target-controlled text is
// only ever inserted as text nodes (never as markup), and the embedded JSON escapes '<', '>'
// and '&' so no byte of it can close the <script> element.
#include "runner/report.hpp"

#include <boost/json.hpp>

namespace mxtls::conformance {

namespace {

constexpr std::string_view head = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mxtls-conform report</title>
<style>
:root { --pass:#1a7f37; --pns:#7d8f00; --fail:#cf222e; --unsup:#6e7781; --info:#0969da; --herr:#8250df; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1200px; padding: 1em 2em; color: #1f2328; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #d0d7de; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.facts td:first-child { font-weight: 600; }
.critical { background: var(--fail); color: #fff; font-weight: 700; padding: .5em 1em; border-radius: .3em; }
.critical a { color: #fff; }
.badge { display: inline-block; padding: 0 .5em; border-radius: 1em; color: #fff; font-weight: 600; font-size: .9em; white-space: nowrap; }
.v-pass { background: var(--pass); } .v-pass-non-strict { background: var(--pns); } .v-fail { background: var(--fail); }
.v-unsupported { background: var(--unsup); } .v-informational { background: var(--info); } .v-harness-error { background: var(--herr); }
td.cell-nonzero.v-pass, td.cell-nonzero.v-pass-non-strict, td.cell-nonzero.v-fail, td.cell-nonzero.v-unsupported,
td.cell-nonzero.v-informational, td.cell-nonzero.v-harness-error { color: #fff; font-weight: 600; }
td.cell-zero { color: #8c959f; }
.status-unexpected, .status-unexpectedly-passing { color: var(--fail); font-weight: 700; }
.status-expected { color: var(--unsup); font-style: italic; }
article.case { border: 1px solid #d0d7de; border-left: 6px solid var(--unsup); border-radius: 6px; padding: .4em 1em 1em; margin: 1em 0; }
article.case.l-pass { border-left-color: var(--pass); } article.case.l-pass-non-strict { border-left-color: var(--pns); }
article.case.l-fail { border-left-color: var(--fail); } article.case.l-informational { border-left-color: var(--info); }
article.case.l-harness-error { border-left-color: var(--herr); }
article.case h3 { margin: .4em 0; font-family: ui-monospace, monospace; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: .4em 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
ul.reqs { padding-left: 1.2em; } ul.reqs li { margin: .2em 0; }
.req-id { font-family: ui-monospace, monospace; font-weight: 700; }
.req-level { font-size: .85em; color: #57606a; }
.interp { color: #57606a; font-size: .92em; }
pre.transcript { background: #0d1117; color: #e6edf3; padding: .6em; overflow-x: auto; font-size: 12.5px; line-height: 1.35; border-radius: 6px; max-height: 40em; }
pre.transcript .ch-C { color: #79c0ff; } pre.transcript .ch-S { color: #7ee787; } pre.transcript .ch-note { color: #d2a8ff; }
pre.transcript .ch-tls { color: #ffa657; } pre.transcript .ch-dns { color: #f2cc60; } pre.transcript .ch-https { color: #ff7b72; }
pre.transcript .at { color: #8b949e; }
.controls { margin: .5em 0; } .controls label { margin-right: 1em; }
</style>
</head>
<body>
<header>
<h1 id="title">mxtls-conform report</h1>
<table class="facts" id="facts"></table>
</header>
<noscript><p><strong>This report is drawn by its inline script; with scripts disabled, read report.json (the same data).</strong></p></noscript>
<h2>Summary</h2>
<table id="summary-matrix"></table>
<p id="critical" class="critical" hidden></p>
<p id="expectation-summary"></p>
<ul id="stale"></ul>
<h2>Cases</h2>
<div class="controls" id="controls"></div>
<table id="case-table"></table>
<h2>Details</h2>
<div id="case-details"></div>
<script type="application/json" id="report-data">)html";

constexpr std::string_view tail = R"html(</script>
<script>
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var VERDICTS = ['pass', 'pass-non-strict', 'fail', 'unsupported', 'informational', 'harness-error'];
  var PROFILES = ['core', 'strict', 'proposal'];

  // Builds an element; strings become text nodes (never markup).
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    });
    return e;
  }
  function badge(v) { return el('span', { 'class': 'badge v-' + v }, [v]); }
  function fmtMs(ms) { return ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(2) + ' s'; }

  document.getElementById('title').textContent = 'mxtls-conform ' + data.role + ' report';
  document.title = 'mxtls-conform ' + data.role + ' report';

  var facts = document.getElementById('facts');
  var factRows = [['started', data.started], ['duration', fmtMs(data.duration_ms)], ['jobs', String(data.jobs)],
                  ['cases', String(data.summary.total)], ['exit status', String(data.summary.exit_code)]];
  Object.keys(data.facts).forEach(function (k) { factRows.push([k, data.facts[k]]); });
  factRows.forEach(function (r) { facts.appendChild(el('tr', null, [el('td', null, [r[0]]), el('td', null, [r[1]])])); });

  // The summary matrix: a row per profile and a total row, a column per verdict.
  var m = document.getElementById('summary-matrix');
  m.appendChild(el('tr', null, [el('th', null, ['profile'])].concat(
      VERDICTS.map(function (v) { return el('th', null, [badge(v)]); }), [el('th', null, ['total'])])));
  PROFILES.concat(['all']).forEach(function (p) {
    var counts = p === 'all' ? data.summary.verdicts : data.summary.profiles[p];
    var total = 0;
    var cells = VERDICTS.map(function (v) {
      var n = counts[v] || 0;
      total += n;
      return el('td', { 'class': 'num ' + (n ? 'cell-nonzero v-' + v : 'cell-zero'), 'data-verdict': v, 'data-profile': p }, [n]);
    });
    m.appendChild(el('tr', { 'data-profile': p }, [el('th', null, [p])].concat(cells, [el('td', { 'class': 'num' }, [total])])));
  });
  // A plaintext delivery where TLS was required is said first and plainly.
  var crit = data.cases.filter(function (c) { return c.critical; });
  if (crit.length) {
    var cp = document.getElementById('critical');
    cp.hidden = false;
    cp.appendChild(document.createTextNode('CRITICAL: ' + crit.length +
        ' case(s) saw mail delivered or MAIL FROM sent IN PLAINTEXT where TLS was required: '));
    crit.forEach(function (c, i) {
      if (i) cp.appendChild(document.createTextNode(', '));
      cp.appendChild(el('a', { href: '#case-' + c.id }, [c.id]));
    });
  }
  var ex = data.summary.expectations;
  document.getElementById('expectation-summary').textContent =
      (ex['expected'] || 0) + ' expected deviations, ' + (ex['unexpected'] || 0) + ' unexpected results, ' +
      (ex['unexpectedly-passing'] || 0) + ' unexpectedly passing.';
  var stale = document.getElementById('stale');
  data.stale_expectations.forEach(function (e) {
    stale.appendChild(el('li', null, ['expectations line ' + e.line + ' (' + e.pattern + ') matches no case of the catalogue']));
  });

  // A row per case.
  var t = document.getElementById('case-table');
  t.appendChild(el('tr', null, ['case', 'profile', 'verdict', 'expectations', 'requirements', 'why', 'time'].map(function (h) {
    return el('th', null, [h]);
  })));
  data.cases.forEach(function (c) {
    var row = el('tr', { 'class': 'case-row', 'data-verdict': c.verdict, 'data-status': c.status }, [
      el('td', null, [el('a', { href: '#case-' + c.id }, [c.id])]),
      el('td', null, [c.profile]),
      el('td', null, [badge(c.verdict)]),
      el('td', { 'class': 'status-' + c.status }, [c.status]),
      el('td', null, [c.requirements.map(function (r) { return r.id; }).join(' ')]),
      el('td', null, [c.summary]),
      el('td', { 'class': 'num' }, [fmtMs(c.duration_ms)])
    ]);
    t.appendChild(row);
  });

  // Filter: all cases or only those that need attention.
  var controls = document.getElementById('controls');
  var only = el('input', { type: 'checkbox', id: 'only-attention' });
  only.addEventListener('change', function () {
    Array.prototype.forEach.call(document.querySelectorAll('tr.case-row, article.case'), function (r) {
      var attention = r.getAttribute('data-verdict') === 'fail' || r.getAttribute('data-verdict') === 'harness-error' ||
          r.getAttribute('data-status') === 'unexpected' || r.getAttribute('data-status') === 'unexpectedly-passing';
      r.style.display = only.checked && !attention ? 'none' : '';
    });
  });
  controls.appendChild(el('label', null, [only, ' only failing and unexpected results']));

  // The details of every case, with its transcript.
  var details = document.getElementById('case-details');
  data.cases.forEach(function (c) {
    var reqs = el('ul', { 'class': 'reqs' }, c.requirements.map(function (r) {
      var parts = [el('span', { 'class': 'req-id' }, [r.id]), ' '];
      if (r.text !== null && r.text !== undefined) {
        parts.push(el('span', { 'class': 'req-level' }, [r.level + ' · ' + r.role + ' · ' + r.document]), ' ', r.text);
        if (r.interpretation) parts.push(el('div', { 'class': 'interp' }, ['Interpretation: ' + r.interpretation]));
      } else {
        parts.push(el('span', { 'class': 'req-level' }, ['(text not found in the registry)']));
      }
      return el('li', null, parts);
    }));
    var meta = el('dl', { 'class': 'meta' }, [
      el('dt', null, ['role']), el('dd', null, [c.role]),
      el('dt', null, ['profile']), el('dd', null, [c.profile]),
      el('dt', null, ['domain']), el('dd', null, [c.domain]),
      el('dt', null, ['duration']), el('dd', null, [fmtMs(c.duration_ms) + (c.timed_out ? ' (timed out)' : '')]),
      el('dt', null, ['description']), el('dd', null, [c.description]),
      el('dt', null, ['expectation']), el('dd', null, [c.expectation]),
      el('dt', null, ['verdict']), el('dd', null, [badge(c.verdict), ' ', c.summary]),
      el('dt', null, ['expectations']), el('dd', { 'class': 'status-' + c.status }, [
        c.status + (c.expected ? ' (file says ' + c.expected.verdict + ': ' + c.expected.reason + ', line ' + c.expected.line + ')' : '')])
    ]);
    if (c.outcome) meta.appendChild(el('dt', null, ['delivery'])), meta.appendChild(el('dd', null, [c.outcome]));
    if (c.result_type) meta.appendChild(el('dt', null, ['result type'])), meta.appendChild(el('dd', null, [c.result_type]));
    var body = [el('h3', null, [c.id, ' ', badge(c.verdict)]), meta];
    if (c.details.length) body.push(el('ul', { 'class': 'details' }, c.details.map(function (d) { return el('li', null, [d]); })));
    body.push(el('h4', null, ['Requirements']), reqs, el('h4', null, ['Transcript']));
    var pre = el('pre', { 'class': 'transcript', id: 'transcript-' + c.id });
    c.transcript.forEach(function (e) {
      var at = ('        ' + e.at_ms.toFixed(1)).slice(-9) + ' ms ';
      var ch = (e.channel + '      ').slice(0, Math.max(6, e.channel.length + 1));
      pre.appendChild(el('span', { 'class': 'at' }, [at]));
      pre.appendChild(el('span', { 'class': 'ch-' + e.channel.replace(/[^A-Za-z0-9-]/g, '') }, [ch + e.text]));
      pre.appendChild(document.createTextNode('\n'));
    });
    if (!c.transcript.length) pre.appendChild(document.createTextNode('(no transcript)'));
    body.push(pre);
    details.appendChild(el('article', { 'class': 'case l-' + c.verdict, id: 'case-' + c.id, 'data-verdict': c.verdict, 'data-status': c.status }, body));
  });
  document.body.setAttribute('data-rendered', 'true');
})();
</script>
</body>
</html>
)html";

// JSON inside <script>: '<', '>' and '&' only occur inside JSON strings, where the \uXXXX
// escapes mean the same characters.
std::string script_safe(std::string const& json_text) {
  std::string out;
  out.reserve(json_text.size() + 64);
  for (char c : json_text) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

}  // namespace

std::string report_html(run_report const& report, requirement_registry const& registry) {
  std::string out(head);
  out += script_safe(boost::json::serialize(report_to_json(report, registry)));
  out += tail;
  return out;
}

}  // namespace mxtls::conformance
