/** The exact French texts the reference LGC shows (QUAL-03, QUAL-04) and its refusal messages. */

/** QUAL-04: the identity documents, in this order, exact characters. */
export const IDENTITY_DOCUMENTS: readonly string[] = Object.freeze([
  'Passeport (français ou étranger)',
  "Carte Nationale d'Identité (française ou étrangère)",
  "Extrait d'acte de naissance ou livret de famille",
  'Titre ou carte de séjour',
  "Document de demandeur d'asile avec photo",
  "Dispositif numérique d'identification/authentification forte",
]);

/** QUAL-03: the attestation sentence shown when confirming the exception procedure. */
export const ATTESTATION =
  "J'atteste déjà connaître l'identité de cette personne et sa correspondance aux traits d'identité INSi. Cela me permet de partager ses données en toute sécurité";

/** Seeded defect attestation-paraphrased: the same sentence with « déjà » dropped. */
export const ATTESTATION_PARAPHRASED =
  "J'atteste connaître l'identité de cette personne et sa correspondance aux traits d'identité INSi. Cela me permet de partager ses données en toute sécurité";

export const EXCEPTION_LABEL = 'exception';

/** Messages of the qualification refusals (what the user sees), by reason. */
export const REFUSAL_MESSAGES = {
  'anonymous-card': "Qualification impossible : une carte CPE anonyme ne permet pas de qualifier l'identité INS.",
  'no-insi-identity': "Qualification impossible : le téléservice INSi n'a renvoyé aucune identité pour ce patient.",
  'exception-requires-ps':
    "Qualification impossible : la procédure d'exception ne peut être réalisée que par le professionnel de santé en personne (carte CPS).",
  'exception-requires-perfect-concordance':
    "Qualification impossible : la procédure d'exception exige une concordance parfaite du nom de naissance, du premier prénom, de la date de naissance et du sexe entre le dossier et INSi.",
  'discordant-traits':
    "Qualification impossible : les traits d'identité du dossier ne concordent pas avec ceux renvoyés par INSi. Corrigez les différences signalées.",
  'unknown-document': "Qualification impossible : ce justificatif d'identité ne fait pas partie de la liste des documents recevables.",
  'secretariat-not-allowed': "Qualification impossible : le secrétariat n'est pas autorisé à qualifier l'identité INS.",
} as const;

export type RefusalReason = keyof typeof REFUSAL_MESSAGES;
