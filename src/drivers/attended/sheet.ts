/**
 * The printable patient sheet of an attended session: for each scenario, the identities it uses
 * (its own: ./people.ts), as the person types them — the patient file's traits, the Carte Vitale's
 * data (to enter by hand when the LGC has no card reader emulation) and the INS the national
 * service will return. Plain HTML, one scenario per block, kept together when printed.
 */
import type { Person } from '../../fixtures/people';

export interface SheetScenario {
  number: number;
  location: string;
  name: string;
  people: Person[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const frenchDate = (iso: string) => iso.split('-').reverse().join('/');
const SEX: Record<string, string> = { M: 'Masculin', F: 'Féminin', I: 'Indéterminé' };

function personBlock(person: Person): string {
  const rows = (pairs: [string, string | undefined][]) =>
    pairs
      .filter((r): r is [string, string] => !!r[1])
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
      .join('');
  return `<div class="person"><h3>${esc(person.file.firstName)} ${esc(person.file.birthName)}</h3>
<table><caption>Dossier patient à créer</caption>${rows([
    ['Nom de naissance', person.file.birthName],
    ['Nom utilisé', person.file.usedName],
    ['Premier prénom', person.file.firstName],
    ['Prénoms', person.file.firstNames],
    ['Sexe', SEX[person.file.sex] ?? person.file.sex],
    ['Date de naissance', frenchDate(person.file.birthDate)],
    ['Lieu de naissance (code INSEE)', person.file.birthPlace],
  ])}</table>
<table><caption>Carte Vitale</caption>${rows([
    ['Matricule et clé', `${person.vitale.matricule} ${person.vitale.key ?? ''}`.trim()],
    ['Nom', person.vitale.birthName],
    ['Prénom', person.vitale.firstName],
    ['Date de naissance', frenchDate(person.vitale.birthDate)],
    ['Rang de naissance', person.vitale.birthRank],
  ])}</table>
<table><caption>INS que renverra le téléservice INSi</caption>${rows([
    ['Matricule INS et clé', `${person.insi.matricule} ${person.insi.key}`],
    ['OID', person.insi.oid],
    ['Nom de naissance', person.insi.birthName],
    ['Prénoms', person.insi.firstNames],
    ['Date de naissance', frenchDate(person.insi.birthDate)],
  ])}</table></div>`;
}

export function sheetPage(scenarios: SheetScenario[], target: string): string {
  const blocks = scenarios
    .filter((s) => s.people.length)
    .map(
      (s) =>
        `<section><h2>Scénario ${s.number} — ${esc(s.name)}</h2><p class="loc">${esc(s.location)}</p>${s.people.map(personBlock).join('')}</section>`,
    )
    .join('\n');
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Vigie — fiche des patients de test</title>
<style>
 body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #111; }
 h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin: 1.2rem 0 .2rem; } h3 { font-size: .95rem; margin: .6rem 0 .2rem; }
 .loc { color: #555; font-size: .8rem; margin: 0; }
 section { break-inside: avoid; border-top: 1px solid #999; padding-top: .3rem; }
 .person { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: flex-start; }
 .person h3 { width: 100%; }
 table { border-collapse: collapse; font-size: .85rem; } caption { text-align: left; font-weight: 600; font-size: .8rem; color: #333; }
 th { text-align: left; font-weight: 400; color: #444; padding: .1rem .6rem .1rem 0; } td { font-family: ui-monospace, monospace; }
 @media print { body { margin: 0; } .noprint { display: none; } }
</style></head><body>
<h1>Fiche des patients de test — ${esc(target)}</h1>
<p>Identités inventées (aucune personne réelle). Chaque scénario a les siennes : ne les réutilisez pas d'un scénario à l'autre. Vigie vous dira, au fil de la session, quand créer chaque dossier et quand insérer chaque carte.</p>
<p class="noprint"><button onclick="print()">Imprimer</button></p>
${blocks || '<p>Aucun scénario de la sélection ne nomme de patient.</p>'}
</body></html>`;
}
