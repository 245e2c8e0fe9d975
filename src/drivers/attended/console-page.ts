/**
 * The attended console's page: one task at a time, in French, usable with the keyboard alone
 * (the first control has the focus, Enter submits, Tab order follows the reading order) and
 * readable on a laptop screen. The task's machine-readable operation is on the task element
 * (data-op, data-args) for a robot playing the person in Vigie's own tests.
 */
export function consolePage(): string {
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vigie — session accompagnée</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2433; background: #f3f5f9; }
  body { margin: 0; }
  header { background: #1f3a68; color: #fff; padding: .7rem 1.2rem; display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
  header a, header button { color: #fff; background: transparent; border: 1px solid #fff8; border-radius: 4px; padding: .3rem .7rem; font-size: .9rem; text-decoration: none; cursor: pointer; }
  main { max-width: 54rem; margin: 1rem auto; padding: 0 1rem; }
  #progress { color: #4a5468; font-size: .9rem; margin: .3rem 0 .8rem; }
  article { background: #fff; border-radius: 8px; box-shadow: 0 1px 4px #0002; padding: 1.1rem 1.4rem; }
  .kind { display: inline-block; font-size: .75rem; font-weight: 600; text-transform: uppercase; letter-spacing: .05em; padding: .15rem .5rem; border-radius: 3px; }
  .kind.instruction { background: #dbe8ff; color: #1f3a68; } .kind.question { background: #fff0c8; color: #6a4a00; } .kind.setup { background: #dff5e3; color: #1f5a2c; }
  h2 { font-size: 1.25rem; margin: .5rem 0; }
  .step { color: #5b6478; font-size: .85rem; margin-bottom: .6rem; }
  .text { white-space: pre-line; line-height: 1.45; }
  table.data { border-collapse: collapse; margin: .8rem 0; width: 100%; }
  table.data th { text-align: left; font-weight: 500; color: #4a5468; padding: .3rem .6rem .3rem 0; width: 40%; vertical-align: top; }
  table.data td { font-family: ui-monospace, monospace; font-size: 1.05rem; padding: .3rem 0; word-break: break-all; }
  label.field { display: block; margin: .9rem 0 .3rem; font-weight: 500; }
  input[type=text], input[type=number], select, textarea { font: inherit; padding: .45rem .55rem; border: 1px solid #9aa3b5; border-radius: 4px; width: 100%; box-sizing: border-box; }
  .choices label { display: inline-flex; gap: .35rem; align-items: center; margin: .25rem 1rem .25rem 0; }
  .buttons { display: flex; gap: .6rem; flex-wrap: wrap; margin-top: 1.1rem; }
  button.act { font: inherit; padding: .55rem 1.1rem; border-radius: 5px; border: 1px solid #1f3a68; background: #fff; color: #1f3a68; cursor: pointer; }
  button.primary { background: #1f3a68; color: #fff; }
  button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, a:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
  button[disabled] { opacity: .45; cursor: default; }
  .shots { margin-top: .9rem; padding: .6rem; border: 1px dashed #9aa3b5; border-radius: 5px; font-size: .9rem; color: #4a5468; }
  #error { color: #a01818; margin-top: .6rem; min-height: 1.2em; }
  #last { margin-bottom: .8rem; background: #eef7ee; border-left: 4px solid #3c8a4a; padding: .5rem .8rem; border-radius: 4px; font-size: .95rem; display: none; }
  #last.mismatch { background: #fff1f1; border-color: #b33; }
  .idle { color: #4a5468; text-align: center; padding: 2rem; }
</style></head>
<body>
<header><h1>Vigie — session accompagnée</h1>
  <a href="/sheet" target="_blank" accesskey="f">Fiche des patients (imprimable)</a>
  <button id="pause" type="button" accesskey="p">Mettre en pause</button></header>
<main>
  <div id="progress" aria-live="polite"></div>
  <div id="last" role="status"></div>
  <div id="slot"><p class="idle">En attente de la prochaine tâche…</p></div>
</main>
<script>
(function () {
  var current = null, started = false, shots = [];
  var slot = document.getElementById('slot');
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); });
  }
  function poll() {
    var after = current ? current.id : 0;
    fetch('/api/task?after=' + after).then(function (r) { return r.json(); }).then(function (view) {
      var p = view.progress;
      document.getElementById('progress').textContent = view.paused ? 'Session en pause depuis ' + view.paused + ' : relancez-la avec --resume.'
        : (p.target ? 'Logiciel : ' + p.target + ' · ' : '') + (p.total ? 'scénario ' + Math.min(p.done + 1, p.total) + ' sur ' + p.total + (p.scenario ? ' — ' + p.scenario : '') : '') + ' · tâches faites : ' + view.done;
      if (view.task && (!current || view.task.id !== current.id)) show(view.task);
      if (!view.task && current) { current = null; slot.innerHTML = '<p class="idle">En attente de la prochaine tâche…</p>'; }
    }).catch(function () {}).then(function () { setTimeout(poll, current ? 400 : 100); });
  }
  function show(task) {
    current = task; started = !task.timed; shots = [];
    var art = el('article', { id: 'task', 'data-task-id': task.id, 'data-op': task.op, 'data-kind': task.kind, 'aria-labelledby': 'task-title' });
    art.dataset.args = JSON.stringify(task.args || null);
    art.appendChild(el('span', { class: 'kind ' + task.kind }, { setup: 'Préparation', instruction: 'À faire', question: 'Question' }[task.kind]));
    art.appendChild(el('h2', { id: 'task-title' }, task.title));
    if (task.step) art.appendChild(el('div', { class: 'step' }, 'Étape du scénario : ' + task.step));
    art.appendChild(el('div', { class: 'text' }, task.text));
    if (task.data && task.data.length) {
      var table = el('table', { class: 'data' });
      task.data.forEach(function (row) { var tr = el('tr'); tr.appendChild(el('th', { scope: 'row' }, row[0])); var cell = el('td', { 'data-label': row[0] }); if (/^https?:\\/\\//.test(row[1])) cell.appendChild(el('a', { href: row[1], target: '_blank' }, row[1])); else cell.textContent = row[1]; tr.appendChild(cell); table.appendChild(tr); });
      art.appendChild(table);
    }
    var form = el('form', { id: 'answer-form' });
    (task.fields || []).forEach(function (f) {
      var id = 'f-' + f.name;
      if (f.kind === 'choice' || f.kind === 'yesno') {
        var choices = f.kind === 'yesno' ? [{ value: 'yes', label: 'Oui' }, { value: 'no', label: 'Non' }] : f.choices;
        var fs = el('fieldset', { class: 'choices', style: 'border:0;padding:0;margin:.9rem 0 0' });
        fs.appendChild(el('legend', { class: 'field', style: 'font-weight:500' }, f.label));
        choices.forEach(function (c) {
          var l = el('label'); var i = el('input', { type: f.multiple ? 'checkbox' : 'radio', name: f.name, value: c.value, 'data-field': f.name });
          l.appendChild(i); l.appendChild(document.createTextNode(c.label)); fs.appendChild(l);
        });
        form.appendChild(fs);
      } else {
        form.appendChild(el('label', { class: 'field', for: id }, f.label + (f.optional ? ' (facultatif)' : '')));
        var input = f.kind === 'file' ? el('input', { id: id, name: f.name, type: 'file', 'data-field': f.name, 'data-file': '1' }) : f.multiline ? el('textarea', { id: id, name: f.name, rows: '4', 'data-field': f.name }) : el('input', { id: id, name: f.name, type: f.kind === 'number' ? 'number' : 'text', 'data-field': f.name, autocomplete: 'off' });
        form.appendChild(input);
      }
    });
    var files = {};
    Array.prototype.forEach.call(form.querySelectorAll('input[data-file]'), function (input) {
      input.addEventListener('change', function () {
        var reader = new FileReader();
        reader.onload = function () { files[input.name] = reader.result; input.setAttribute('data-loaded', '1'); };
        if (input.files[0]) reader.readAsText(input.files[0]);
      });
    });
    var shotBox = el('div', { class: 'shots', id: 'shots' });
    shotBox.appendChild(document.createTextNode('Capture d\\'écran (facultatif) : collez-la (Ctrl+V) ou choisissez un fichier '));
    var file = el('input', { type: 'file', accept: 'image/*', id: 'shot-file', 'aria-label': 'Capture d\\'écran' });
    file.addEventListener('change', function () { Array.prototype.forEach.call(file.files, addShot); });
    shotBox.appendChild(file);
    var shotCount = el('span', { id: 'shot-count' }, ''); shotBox.appendChild(shotCount);
    form.appendChild(shotBox);
    var buttons = el('div', { class: 'buttons' });
    var go, doneBtn = el('button', { type: 'submit', class: 'act primary', id: 'done' }, task.kind === 'question' ? 'Valider la réponse' : task.kind === 'setup' ? 'C\\'est prêt' : 'C\\'est fait');
    if (task.timed) {
      go = el('button', { type: 'button', class: 'act primary', id: 'start' }, 'Je le fais maintenant');
      doneBtn.disabled = true; doneBtn.className = 'act';
      go.addEventListener('click', function () { post('/api/start', { id: task.id }); started = true; go.disabled = true; doneBtn.disabled = false; doneBtn.className = 'act primary'; doneBtn.focus(); });
      buttons.appendChild(go);
    }
    buttons.appendChild(doneBtn);
    var refused = el('button', { type: 'button', class: 'act', id: 'refused' }, task.kind === 'question' ? 'Impossible de répondre' : 'Le logiciel a refusé');
    var skip = el('button', { type: 'button', class: 'act', id: 'skip' }, 'Passer ce scénario');
    if (task.kind !== 'setup') { buttons.appendChild(refused); buttons.appendChild(skip); }
    form.appendChild(buttons);
    var error = el('div', { id: 'error', role: 'alert' }); form.appendChild(error);
    function send(outcome, message) {
      var answers = {};
      (task.fields || []).forEach(function (f) {
        var inputs = form.querySelectorAll('[data-field="' + f.name + '"]');
        var picked = [];
        Array.prototype.forEach.call(inputs, function (i) {
          if (i.type === 'checkbox') { if (i.checked) picked.push(i.value); answers[f.name] = picked.join(','); }
          else if (i.type === 'file') answers[f.name] = files[f.name] || '';
          else if (i.type !== 'radio' || i.checked) answers[f.name] = i.value;
        });
      });
      post('/api/answer', { id: task.id, outcome: outcome, answers: answers, message: message, screenshots: shots }).then(function (r) {
        if (r.status !== 200) { error.textContent = r.body.error || 'erreur'; return; }
        var last = document.getElementById('last');
        var lines = (r.body.expected || []).map(function (x) { return x.label + ' — attendu : « ' + x.expected + ' » ; votre réponse : « ' + x.answer + ' »'; });
        last.textContent = lines.length ? 'Réponse enregistrée. ' + lines.join(' · ') : 'Enregistré : ' + task.title;
        last.className = (r.body.expected || []).some(function (x) { return x.expected !== x.answer; }) ? 'mismatch' : '';
        last.style.display = 'block';
        current = { id: task.id }; slot.innerHTML = '<p class="idle">En attente de la prochaine tâche…</p>';
      });
    }
    form.addEventListener('submit', function (e) { e.preventDefault(); if (!started) { error.textContent = 'Cliquez d\\'abord « Je le fais maintenant » au moment où vous commencez.'; return; } send('done'); });
    refused.addEventListener('click', function () { var m = window.prompt(task.kind === 'question' ? 'Pourquoi ne pouvez-vous pas répondre ?' : 'Recopiez le message affiché par le logiciel :'); if (m) send('refused', m); });
    skip.addEventListener('click', function () { var m = window.prompt('Pourquoi passer ce scénario ? (la raison figurera au rapport)'); if (m) send('skipped', m); });
    art.appendChild(form);
    slot.innerHTML = ''; slot.appendChild(art);
    var first = go || form.querySelector('input:not([type=file]),textarea,select') || doneBtn;
    first.focus();
  }
  function addShot(blob) {
    if (!/^image\\//.test(blob.type)) return;
    var reader = new FileReader();
    reader.onload = function () { shots.push(reader.result); var c = document.getElementById('shot-count'); if (c) c.textContent = ' — ' + shots.length + ' capture(s) jointe(s)'; };
    reader.readAsDataURL(blob);
  }
  document.addEventListener('paste', function (e) {
    Array.prototype.forEach.call((e.clipboardData || {}).items || [], function (item) { if (item.kind === 'file') addShot(item.getAsFile()); });
  });
  document.getElementById('pause').addEventListener('click', function () {
    if (window.confirm('Mettre la session en pause ? Les scénarios restants seront à reprendre avec --resume.')) post('/api/pause', {});
  });
  poll();
})();
</script>
</body></html>`;
}
