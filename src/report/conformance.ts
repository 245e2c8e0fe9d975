/**
 * reports/conformance.html: the page a reviewer signs. One target, one harness version, one rule
 * pack; then every catalogue requirement of the target's side with its verdict, the kind of
 * evidence it rests on, the scenarios run and a link to their evidence. Self-contained (no script,
 * no external resource), one or two A4 pages printed, readable in black and white: verdicts are
 * words in bold, colour only repeats them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Catalogue, loadCatalogue, requirementsOfSide } from './catalogue';
import { evidenceLinks } from './evidence';
import { RequirementResult, Summary, idRanges } from './summary';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);

const VERDICT_WORDS: Record<RequirementResult['verdict'] | 'not-in-scope', string> = {
  pass: 'CONFORME',
  fail: 'NON CONFORME',
  error: 'NON JUGÉE (erreur)',
  'not-judged': 'NON JUGÉE',
  'not-covered': 'NON COUVERTE',
  'not-selected': 'NON SÉLECTIONNÉE',
  'not-in-scope': 'HORS PÉRIMÈTRE',
};
const OUTCOME_WORDS: Record<Summary['outcome'], string> = {
  conformant: 'CONFORME',
  'not-conformant': 'NON CONFORME',
  incomplete: 'INCOMPLET (des exigences du périmètre n’ont pas été jugées)',
  'could-not-run': 'NON EXÉCUTÉ (la campagne n’a pas pu se dérouler)',
};
const EVIDENCE_WORDS: Record<string, string> = { observed: 'observée', declared: 'déclarée', attested: 'attestée' };

export interface ConformanceOptions {
  /** scenario location → its evidence folder, relative to the page (reports/evidence/…). */
  evidence?: Record<string, string>;
  catalogue?: Catalogue;
}

/** Scenarios grouped by feature file, each line number linking to its evidence: "qual-01-proposed.feature: 14 15 16". */
function scenarioCell(locations: string[], evidence: Record<string, string>): string {
  const byFile = new Map<string, string[]>();
  for (const loc of locations) {
    const cut = loc.lastIndexOf(':');
    const file = loc.slice(0, cut).split('/').pop()!;
    const line = loc.slice(cut + 1);
    const link = evidence[loc] ? `<a href="${esc(evidence[loc]!)}/">${esc(line)}</a>` : esc(line);
    byFile.set(file, [...(byFile.get(file) ?? []), link]);
  }
  return [...byFile].map(([file, lines]) => `${esc(file)}: ${lines.join(' ')}`).join('<br>');
}

function packLine(summary: Summary): string {
  const packs = Object.entries(summary.provenance.rulePacks ?? {});
  if (!packs.length) return 'aucun';
  return packs
    .map(([name, pack]) => {
      const found = pack as { hash?: string; commit?: string | null } | null;
      return found?.hash ? `${name} — SHA-256 ${found.hash}${found.commit ? ` (commit ${found.commit})` : ''}` : `${name} — absent`;
    })
    .join('<br>');
}

/** The page, from summary.json alone (and the evidence folders when the run wrote them). */
export function conformanceHtml(summary: Summary, options: ConformanceOptions = {}): string {
  const catalogue = options.catalogue ?? loadCatalogue();
  const evidence = options.evidence ?? {};
  const ids = requirementsOfSide(summary.suite, catalogue);
  const rows = ids.map((id) => {
    const result = summary.requirements[id];
    const verdict = result?.verdict ?? 'not-in-scope';
    const kinds = (result?.evidence ?? []).map((k) => EVIDENCE_WORDS[k] ?? k).join(' + ') || '—';
    const scenarios = scenarioCell(result?.scenarios ?? [], evidence);
    const why = result?.reasons?.length ? `<div class="why">${esc(result.reasons.join(' ; '))}</div>` : '';
    return (
      `<tr class="v-${verdict}"><td class="id">${esc(id)}</td><td>${esc(catalogue.requirements[id]?.title ?? result?.title ?? '')}${why}</td>` +
      `<td class="verdict">${VERDICT_WORDS[verdict]}</td><td>${esc(kinds)}</td><td class="scen">${result?.scenarios.length ?? 0}${scenarios ? `<div class="locs">${scenarios}</div>` : ''}</td></tr>`
    );
  });
  const counts = ids.reduce<Record<string, number>>((acc, id) => {
    const verdict = summary.requirements[id]?.verdict ?? 'not-in-scope';
    acc[verdict] = (acc[verdict] ?? 0) + 1;
    return acc;
  }, {});
  const tally = Object.entries(counts)
    .map(([verdict, n]) => `${n} ${VERDICT_WORDS[verdict as keyof typeof VERDICT_WORDS].toLowerCase()}`)
    .join(', ');
  const declaredOnly = ids.filter((id) => {
    const result = summary.requirements[id];
    return result?.verdict === 'pass' && !result.evidence.includes('observed');
  });
  const started = summary.startedAt ? new Date(summary.startedAt) : undefined;
  const date = started ? `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'inconnue';
  const side = summary.suite === 'lgc' ? 'logiciel de gestion de cabinet (LGC)' : 'service d’un opérateur MSSanté';
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Vigie — rapport de conformité — ${esc(summary.target)}</title>
<style>
  @page { size: A4; margin: 12mm; }
  body { font: 8pt/1.25 "DejaVu Sans", Arial, sans-serif; color: #000; margin: 0 auto; max-width: 190mm; }
  h1 { font-size: 14pt; margin: 0 0 2mm; }
  .outcome { font-size: 13pt; font-weight: bold; border: 2px solid #000; padding: 2mm 3mm; margin: 2mm 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid #555; padding: 0.5mm 1.2mm; vertical-align: top; text-align: left; }
  th { background: #eee; }
  table.meta td:first-child { width: 32mm; font-weight: bold; }
  .id, .verdict { white-space: nowrap; font-weight: bold; }
  .locs { font-size: 6.5pt; color: #333; }
  td.scen { width: 62mm; }
  .why { font-size: 7.5pt; font-style: italic; }
  tr { page-break-inside: avoid; }
  .v-fail .verdict { text-decoration: underline; }
  @media screen { .v-pass .verdict { color: #176b2c; } .v-fail .verdict { color: #b00020; } }
  .sign { margin-top: 5mm; display: flex; gap: 10mm; } .sign div { flex: 1; border-top: 1px solid #000; padding-top: 1mm; min-height: 12mm; }
  .note { font-size: 7.5pt; }
</style></head><body>
<h1>Vigie — rapport de conformité</h1>
<table class="meta">
<tr><td>Cible</td><td>${esc(summary.target)} — ${side}, pilotée par ${esc(summary.driver)}</td></tr>
<tr><td>Date</td><td>${esc(date)} (durée ${(summary.durationMs / 1000).toFixed(0)} s)</td></tr>
<tr><td>Harnais</td><td>${esc(summary.provenance.harness)} ; Node ${esc(summary.provenance.node)}${summary.provenance.java ? ` ; ${esc(summary.provenance.java)}` : ''}</td></tr>
<tr><td>Jeu de règles ANS</td><td>${packLine(summary)}</td></tr>
<tr><td>Configuration</td><td>${esc(summary.provenance.config)}</td></tr>
<tr><td>Périmètre</td><td>${esc(scopeWords(summary))}</td></tr>
${summary.selfCheck ? `<tr><td>Auto-contrôle</td><td>double MSSanté de Vigie (suite service) : ${OUTCOME_WORDS[summary.selfCheck.outcome]} — contrôle du harnais, pas un verdict de la cible</td></tr>` : ''}
${summary.defects?.length ? `<tr><td>Défauts injectés</td><td>${esc(summary.defects.join(', '))} (LGC de référence)</td></tr>` : ''}
</table>
<div class="outcome">Résultat : ${OUTCOME_WORDS[summary.outcome]}</div>
<p>${ids.length} exigences du catalogue pour ce côté : ${esc(tally)}.${
    declaredOnly.length ? ` Conformité reposant sur la seule parole du LGC (preuve déclarée) : ${esc(declaredOnly.join(', '))}.` : ''
  }${(summary.reasons ?? []).length ? `<br>Motifs : ${esc((summary.reasons ?? []).join(' ; '))}` : ''}</p>
<table>
<thead><tr><th>Exigence</th><th>Intitulé</th><th>Verdict</th><th>Preuve</th><th>Scénarios</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p class="note">Preuve <b>observée</b> : ce que les doubles des services nationaux (INSi, DMP, e-prescription, MSSanté) ont reçu ou ce que l’écran a montré ;
<b>déclarée</b> : ce que le LGC dit de lui-même par son API de test ; <b>attestée</b> : la réponse d’une personne au poste.
Le détail de chaque échange est dans le dossier de preuves du scénario (lien), dans summary.json et le rapport Allure.</p>
<div class="sign"><div>Relu par (nom, organisme)</div><div>Date et signature</div></div>
</body></html>
`;
}

/** Writes reports/conformance.html from a summary, linking the evidence folders the reports folder holds. */
/** The scope in French, from its parts (the statement itself is the console's English). */
export function scopeWords(summary: Summary): string {
  const side = summary.suite === 'lgc' ? 'côté LGC' : 'côté opérateur MSSanté';
  const judged = summary.scope.inScope.length;
  const others = summary.scope.notInScope.length;
  const shard = summary.shard
    ? ` ; part ${summary.shard.index}/${summary.shard.count} (${summary.shard.scenarios} scénarios sur ${summary.shard.of})`
    : '';
  const merged = summary.merged ? ` ; jugé en ${summary.merged.shards.length} parts réunies` : '';
  if (!summary.scope.selection) return `toutes les exigences du catalogue ${side} (${judged})${merged}`;
  return `${idRanges(summary.scope.inScope) || 'aucune exigence'} (sélection : ${summary.scope.selection})${shard}${merged} ; ${others} exigence(s) du catalogue ${side} hors périmètre`;
}

export function writeConformancePage(reportsDir: string, summary: Summary): string {
  const file = join(reportsDir, 'conformance.html');
  const locations = Object.values(summary.requirements).flatMap((r) => r.scenarios);
  writeFileSync(file, conformanceHtml(summary, { evidence: evidenceLinks(reportsDir, locations) }));
  return file;
}
