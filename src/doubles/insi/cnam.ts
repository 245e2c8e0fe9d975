/**
 * What the INSi double takes from CNAM's own test platform: its faults, shaped as recorded
 * (HTTP 500, `soap:Subcode` siram_…, a `siram:Erreur` detail with CNAM's code and French text), and
 * its published test population with the answers a real client recorded there
 * (fixtures/insi/cnam-test-population.json, origin in fixtures/insi/SOURCES.md).
 *
 * Served rows: those recorded live on the platform and those of CNDA files; never the client's own
 * mocks (`virtual-mode-mock`) nor the `history` rows (answers the platform no longer gives). Where
 * two served rows answer the same request, the live one wins; a recorded fault whose trigger is
 * the LPS context (an unknown IDAM) is served by that trigger, not by the traits. NIR keys are not
 * checked: three recorded keys do not verify, and the platform answers them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultCode, SoapFault } from '../common/soap12';
import { normaliseName } from './lookup';
import type { RequestFields } from './request';
import type { InsiPerson } from './types';

/** A fault as CNAM sends it. */
export interface CnamFault extends SoapFault {
  subcode: string;
  severite: string;
  /** The French text of the siram:Erreur detail. */
  detailText: string;
}

const UNAVAILABLE =
  'Le service est temporairement inaccessible. Veuillez renouveler votre demande ultérieurement. ' +
  "Si le problème persiste, contactez l'éditeur du progiciel ou votre responsable informatique.";

/** The three fault shapes CNAM's platform was recorded answering (the JSON's `faults`), by detail code. */
export const CNAM_FAULTS: Record<string, Omit<CnamFault, 'status'>> = {
  desir_550: {
    code: 'Sender',
    subcode: 'siram_100',
    severite: 'erreur',
    detailCode: 'desir_550',
    lang: 'fr',
    reason: "L'accès par ce progiciel au service n'est pas autorisé. Contactez l'éditeur du progiciel ou votre responsable informatique.",
    detailText: "Numéro d'autorisation du logiciel inconnu.",
  },
  insi_102: {
    code: 'Receiver',
    subcode: 'siram_40',
    severite: 'fatal',
    detailCode: 'insi_102',
    lang: 'fr',
    reason: UNAVAILABLE,
    detailText: "L'appel au service de recherche avec les traits d'identité renvoie une erreur technique.",
  },
  desir_1020: {
    code: 'Sender',
    subcode: 'siram_40',
    severite: 'fatale',
    detailCode: 'desir_1020',
    lang: 'fr',
    reason: UNAVAILABLE,
    detailText: 'Le service appelé est temporairement indisponible',
  },
};

/** CNAM's fault for a detail code it was recorded sending; HTTP 500 as every SOAP fault of the service. */
export function cnamFault(detailCode: keyof typeof CNAM_FAULTS): CnamFault {
  return { status: 500, ...CNAM_FAULTS[detailCode]! };
}

export const isCnamFault = (f: SoapFault): f is CnamFault => 'detailText' in f && 'severite' in f;

/** The IDAM (software authorisation number) CNAM's platform was recorded refusing. */
export const UNKNOWN_IDAMS = ['FAKE-IDAM'];

// ---- the test population ----

interface RecordedIns {
  matricule: string;
  key: string;
  oid: string;
  dateDeb?: string;
  dateFin?: string;
}
interface RecordedAnswer {
  firstNameTried: string;
  codeCR: '00' | '01' | '02' | null;
  libelleCR: string | null;
  ins?: RecordedIns;
  insHisto?: RecordedIns[];
  traits?: { birthName: string; firstNames: string; sex: string; birthDate: string; birthPlace?: string };
  prenom?: string;
  fault?: { detailCode: string; trigger?: string };
  provenance: string;
}
interface RecordedPerson {
  label: string;
  query: { birthName: string | null; firstName: string; sex: string | null; birthDate: string | null };
  answers: RecordedAnswer[];
}
export interface CnamPopulation {
  persons: RecordedPerson[];
  history: RecordedPerson[];
}

/** One served row: the request it answers and the recorded answer. */
export interface CnamRow {
  label: string;
  /** The traits a request must carry (null: any, as the CNDA file is substituted on the first name alone). */
  match: { birthName: string | null; firstName: string; sex: string | null; birthDate: string | null };
  codeCR: '00' | '01' | '02';
  person?: InsiPerson;
  provenance: 'live' | 'cnda';
}

export const CNAM_POPULATION_FILE = join(__dirname, '..', '..', '..', 'fixtures', 'insi', 'cnam-test-population.json');

export function loadCnamPopulation(file = CNAM_POPULATION_FILE): CnamPopulation {
  return JSON.parse(readFileSync(file, 'utf8')) as CnamPopulation;
}

const kindOf = (provenance: string): 'live' | 'cnda' | undefined =>
  provenance.startsWith('live-test-platform') ? 'live' : provenance.startsWith('cnda-fixture-override') ? 'cnda' : undefined;

/** The rows the double serves (see the file's comment for which, and which wins). */
export function servedRows(population: CnamPopulation): CnamRow[] {
  const rows = new Map<string, CnamRow>();
  for (const recorded of population.persons) {
    for (const answer of recorded.answers) {
      const provenance = kindOf(answer.provenance);
      // Not served: the client's mocks; a fault (its trigger is the LPS context, served as such).
      if (!provenance || answer.codeCR === null) continue;
      const cnda = provenance === 'cnda' && recorded.query.birthName === null;
      const row: CnamRow = {
        label: recorded.label,
        match: {
          birthName: cnda ? null : recorded.query.birthName,
          firstName: answer.firstNameTried,
          sex: cnda ? null : recorded.query.sex,
          birthDate: cnda ? null : recorded.query.birthDate,
        },
        codeCR: answer.codeCR,
        provenance,
        ...(answer.codeCR === '00' && answer.ins && answer.traits ? { person: personOf(answer) } : {}),
      };
      const key = JSON.stringify([row.match.birthName, normaliseName(row.match.firstName), row.match.birthDate]);
      const had = rows.get(key);
      if (!had || (had.provenance === 'cnda' && provenance === 'live')) rows.set(key, row);
    }
  }
  return [...rows.values()];
}

function personOf(answer: RecordedAnswer): InsiPerson {
  const { ins, traits } = answer;
  return {
    matricule: ins!.matricule,
    key: ins!.key,
    oid: ins!.oid,
    birthName: traits!.birthName,
    firstName: answer.prenom ?? '',
    firstNames: traits!.firstNames,
    sex: traits!.sex,
    birthDate: traits!.birthDate,
    ...(traits!.birthPlace ? { birthPlace: traits!.birthPlace } : {}),
    ...(answer.insHisto?.length ? { history: answer.insHisto } : {}),
  };
}

/** The served row a traits request gets, if any: its first name tried, and the traits the row names. */
export function cnamAnswer(rows: readonly CnamRow[], req: RequestFields): CnamRow | undefined {
  const first = normaliseName(req.firstNames?.[0]);
  if (!first) return undefined;
  return rows.find(
    (row) =>
      normaliseName(row.match.firstName) === first &&
      (row.match.birthName === null || normaliseName(row.match.birthName) === normaliseName(req.birthName)) &&
      (row.match.birthDate === null || row.match.birthDate === req.birthDate) &&
      (row.match.sex === null || !req.sex || row.match.sex === req.sex),
  );
}

export type { FaultCode };
