/** HTML helpers of the reference LGC's web UI: escaping, the page layout and the small inline script. */

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** `name="value"` pairs of a data-testid (and optional class). */
export function tid(id: string): string {
  return `data-testid="${esc(id)}"`;
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:.5em 1em;display:flex;gap:1.5em;align-items:center}
header a{color:#fff}
header .ws a{margin-right:.6em;opacity:.7}
header .ws a.current{opacity:1;font-weight:bold;text-decoration:none}
main{padding:1em 1.5em;max-width:70em}
section{background:#fff;border:1px solid #dde;border-radius:6px;padding:.8em 1em;margin:0 0 1em}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:0}
table{border-collapse:collapse}td,th{border:1px solid #ccd;padding:.25em .6em;text-align:left}
tr.diff td{background:#ffe0e0;font-weight:bold}
.flash{padding:.5em .8em;border-radius:4px;margin-bottom:.8em}
.flash.ok{background:#e3f6e3}.flash.error{background:#fde2e2}
.dialog{border:2px solid #1d3557;background:#eef3fb;padding:.8em;border-radius:6px;margin:.6em 0}
.datamatrix{display:inline-block;margin:.4em 0;text-align:center}
.datamatrix .dm{display:inline-grid;grid-template-columns:repeat(12,5px);grid-auto-rows:5px;padding:5px;background:#fff;border:1px solid #ccd}
.datamatrix .dm i{background:#fff}.datamatrix .dm i.on{background:#000}
.datamatrix figcaption{font-size:.8em}
button{cursor:pointer;padding:.3em .8em}
label{display:block;margin:.2em 0}
.muted{color:#667}
`;

/**
 * The only script of the UI (no build step): forms marked data-inplace are posted with fetch
 * (Accept: application/json) and the region the server sends back replaces the current one, so the
 * screen is not reloaded; [data-poll] regions refresh themselves while something is pending;
 * [data-refresh] buttons refresh a region on demand; [data-toggle-on]/[data-toggle-off] checkboxes
 * post to one of two URLs when changed.
 */
const SCRIPT = `
(function(){
  var last = {};
  function apply(j){
    if(!j) return;
    if(j.redirect){ location.href = j.redirect; return; }
    if(j.html && j.region){
      if(last[j.region] === j.html) { schedule(); return; }
      last[j.region] = j.html;
      var el = document.getElementById(j.region);
      if(el){ el.outerHTML = j.html; }
    }
    schedule();
  }
  var busy = 0;
  function mark(d){ busy += d; if(busy > 0) document.body.setAttribute('data-busy', String(busy)); else document.body.removeAttribute('data-busy'); }
  function send(url, body){
    var pe = document.querySelector('[data-poll]');
    var poll = !body && !!pe && pe.getAttribute('data-poll') === url;
    if(!poll) mark(1);
    return fetch(url, {method: body ? 'POST' : 'GET', body: body || undefined, headers: {'Accept':'application/json'}})
      .then(function(r){ return r.json(); }).then(apply, function(e){ console.error(e); })
      .then(function(){ if(!poll) mark(-1); });
  }
  var timer = null, wait = 100, polled = null;
  function schedule(){
    if(timer) { clearTimeout(timer); timer = null; }
    var p = document.querySelector('[data-poll]');
    if(!p) { polled = null; return; }
    var url = p.getAttribute('data-poll');
    // a pending result is looked at again after 100 ms, then less and less often (at most every 800 ms)
    wait = polled === url ? Math.min(wait * 2, 800) : 100; polled = url;
    timer = setTimeout(function(){ timer = null; send(url); }, wait);
  }
  document.addEventListener('submit', function(e){
    var f = e.target;
    if(!f.hasAttribute || !f.hasAttribute('data-inplace')) return;
    e.preventDefault();
    var body = new URLSearchParams(new FormData(f));
    if(e.submitter && e.submitter.name) body.set(e.submitter.name, e.submitter.value);
    send(f.action, body);
  });
  document.addEventListener('click', function(e){
    var b = e.target && e.target.closest ? e.target.closest('[data-refresh]') : null;
    if(b){ e.preventDefault(); send(b.getAttribute('data-refresh')); }
  });
  document.addEventListener('change', function(e){
    var c = e.target;
    if(c.hasAttribute && c.hasAttribute('data-toggle-on')){
      send(c.getAttribute(c.checked ? 'data-toggle-on' : 'data-toggle-off'), new URLSearchParams());
    } else if(c.form && c.form.hasAttribute('data-autosubmit')){
      c.form.requestSubmit();
    }
  });
  document.querySelectorAll('[id]').forEach(function(el){ if(el.hasAttribute('data-region')) last[el.id] = null; });
  schedule();
})();
`;

export interface Nav {
  /** query string carrying tenant and workstation, starting with '?' */
  q: string;
  ws: string;
  tenant: string;
  /** the current path, for the workstation switcher */
  path: string;
  /** extra query parameters of the current page (kept by the workstation switcher) */
  extra?: string;
}

const WS_LABELS: Array<[string, string]> = [
  ['ps', 'Professionnel de santé (CPS)'],
  ['cpe', 'Secrétariat (CPE nominative)'],
  ['anon', 'Secrétariat (CPE anonyme)'],
];

export function layout(nav: Nav, title: string, body: string): string {
  const wsLinks = WS_LABELS.map(
    ([k, label]) =>
      `<a href="${esc(`${nav.path}?tenant=${encodeURIComponent(nav.tenant)}&ws=${k}${nav.extra ?? ''}`)}" ${tid(`ws-${k}`)}${k === nav.ws ? ' class="current" aria-current="true"' : ''}>${esc(label)}</a>`,
  ).join('');
  return `<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>${esc(title)} — LGC de référence</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head>
<body>
<header><a href="${esc(`/ui/patients${nav.q}`)}" ${tid('nav-patients')}>Patients</a>
<a href="${esc(`/ui/settings${nav.q}`)}" ${tid('nav-settings')}>Paramètres</a>
<span class="ws" ${tid('workstation')} data-ws="${esc(nav.ws)}">Poste : ${wsLinks}</span>
<span class="muted" ${tid('tenant')}>${esc(nav.tenant)}</span></header>
<main ${tid('screen')} data-screen="${esc(title)}">
<h1>${esc(title)}</h1>
${body}
</main>
<script>${SCRIPT}</script>
</body></html>`;
}

export function flash(text: string | undefined, kind: 'ok' | 'error' = 'ok'): string {
  return text ? `<div class="flash ${kind}" ${tid(kind === 'ok' ? 'flash' : 'flash-error')} role="status">${esc(text)}</div>` : '';
}

/**
 * Something the UI asks between a press and its result (a confirmation, a dialog, a choice, a step
 * of a separate screen). Every such prompt of the reference UI is drawn by `prompt()`, so that one
 * generic entry of a selector map answers them all: the container carries `data-role="prompt"`,
 * the sentence the user reads `data-role="prompt-text"`, the button that goes on
 * `data-role="prompt-continue"` (and, by default, `data-testid="<id>-ok"`).
 */
export interface PromptSpec {
  /** data-testid of the container, e.g. `masking-dialog` */
  id: string;
  /** a heading; it is the prompt's text when there is no `text` */
  title?: string;
  /** the sentence the user reads */
  text?: string;
  /** data-testid of the sentence */
  textTestid?: string;
  form: { method: 'get' | 'post'; action: string; inplace?: boolean; testid?: string };
  /** the form's fields before the button (hidden inputs, a select, boxes), as HTML */
  fields?: string;
  continueLabel: string;
  /** data-testid of the button (default `<id>-ok`) */
  continueTestid?: string;
  /** after the form: another way out (a cancel button), as HTML */
  after?: string;
}

export function prompt(spec: PromptSpec): string {
  const role = (r: string, testid?: string) => `data-role="${r}"${testid ? ' ' + tid(testid) : ''}`;
  const heading = spec.title ? `<h3${spec.text ? '' : ' ' + role('prompt-text', spec.textTestid)}>${esc(spec.title)}</h3>` : '';
  const text = spec.text ? `<p ${role('prompt-text', spec.textTestid)}>${esc(spec.text)}</p>` : '';
  return (
    `<div class="dialog" role="dialog" data-role="prompt" ${tid(spec.id)}>${heading}${text}` +
    `<form method="${spec.form.method}" action="${esc(spec.form.action)}"${spec.form.inplace ? ' data-inplace' : ''}${spec.form.testid ? ' ' + tid(spec.form.testid) : ''}>${spec.fields ?? ''}` +
    `<button type="submit" ${role('prompt-continue', spec.continueTestid ?? `${spec.id}-ok`)}>${esc(spec.continueLabel)}</button></form>${spec.after ?? ''}</div>`
  );
}

/** A 2D code as the printed prescription shows it: a visible 12×12 pattern drawn from `value` (a picture, not an encoding). */
export function datamatrix(value: string, testid: string, caption: string): string {
  let hash = 2166136261;
  const cells: string[] = [];
  for (let y = 0; y < 12; y++) {
    for (let x = 0; x < 12; x++) {
      hash = Math.imul(hash ^ value.charCodeAt((x + 12 * y) % Math.max(1, value.length)) ^ (x * 31 + y), 16777619) >>> 0;
      // the finder pattern: solid left and bottom edges, alternating top and right edges
      const on = x === 0 || y === 11 ? true : y === 0 ? x % 2 === 0 : x === 11 ? y % 2 === 1 : (hash & 4) !== 0;
      cells.push(`<i${on ? ' class="on"' : ''}></i>`);
    }
  }
  return `<figure class="datamatrix" role="img" aria-label="Code 2D" ${tid(testid)}><div class="dm">${cells.join('')}</div><figcaption>${caption}</figcaption></figure>`;
}
