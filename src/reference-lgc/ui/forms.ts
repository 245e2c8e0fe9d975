/**
 * Two screens of the web UI that exist apart from a patient file: « Nouveau dossier patient » (a
 * section of the patient list, POST /ui/patients) and « Paramètres » (GET/POST /ui/settings).
 * Each form is only read here and handed to the same domain functions as the test-driver API
 * (`parseTraits` + `parseDates` + `TenantState.addPatient`, as POST /testdriver/patients;
 * `applySettings`, as POST /testdriver/settings): what is accepted or refused is decided there.
 */
import { userMessage } from '../errors';
import { applySettings } from '../settings';
import type { TenantSettings } from '../tenant';
import { parseDates, parseTraits } from '../validation';
import { esc, flash, tid, type Nav } from './html';
import { flashQuery } from './http';
import type { Req } from './request';

const action = (nav: Nav, path: string): string => esc(path + nav.q);
/** The date of « Rendez-vous aujourd'hui », as the start-of-day form's default date. */
const today = (): string => new Date().toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Nouveau dossier patient

/** The optional and required traits of the form, in the order shown, as the API's `file` names them. */
const TRAIT_FIELDS: Array<[name: string, label: string, required: boolean]> = [
  ['birthName', 'Nom de naissance', true],
  ['usedName', 'Nom utilisé', false],
  ['firstName', 'Premier prénom', true],
  ['firstNames', 'Prénoms (tous, séparés par des espaces)', false],
];

/** The « Nouveau dossier patient » section of the patient list. */
export function newPatientSection(nav: Nav): string {
  const text = TRAIT_FIELDS.map(
    ([name, label, required]) =>
      `<label>${esc(label)} <input name="${name}"${required ? ' required' : ''} ${tid(`new-patient-${name}`)}></label>`,
  ).join('\n');
  return `<section><h2>Nouveau dossier patient</h2>
<form method="post" action="${action(nav, '/ui/patients')}" ${tid('new-patient-form')}>
${text}
<label>Sexe <select name="sex" required ${tid('new-patient-sex')}><option value="">Choisir…</option><option value="M">Masculin</option><option value="F">Féminin</option><option value="I">Indéterminé</option></select></label>
<label>Date de naissance <input type="date" name="birthDate" required ${tid('new-patient-birthDate')}></label>
<label>Lieu de naissance (code INSEE) <input name="birthPlace" size="6" ${tid('new-patient-birthPlace')}></label>
<label><input type="checkbox" name="appointmentToday" value="1" ${tid('new-patient-appointmentToday')}> Rendez-vous aujourd'hui</label>
<button type="submit" ${tid('new-patient-submit')}>Créer le dossier</button>
</form></section>`;
}

/**
 * POST /ui/patients: where the browser goes next. The new file with `opened=1` (creating a file
 * is not opening it: no INSi call), or the list with the refusal as the error flash.
 */
export function createPatientFromForm(request: Req): string {
  const { form, nav, t } = request;
  const file: Record<string, string> = {};
  for (const name of ['birthName', 'usedName', 'firstName', 'firstNames', 'sex', 'birthDate', 'birthPlace']) {
    const value = form.get(name);
    if (value !== null) file[name] = value;
  }
  try {
    const traits = parseTraits(file, 'file');
    const appointments = parseDates(form.get('appointmentToday') ? [today()] : [], 'appointments');
    const patient = t.addPatient(traits, appointments);
    return `/ui/patients/${encodeURIComponent(patient.id)}${nav.q}&opened=1`;
  } catch (e) {
    const msg = userMessage(e);
    if (!msg) throw e;
    return `/ui/patients${nav.q}${flashQuery({ text: msg, kind: 'error' })}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Paramètres

type SettingKey = keyof TenantSettings;
/** The three modules of the settings screen, under the keys applySettings takes. */
export const SETTINGS: Array<[key: SettingKey, label: string, inText: string]> = [
  ['insi', 'Appel INSi', 'appel INSi'],
  ['dmpFeeding', 'Alimentation du DMP', 'alimentation du DMP'],
  ['ePrescription', 'Ordonnance numérique', 'ordonnance numérique'],
];
const inText = (key: string): string => SETTINGS.find(([k]) => k === key)?.[2] ?? key;

/** GET /ui/settings: a box per module, ticked as the settings are; after a save, what was refused and what was applied. */
export function settingsBody(request: Req): string {
  const { nav, t, url } = request;
  const boxes = SETTINGS.map(
    ([key, label]) =>
      `<label><input type="checkbox" name="${key}" value="1"${t.settings[key] ? ' checked' : ''} ${tid(`setting-${key}`)}> ${esc(label)}</label>`,
  ).join('\n');
  return `${flash(url.searchParams.get('refused') ?? undefined, 'error')}${flash(url.searchParams.get('applied') ?? undefined)}
<section ${tid('settings')}><h2>Modules</h2>
<form method="post" action="${action(nav, '/ui/settings')}" ${tid('settings-form')}>
${boxes}
<button type="submit" ${tid('settings-submit')}>Enregistrer</button>
</form></section>`;
}

/**
 * POST /ui/settings: the boxes whose state differs from the current settings are handed to
 * applySettings (a box left as it was asks for nothing); back to the screen with its answer.
 */
export function saveSettingsFromForm(request: Req): string {
  const { form, nav, t } = request;
  const changes: Partial<Record<SettingKey, boolean>> = {};
  for (const [key] of SETTINGS) {
    const wanted = form.has(key);
    if (wanted !== t.settings[key]) changes[key] = wanted;
  }
  const back = `/ui/settings${nav.q}`;
  if (!Object.keys(changes).length) return `${back}&applied=${encodeURIComponent('Aucune modification.')}`;
  try {
    const { applied, refused } = applySettings(t, changes);
    const words = (keys: string[], say: (key: string) => string): string => keys.map((key) => `${say(key)} (${key})`).join(', ');
    const refusedText = refused.length
      ? `Refusé : ${words(refused, (key) => `${changes[key as SettingKey] ? 'activation' : 'désactivation'} du module ${inText(key)}`)}`
      : '';
    const appliedText = applied.length
      ? `Appliqué : ${words(applied, (key) => `module ${inText(key)} ${changes[key as SettingKey] ? 'activé' : 'désactivé'}`)}`
      : '';
    return (
      back +
      (refusedText ? `&refused=${encodeURIComponent(refusedText)}` : '') +
      (appliedText ? `&applied=${encodeURIComponent(appliedText)}` : '')
    );
  } catch (e) {
    const msg = userMessage(e);
    if (!msg) throw e;
    return `${back}&refused=${encodeURIComponent(msg)}`;
  }
}
