/**
 * The attended driver: the LGC is driven by a person at its keyboard. Each action becomes an
 * instruction on the attended console (./console.ts) with the exact data to type; each reading of
 * the screen becomes questions, only about the fields the step judges. What the person answers is
 * *attested* evidence (steps/support/world.ts, screenKind); what reaches Vigie's doubles stays
 * observed, exactly as with the other drivers.
 *
 * An action's time is the person's: from "Je le fais maintenant" to "C'est fait". No verdict is
 * drawn from it (the timing requirements ask the person instead: steps/support/held.ts).
 * Over 300 lines because it is the whole LgcDriver contract in a person's words; the words
 * themselves are in ./words.ts.
 */
import {
  ActionResult,
  CarteVitale,
  ConsultResult,
  DocumentContent,
  DocumentType,
  DocumentView,
  DriverExchange,
  IdentityView,
  LgcDriver,
  Masking,
  Observed,
  OutgoingMessage,
  QualifyMethod,
  QualifyResult,
  ResetOptions,
  SentMessage,
  Settings,
  TargetError,
  TargetRefusal,
  ThreadMessage,
  Traits,
  ValidateHints,
  Workstation,
} from '../driver';
import { CannotJudge } from '../../harness/verdict';
import type { AttendedConsole } from './console';
import type { Answer, Task, TaskField } from './session';
import {
  DOCUMENT_QUESTIONS,
  DOCUMENT_WORDS,
  IDENTITY_QUESTIONS,
  MASKING_WORDS,
  choice,
  clicksQuestion,
  frenchDate,
  number,
  screensQuestion,
  text,
  traitRows,
  workstationWords,
  yesno,
} from './words';

/** A person's answers are attested: every field of every value. */
export const ATTESTED = '*';

/** What the two drivers of a scenario (the one under test and the one arranging) share. */
export interface AttendedShared {
  console: AttendedConsole;
  /** Patient handles (the name the person reads) → the file's traits. */
  files: Map<string, Traits>;
  documents: Map<string, { patientId: string; type: DocumentType; title: string }>;
  configured: boolean;
  configuredHere?: boolean;
  /** The last message the person was asked to send (what the messaging questions are about). */
  lastMessage?: string;
  /** Configures an LGC Vigie can configure itself (the embedded reference); answers where its UI is. */
  configure?: (o: ResetOptions) => Promise<string | void>;
  scenario: string;
  step: string;
  exchanges: DriverExchange[];
  /** Screenshots the person attached during the scenario (journal-relative paths), for the report. */
  attachments: { step: string; file: string }[];
}

const handleOf = (t: { birthName: string; firstName: string; birthDate: string }) =>
  `${t.birthName} ${t.firstName} (né·e le ${frenchDate(t.birthDate)})`;
const plain = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();

export class AttendedDriver implements LgcDriver {
  readonly kind = 'attended' as const;
  onPress: (() => void) | undefined;
  checkResponsiveness = false;

  constructor(private readonly shared: AttendedShared) {}

  /** The scenario and step the tasks belong to (set by the hooks). */
  set scenario(name: string) {
    this.shared.scenario = name;
  }
  set step(text: string) {
    this.shared.step = text;
  }

  private async task(spec: Omit<Task, 'id' | 'createdAt' | 'scenario' | 'step'>): Promise<Answer & { ms: number }> {
    const t0 = performance.now();
    const at = new Date().toISOString();
    let answer: Answer;
    try {
      answer = await this.shared.console.session.ask({ ...spec, scenario: this.shared.scenario, step: this.shared.step });
    } finally {
      this.shared.console.progress.scenario = this.shared.scenario;
    }
    if (answer.startedAt !== undefined) this.onPress?.();
    const ms = Math.round(answer.doneAt - (answer.startedAt ?? t0));
    this.shared.exchanges.push({
      at,
      method: 'ATTENDED',
      url: `${spec.kind}:${spec.op}`,
      requestBody: { title: spec.title, args: spec.args },
      status: answer.outcome === 'done' ? 200 : answer.outcome === 'refused' ? 409 : 499,
      responseBody: { outcome: answer.outcome, answers: answer.answers, message: answer.message, attachments: answer.attachments },
      ms,
    });
    for (const file of answer.attachments) this.shared.attachments.push({ step: this.shared.step, file });
    if (answer.outcome === 'skipped') throw skippedByPerson(answer.message ?? '');
    if (answer.outcome === 'refused') {
      if (spec.kind === 'question') throw new TargetError(`the person could not answer « ${spec.title} »: ${answer.message ?? ''}`);
      throw new TargetRefusal(spec.op, 0, 'refused', answer.message ?? '');
    }
    return { ...answer, ms };
  }

  private name(patientId: string): string {
    return patientId;
  }

  async health(): Promise<{ name?: string; version?: string; contract: string }> {
    return { name: 'LGC driven by a person (attended mode)', contract: 'attended' };
  }

  async reset(opts: ResetOptions): Promise<void> {
    // Once per process: an LGC Vigie configures itself (the embedded reference) starts anew with
    // each run, even a resumed one; a person's LGC was configured at the session's start.
    if (this.shared.configuredHere) return;
    this.shared.configuredHere = true;
    const ui = await this.shared.configure?.(opts);
    if (this.shared.configured && !ui) return;
    const doubles = opts.doubles;
    const data: [string, string][] = [];
    if (ui) data.push(['Le logiciel (déjà configuré par Vigie), à ouvrir', ui]);
    data.push(['INSi (SOAP 1.2, TLS mutuel)', doubles.insi]);
    if (doubles.dmp)
      data.push(['DMP — entrepôt (ITI-41)', doubles.dmp.repositoryUrl], ['DMP — registre (ITI-18)', doubles.dmp.registryUrl]);
    if (doubles.eprescription) data.push(['Ordonnance numérique', doubles.eprescription]);
    if (doubles.mss)
      data.push(
        ['MSSanté — SMTP (STARTTLS)', `${doubles.mss.smtp.host}:${doubles.mss.smtp.port}`],
        ['MSSanté — POP3 (STLS)', `${doubles.mss.pop3.host}:${doubles.mss.pop3.port}`],
        ['MSSanté — boîte du cabinet', doubles.mss.mailbox],
        ['MSSanté — mot de passe', doubles.mss.password],
      );
    if (doubles.tls) {
      data.push(
        [
          'Autorité de certification à installer',
          this.shared.console.offer({ name: 'vigie-ca.pem', contentType: 'application/x-pem-file', body: doubles.tls.ca }),
        ],
        [
          'Certificat client du logiciel',
          this.shared.console.offer({ name: 'vigie-client.pem', contentType: 'application/x-pem-file', body: doubles.tls.certificate }),
        ],
        [
          'Clé privée du certificat client',
          this.shared.console.offer({ name: 'vigie-client-key.pem', contentType: 'application/x-pem-file', body: doubles.tls.key }),
        ],
      );
    }
    for (const ws of opts.workstations ?? []) data.push([`Poste : ${ws.role === 'PS' ? 'médecin' : 'secrétariat'}`, workstationWords(ws)]);
    await this.task({
      kind: 'setup',
      op: 'configure',
      // The certificates are offered as files (data above), not copied into the journal.
      args: { ...opts, doubles: { ...opts.doubles, tls: opts.doubles.tls ? 'offered as files' : undefined } },
      title: 'Configurez le logiciel pour cette session',
      text:
        'Une seule fois : faites pointer le logiciel vers les services de test de Vigie ci-dessous (à la place des téléservices réels), ' +
        'installez les certificats, et préparez les postes. Imprimez la fiche des patients (lien en haut de page) : chaque scénario a ses propres identités.',
      data,
    });
    this.shared.configured = true;
  }

  async createPatient(file: Traits, appointments?: string[]): Promise<string> {
    const handle = handleOf(file);
    await this.task({
      kind: 'instruction',
      op: 'createPatient',
      args: { file, appointments, handle },
      title: `Créez le dossier patient de ${file.firstName} ${file.birthName}`,
      text: `Créez un nouveau dossier avec exactement ces traits (sans carte Vitale).${appointments?.length ? `\nDonnez-lui un rendez-vous le ${appointments.map(frenchDate).join(', ')}.` : ''}`,
      data: traitRows(file),
    });
    this.shared.files.set(handle, file);
    return handle;
  }

  async insertCarteVitale(ws: Workstation, card: CarteVitale): Promise<Observed<{ patientId: string }>> {
    const handle = this.fileOfCard(card);
    const done = await this.task({
      kind: 'instruction',
      op: 'insertCarteVitale',
      args: { ws, card, handle },
      timed: true,
      title: `Insérez la carte Vitale de ${card.firstName} ${card.birthName}`,
      text: `Sur ${workstationWords(ws)}, insérez la carte Vitale (ou saisissez ses données si le poste n'a pas de lecteur), puis laissez le logiciel faire.`,
      data: [
        ['Matricule et clé', `${card.matricule} ${card.key ?? ''}`.trim()],
        ['Nom', card.birthName],
        ['Prénom', card.firstName],
        ['Date de naissance', frenchDate(card.birthDate)],
        ...(card.birthRank ? ([['Rang de naissance', card.birthRank]] as [string, string][]) : []),
      ],
    });
    return { value: { patientId: handle }, ms: done.ms, declaredFields: [ATTESTED] };
  }

  /** The file the card opens: the one created with the same birth date and name (else first name), or a new one. */
  private fileOfCard(card: CarteVitale): string {
    const same = [...this.shared.files].filter(([, f]) => f.birthDate === card.birthDate);
    const found =
      same.find(([, f]) => plain(f.birthName) === plain(card.birthName)) ??
      same.find(([, f]) => plain(f.firstName) === plain(card.firstName));
    if (found) return found[0];
    const file: Traits = { birthName: card.birthName, firstName: card.firstName, birthDate: card.birthDate, sex: 'I' };
    const handle = handleOf(file);
    this.shared.files.set(handle, file);
    return handle;
  }

  async openPatientFile(ws: Workstation, patientId: string): Promise<Observed<IdentityView>> {
    const done = await this.task({
      kind: 'instruction',
      op: 'openPatientFile',
      args: { ws, patientId },
      timed: true,
      title: `Ouvrez le dossier de ${this.name(patientId)}`,
      text: `Sur ${workstationWords(ws)}, ouvrez le dossier de ce patient, comme en consultation.`,
    });
    return { value: this.emptyIdentity(patientId), ms: done.ms, declaredFields: [ATTESTED] };
  }

  async startOfDay(ws: Workstation, date: string): Promise<Observed<{ patientsOfTheDay: number }>> {
    const done = await this.task({
      kind: 'instruction',
      op: 'startOfDay',
      args: { ws, date },
      timed: true,
      title: `Démarrez la journée du ${frenchDate(date)}`,
      text: `Sur ${workstationWords(ws)}, démarrez la journée (liste des patients du jour), puis dites combien de patients du jour le logiciel affiche.`,
      fields: [number('patientsOfTheDay', 'Combien de patients du jour le logiciel affiche-t-il ?')],
    });
    return { value: { patientsOfTheDay: Number(done.answers.patientsOfTheDay) }, ms: done.ms, declaredFields: [ATTESTED] };
  }

  private emptyIdentity(patientId: string): IdentityView {
    const file = this.shared.files.get(patientId) ?? { birthName: '', firstName: '', birthDate: '', sex: 'I' as const };
    return { patientId, file, ins: { status: 'none' }, insi: {}, qualification: { offered: false } };
  }

  /** The identity panel, as the person reads it: only the fields asked (default: the INS and its state). */
  async identity(patientId: string, fields: string[] = ['ins.status', 'ins.matricule']): Promise<Observed<IdentityView>> {
    const questions = fields.flatMap((f) => IDENTITY_QUESTIONS[f] ?? IDENTITY_QUESTIONS[f.split('.').slice(0, 2).join('.')] ?? []);
    const done = await this.task({
      kind: 'question',
      op: 'identity',
      args: { patientId, fields },
      title: `Que montre le dossier de ${this.name(patientId)} ?`,
      text: "Regardez le dossier de ce patient (ouvrez-le s'il ne l'est pas) et répondez d'après ce que l'écran affiche.",
      fields: uniqueFields(questions),
    });
    const said = done.answers;
    const view = this.emptyIdentity(patientId);
    if (said['ins.status']) view.ins.status = said['ins.status'] as IdentityView['ins']['status'];
    const ins = (said['ins.matricule'] ?? '').replace(/\s+/g, '');
    if (ins) Object.assign(view.ins, { matricule: ins.slice(0, 13), key: ins.slice(13) || undefined });
    if (said['ins.qualifiedBy']) view.ins.qualifiedBy = said['ins.qualifiedBy'];
    if (said['insi.lastCall.outcome'])
      view.insi.lastCall = {
        outcome: said['insi.lastCall.outcome'] as never,
        ...(said['insi.lastCall.message'] ? { message: said['insi.lastCall.message'] } : {}),
      };
    if (said['qualification.offered']) view.qualification.offered = said['qualification.offered'] === 'yes';
    if ('qualification.documents' in said) view.qualification.documents = lines(said['qualification.documents']);
    if (said['qualification.exceptionProcedure.offered'])
      view.qualification.exceptionProcedure = {
        offered: said['qualification.exceptionProcedure.offered'] === 'yes',
        attestation: said['qualification.exceptionProcedure.attestation'] || null,
      };
    if (fields.includes('qualification.comparison')) {
      const differs = new Set((said['comparison.differs'] ?? '').split(',').filter(Boolean));
      view.qualification.comparison = (['birthName', 'firstName', 'birthDate', 'sex'] as const)
        .filter((t) => said[`comparison.${t}.file`] || said[`comparison.${t}.insi`])
        .map((t) => ({
          trait: t,
          file: said[`comparison.${t}.file`] ?? '',
          insi: said[`comparison.${t}.insi`] ?? '',
          differs: differs.has(t),
        }));
    }
    return { value: view, ms: done.ms, declaredFields: [ATTESTED] };
  }

  async qualify(ws: Workstation, patientId: string, method: QualifyMethod, document?: string): Promise<Observed<QualifyResult>> {
    const how = method === 'exception' ? "par la procédure d'exception (sans justificatif)" : `avec le justificatif « ${document ?? ''} »`;
    const done = await this.task({
      kind: 'instruction',
      op: 'qualify',
      args: { ws, patientId, method, document },
      timed: true,
      title: `Qualifiez l'identité de ${this.name(patientId)}`,
      text: `Sur ${workstationWords(ws)}, qualifiez l'INS de ce patient ${how}, par le chemin le plus court que le logiciel offre. Comptez vos clics. Si le logiciel refuse, dites-le (« Le logiciel a refusé »).`,
      fields: [
        clicksQuestion('qualifier l’identité'),
        screensQuestion,
        text('shown', 'Recopiez le texte affiché au moment de confirmer (attestation, message), s’il y en a un', true, true),
      ],
    }).catch((e: unknown) => {
      if (e instanceof TargetRefusal) return e;
      throw e;
    });
    if (done instanceof TargetRefusal)
      return { value: { qualified: false, reason: 'refused', message: done.shown, status: 0 }, ms: 0, declaredFields: [ATTESTED] };
    return {
      value: {
        qualified: true,
        clicks: Number(done.answers.clicks),
        screenChanges: Number(done.answers.screenChanges),
        shown: lines(done.answers.shown ?? ''),
      },
      ms: done.ms,
      declaredFields: [ATTESTED],
    };
  }

  async settings(ws: Workstation, settings: Settings): Promise<Observed<{ applied: string[]; refused: string[] }>> {
    const words: Record<string, string> = {
      insi: "l'appel au téléservice INSi",
      dmpFeeding: "l'alimentation du DMP",
      ePrescription: "l'ordonnance numérique",
    };
    const wanted = Object.entries(settings).filter(([, v]) => v !== undefined);
    const done = await this.task({
      kind: 'instruction',
      op: 'settings',
      args: { ws, settings },
      title: 'Changez les paramètres du logiciel',
      text: `Sur ${workstationWords(ws)}, dans les paramètres : ${wanted.map(([k, v]) => `${v ? 'activez' : 'désactivez'} ${words[k] ?? k}`).join(' ; ')}.`,
      fields: wanted.map(([k]) => yesno(`applied.${k}`, `Le logiciel a-t-il accepté le changement pour ${words[k] ?? k} ?`)),
    });
    const applied = wanted.filter(([k]) => done.answers[`applied.${k}`] === 'yes').map(([k]) => k);
    return {
      value: { applied, refused: wanted.map(([k]) => k).filter((k) => !applied.includes(k)) },
      ms: done.ms,
      declaredFields: [ATTESTED],
    };
  }

  async createDocument(
    ws: Workstation,
    patientId: string,
    type: DocumentType,
    content: DocumentContent,
  ): Promise<Observed<DocumentView[]>> {
    const data: [string, string][] = [];
    if (content.title) data.push(['Titre', content.title]);
    if (content.text) data.push(['Texte', content.text]);
    content.lines?.forEach((l, i) => data.push([`Ligne ${i + 1}`, `${l.product} — ${l.dosage}`]));
    content.vaccinations?.forEach((v, i) =>
      data.push([
        `Vaccination ${i + 1}`,
        [v.vaccine, v.code && `code ${v.code}`, v.lot && `lot ${v.lot}`, v.date && `le ${frenchDate(v.date)}`].filter(Boolean).join(', '),
      ]),
    );
    if (content.problems?.length) data.push(['Problèmes', content.problems.join(' ; ')]);
    if (content.treatments?.length) data.push(['Traitements', content.treatments.join(' ; ')]);
    if (content.allergies?.length) data.push(['Allergies', content.allergies.join(' ; ')]);
    if (content.medecinTraitant !== undefined) data.push(['Médecin traitant', content.medecinTraitant ?? 'aucun (ne rien saisir)']);
    const base = `${DOCUMENT_WORDS[type]} n° ${this.shared.documents.size + 1} (${this.name(patientId)})`;
    const done = await this.task({
      kind: 'instruction',
      op: 'createDocument',
      // Several documents (one per vaccination…) are named base — i/n.
      args: { ws, patientId, type, content, base },
      title: `Rédigez ${DOCUMENT_WORDS[type]} pour ${this.name(patientId)}`,
      text: `Sur ${workstationWords(ws)}, dans le dossier de ce patient, rédigez ${DOCUMENT_WORDS[type]} avec ce contenu. Ne la validez pas encore.`,
      data,
      fields: [
        number('count', 'Combien de documents le logiciel a-t-il créés ?'),
        yesno('sendToDmp.checked', "La case d'envoi au DMP est-elle cochée (sur chacun) ?"),
      ],
    });
    const count = Math.max(1, Number(done.answers.count) || 1);
    const views = Array.from({ length: count }, (_, i) => {
      const documentId = `${base}${count > 1 ? ` — ${i + 1}/${count}` : ''}`;
      this.shared.documents.set(documentId, { patientId, type, title: content.title ?? '' });
      return this.emptyDocument(documentId, patientId, type, done.answers['sendToDmp.checked'] === 'yes');
    });
    return { value: views, ms: done.ms, declaredFields: [ATTESTED] };
  }

  private emptyDocument(documentId: string, patientId: string, type: string, checked = false): DocumentView {
    return { documentId, patientId, type, sendToDmp: { checked }, dmp: { status: 'not-sent' } };
  }

  async document(documentId: string, fields: string[] = ['sendToDmp.checked', 'dmp.status']): Promise<Observed<DocumentView>> {
    const known = this.shared.documents.get(documentId);
    const done = await this.task({
      kind: 'question',
      op: 'document',
      args: { documentId, fields },
      title: `Que montre le logiciel pour : ${documentId} ?`,
      text: 'Regardez ce document dans le logiciel et répondez d’après ce que l’écran affiche.',
      fields: uniqueFields(fields.flatMap((f) => DOCUMENT_QUESTIONS[f] ?? [])),
    });
    const said = done.answers;
    const view = this.emptyDocument(documentId, known?.patientId ?? '', known?.type ?? '');
    if (said['sendToDmp.checked']) view.sendToDmp.checked = said['sendToDmp.checked'] === 'yes';
    if (said['dmp.status']) view.dmp.status = said['dmp.status'] as DocumentView['dmp']['status'];
    if (said['dmp.message']) view.dmp.message = said['dmp.message'];
    if (said.typeCode) view.typeCode = said.typeCode;
    if (said.typeCodeSetBy) view.typeCodeSetBy = said.typeCodeSetBy as 'automatic' | 'user';
    if (said.status) view.status = said.status as 'draft' | 'validated';
    if (said['printed.datamatrix']) view.printed = { datamatrix: said['printed.datamatrix'] === 'yes' };
    return { value: view, ms: done.ms, declaredFields: [ATTESTED] };
  }

  /** The CDA the LGC keeps for this document, as the person exports it from the LGC (attested). */
  async documentContent(documentId: string): Promise<Observed<string>> {
    const done = await this.task({
      kind: 'instruction',
      op: 'documentContent',
      args: { documentId },
      title: `Exportez le document CDA : ${documentId}`,
      text: 'Exportez depuis le logiciel le document CDA (fichier XML) de ce document, tel qu’il le conserve, et déposez le fichier ici.',
      fields: [{ name: 'cda', label: 'Le fichier CDA exporté (XML)', kind: 'file' }],
    });
    return { value: done.answers.cda, ms: done.ms, declaredFields: [ATTESTED] };
  }

  private async gesture(
    op: string,
    ws: Workstation,
    documentId: string,
    title: string,
    text: string,
    extra: TaskField[] = [],
    more: Record<string, unknown> = {},
  ): Promise<Observed<ActionResult>> {
    const done = await this.task({
      kind: 'instruction',
      op,
      args: { ws, documentId, ...more },
      timed: true,
      title,
      text: `Sur ${workstationWords(ws)} : ${text} Comptez vos clics.`,
      fields: [clicksQuestion('faire ce geste'), ...extra],
    });
    const clicks = Array.from({ length: Math.max(0, Number(done.answers.clicks) || 0) }, () => ({ purpose: op }));
    const printed =
      done.answers['printed.datamatrix'] !== undefined
        ? { datamatrix: done.answers['printed.datamatrix'] === 'yes', ePrescriptionNumber: done.answers.ePrescriptionNumber || null }
        : undefined;
    return { value: { clicks, ...(printed ? { printed } : {}) }, ms: done.ms, declaredFields: [ATTESTED] };
  }

  doNotSend(ws: Workstation, documentId: string): Promise<Observed<ActionResult>> {
    return this.gesture(
      'doNotSend',
      ws,
      documentId,
      `Ne pas envoyer au DMP : ${documentId}`,
      "le patient s'oppose à l'envoi de ce document au DMP : indiquez-le au logiciel.",
    );
  }

  mask(ws: Workstation, documentId: string, maskedFrom: Masking[]): Promise<Observed<ActionResult>> {
    return this.gesture(
      'mask',
      ws,
      documentId,
      `Masquez : ${documentId}`,
      `masquez ce document ${maskedFrom.map((m) => MASKING_WORDS[m]).join(' et ')}.`,
      [],
      { maskedFrom },
    );
  }

  validate(ws: Workstation, documentId: string, hints?: ValidateHints): Promise<Observed<ActionResult>> {
    const known = this.shared.documents.get(documentId);
    const prescription = known?.type === 'prescription';
    return this.gesture(
      'validate',
      ws,
      documentId,
      `Validez : ${documentId}`,
      `validez ce document${prescription ? ' et imprimez l’ordonnance' : ''}${hints?.typeCode ? ` (si le logiciel vous demande un type de document, choisissez le code ${hints.typeCode})` : ''}.`,
      prescription
        ? [
            yesno('printed.datamatrix', 'L’ordonnance imprimée porte-t-elle un code Datamatrix ?'),
            text('ePrescriptionNumber', 'Numéro d’ordonnance numérique imprimé (vide si aucun)', true),
          ]
        : [],
    );
  }

  async consultDmp(ws: Workstation, patientId: string, nonOpposition?: boolean): Promise<Observed<ConsultResult>> {
    const reply =
      nonOpposition === undefined
        ? 'ne répondez pas et annulez'
        : nonOpposition
          ? 'répondez qu’il ne s’y oppose pas'
          : 'répondez qu’il s’y oppose';
    const done = await this.task({
      kind: 'instruction',
      op: 'consultDmp',
      args: { ws, patientId, nonOpposition },
      timed: true,
      title: `Consultez le DMP de ${this.name(patientId)}`,
      text: `Sur ${workstationWords(ws)}, consultez le DMP de ce patient. Si le logiciel vous demande si le patient s'oppose à la consultation, ${reply}.`,
      fields: [
        yesno('asked', 'Le logiciel vous a-t-il demandé si le patient s’opposait à la consultation ?'),
        text('question', 'Recopiez exactement la question posée (vide si aucune)', true),
        text('reminder', 'Recopiez exactement le rappel affiché avec la question (vide si aucun)', true, true),
        yesno('consulted', 'Le logiciel a-t-il affiché le contenu du DMP ?'),
        number('documents', 'Combien de documents du DMP sont affichés ? (0 si aucun)'),
        text('error', 'Message d’erreur affiché (vide si aucun)', true),
      ],
    });
    const said = done.answers;
    return {
      value: {
        asked: said.asked === 'yes',
        ...(said.question ? { question: said.question } : {}),
        ...(said.reminder ? { reminder: said.reminder } : {}),
        consulted: said.consulted === 'yes',
        documents: Array.from({ length: Number(said.documents) || 0 }, () => ({})),
        ...(said.error ? { error: said.error } : {}),
      },
      ms: done.ms,
      declaredFields: [ATTESTED],
    };
  }

  async sendMessage(ws: Workstation, message: OutgoingMessage): Promise<Observed<SentMessage>> {
    const to = 'patientId' in message.to ? `la messagerie de santé du patient ${this.name(message.to.patientId)}` : message.to.address;
    const done = await this.task({
      kind: 'instruction',
      op: 'sendMessage',
      args: { ws, message },
      timed: true,
      title: 'Envoyez un message par messagerie sécurisée',
      text: `Sur ${workstationWords(ws)}, envoyez ce message à ${to}.${message.readReceipt ? ' Demandez un accusé de lecture.' : ''}`,
      data: [
        ['Objet', message.subject],
        ['Texte', message.body],
        ...(message.attachments?.length
          ? ([['Pièces jointes', message.attachments.map((x) => x.documentId).join(' ; ')]] as [string, string][])
          : []),
      ],
      fields: [text('address', "À quelle adresse le logiciel a-t-il envoyé le message ? (telle qu'affichée)")],
    });
    const messageId = `message du ${new Date().toISOString()}`;
    this.shared.lastMessage = messageId;
    return { value: { messageId, address: done.answers.address }, ms: done.ms, declaredFields: [ATTESTED] };
  }

  async patientMessages(patientId: string): Promise<Observed<{ messages: ThreadMessage[]; ended?: boolean }>> {
    const done = await this.task({
      kind: 'question',
      op: 'patientMessages',
      args: { patientId },
      title: `Que montre la messagerie de ${this.name(patientId)} ?`,
      text: 'Ouvrez les échanges avec ce patient dans la messagerie du logiciel et répondez d’après ce que l’écran affiche, pour le dernier message envoyé.',
      fields: [
        choice('status', 'État du dernier message envoyé, selon le logiciel', [
          ['sent', 'Envoyé'],
          ['bounced', 'Non distribué (erreur de remise)'],
          ['read', 'Lu par le patient'],
        ]),
        text('bounce', 'Recopiez le message de non-distribution affiché (vide si aucun)', true, true),
        yesno('ended', 'Le logiciel montre-t-il l’échange comme clôturé ?'),
      ],
    });
    const said = done.answers;
    const message: ThreadMessage = {
      // The person answers about the last message sent: the one Vigie asked them to send.
      messageId: this.shared.lastMessage ?? 'dernier message envoyé',
      direction: 'out',
      status: said.status as ThreadMessage['status'],
      ...(said.bounce ? { bounce: { text: said.bounce } } : {}),
    };
    return { value: { messages: [message], ended: said.ended === 'yes' }, ms: done.ms, declaredFields: [ATTESTED] };
  }

  async endExchange(ws: Workstation, patientId: string): Promise<Observed<{ messageId?: string }>> {
    const done = await this.task({
      kind: 'instruction',
      op: 'endExchange',
      args: { ws, patientId },
      timed: true,
      title: `Clôturez l'échange avec ${this.name(patientId)}`,
      text: `Sur ${workstationWords(ws)}, clôturez l'échange par messagerie avec ce patient (fin de la conversation).`,
    });
    return { value: {}, ms: done.ms, declaredFields: [ATTESTED] };
  }

  /** A question Vigie asks that is not a driver reading (the timing requirements: steps/support/held.ts). */
  async ask(title: string, textOf: string, fields: TaskField[], op = 'ask'): Promise<Record<string, string>> {
    return (await this.task({ kind: 'question', op, title, text: textOf, fields })).answers;
  }

  exchanges(): DriverExchange[] {
    return this.shared.exchanges;
  }

  async close(): Promise<void> {}
}

/** The person skipped the scenario, with a reason: not judged, the reason in the report. */
const skippedByPerson = (reason: string) =>
  new CannotJudge([], `skipped by the person at the keyboard: ${reason}`, 'the scenario played to its end');

function uniqueFields(fields: TaskField[]): TaskField[] {
  const seen = new Set<string>();
  return fields.filter((f) => !seen.has(f.name) && seen.add(f.name));
}

const lines = (s: string) =>
  s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
