/**
 * The one interface every target driver implements (http test-driver API, web UI, …).
 * Steps talk to the LGC only through it. Each action answers what the user would see,
 * plus how the target got there (clicks, screen changes) where the driver can tell.
 */
export type Role = 'PS' | 'secretariat';
export type ProCard = 'CPS' | 'CPE-nominative' | 'CPE-anonymous';
/**
 * A workstation and the professional card in its reader. `idNat` is the card holder's national
 * identifier (for a CPS: 8 + RPPS), which the LGC puts as the author of what this user validates.
 */
export interface Workstation {
  role: Role;
  card: ProCard;
  user?: string;
  idNat?: string;
}

export interface Traits {
  birthName: string;
  usedName?: string;
  firstName: string;
  firstNames?: string;
  sex: 'M' | 'F' | 'I';
  birthDate: string;
  birthPlace?: string;
}
export interface CarteVitale {
  matricule: string;
  key?: string;
  birthName: string;
  firstName: string;
  birthDate: string;
  birthRank?: string;
}

export type InsiOutcome = 'pending' | 'found' | 'not-found' | 'several' | 'error' | 'no-answer';
export interface ComparisonRow {
  trait: 'birthName' | 'firstName' | 'birthDate' | 'sex';
  file: string;
  insi: string;
  differs: boolean;
}
export interface IdentityView {
  patientId: string;
  file: Traits;
  ins: { status: 'none' | 'recovered' | 'qualified'; matricule?: string; key?: string; oid?: string; qualifiedBy?: string };
  insi: {
    lastCall?: { at?: string; trigger?: string; outcome: InsiOutcome; code?: string; message?: string } | null;
    traits?: Traits | null;
  };
  qualification: {
    offered: boolean;
    concordant?: boolean | null;
    comparison?: ComparisonRow[];
    documents?: string[];
    exceptionProcedure?: { offered?: boolean; attestation?: string | null };
  };
}
export type QualifyMethod = 'document' | 'exception';
export type QualifyResult =
  | { qualified: true; clicks: number; screenChanges: number; shown: string[]; ins?: { status?: string; matricule?: string; oid?: string } }
  | { qualified: false; reason: string; message: string; status: number };

export interface MssAccess {
  smtp: { host: string; port: number };
  pop3: { host: string; port: number };
  mailbox: string;
  password: string;
}
export interface DoubleUrls {
  insi: string;
  dmp?: { repositoryUrl: string; registryUrl: string };
  eprescription?: string;
  mss?: MssAccess;
  /** Mutual TLS: the CA the LGC trusts for the services, its client certificate and key (PEM). */
  tls?: { ca: string; certificate: string; key: string };
}
export interface ResetOptions {
  tenant: string;
  doubles: DoubleUrls;
  /** The workstations of the practice and the cards in their readers (a UI-driven LGC learns who sits where). */
  workstations?: Workstation[];
  insiTimeoutMs?: number;
  ePrescriptionTimeoutMs?: number;
  dmpTimeoutMs?: number;
}

export type DocumentType = 'prescription' | 'vaccination-note' | 'vsm' | 'consultation-report';
export interface DocumentContent {
  title?: string;
  text?: string;
  lines?: { product: string; dosage: string }[];
  vaccinations?: { vaccine: string; code?: string; lot?: string; date?: string }[];
  problems?: string[];
  treatments?: string[];
  allergies?: string[];
  medecinTraitant?: string | null;
}
export type DmpStatus = 'not-sent' | 'pending' | 'sent' | 'refused' | 'error';
export interface DocumentView {
  documentId: string;
  patientId?: string;
  type: string;
  typeCode?: string | null;
  typeCodeSetBy?: 'automatic' | 'user' | null;
  status?: 'draft' | 'validated';
  sendToDmp: { checked: boolean; label?: string };
  maskedFrom?: string[];
  dmp: { status: DmpStatus; message?: string; attempts?: number };
  printed?: { datamatrix?: boolean; ePrescriptionNumber?: string | null };
}
export interface Click {
  purpose: string;
  label?: string;
}
export interface ActionResult {
  clicks: Click[];
  screenChanges?: number;
  printed?: { datamatrix?: boolean; ePrescriptionNumber?: string | null };
  document?: DocumentView;
}
/** What the feature expects, for a UI that asks the user to choose (never an expected answer of the driver's own). */
export interface ValidateHints {
  typeCode?: string;
}
export type Masking = 'professionals' | 'patient' | 'legal-representatives';
export interface ConsultResult {
  asked: boolean;
  question?: string;
  reminder?: string;
  consulted: boolean;
  documents?: { title?: string; typeCode?: string }[];
  error?: string;
}
export interface SentMessage {
  messageId: string;
  address: string;
  internetMessageId?: string;
}
export interface ThreadMessage {
  messageId: string;
  direction: 'out' | 'in';
  subject?: string;
  status: 'sent' | 'bounced' | 'read' | 'received';
  bounce?: { text?: string };
  readAt?: string;
}
export interface OutgoingMessage {
  to: { patientId: string } | { address: string };
  subject: string;
  body: string;
  attachments?: { documentId: string }[];
  readReceipt?: boolean;
}
export interface Settings {
  insi?: boolean;
  dmpFeeding?: boolean;
  ePrescription?: boolean;
}

/**
 * How an action went, as far as the driver could see it. `declaredFields` names the fields of the
 * value the driver took from the LGC's own self-report rather than from what it saw (the http
 * driver: everything; the ui driver: what the selector map reads from the LGC's own attributes).
 */
export interface Observed<T> {
  value: T;
  ms: number;
  declaredFields?: string[];
}

export interface LgcDriver {
  readonly kind: 'http' | 'ui' | 'attended';
  /**
   * Drivers that first bring the user to a screen call this at the action's first press: the
   * user's clock starts there (an answer time is measured from the press, not from the navigation
   * that preceded it). The http driver has no such moment: its clock starts with the request.
   */
  onPress?: (() => void) | undefined;
  /** Whether actions should also check that the screen still accepts typing (a double is holding). */
  checkResponsiveness?: boolean;
  /** Is the target there at all? Rejects with a clear reason within `timeoutMs`. */
  health(timeoutMs: number): Promise<{ name?: string; version?: string; contract: string }>;
  reset(opts: ResetOptions): Promise<void>;
  createPatient(file: Traits, appointments?: string[]): Promise<string>;
  insertCarteVitale(ws: Workstation, card: CarteVitale): Promise<Observed<{ patientId: string }>>;
  openPatientFile(ws: Workstation, patientId: string): Promise<Observed<IdentityView>>;
  startOfDay(ws: Workstation, date: string): Promise<Observed<{ patientsOfTheDay: number }>>;
  /** The identity panel. `fields` names what the step will judge (a driver that must ask a person asks only that). */
  identity(patientId: string, fields?: string[]): Promise<Observed<IdentityView>>;
  qualify(ws: Workstation, patientId: string, method: QualifyMethod, document?: string): Promise<Observed<QualifyResult>>;
  settings(ws: Workstation, settings: Settings): Promise<Observed<{ applied: string[]; refused: string[] }>>;
  createDocument(ws: Workstation, patientId: string, type: DocumentType, content: DocumentContent): Promise<Observed<DocumentView[]>>;
  document(documentId: string, fields?: string[]): Promise<Observed<DocumentView>>;
  /** The document itself as the LGC produced it (the CDA), sent or not. */
  documentContent(documentId: string): Promise<Observed<string>>;
  doNotSend(ws: Workstation, documentId: string): Promise<Observed<ActionResult>>;
  mask(ws: Workstation, documentId: string, maskedFrom: Masking[]): Promise<Observed<ActionResult>>;
  /**
   * Validates (and prints) the document. `hints.typeCode` is the type code the feature expects: a
   * driver whose UI makes the user choose a document type chooses that one (else the first offered).
   */
  validate(ws: Workstation, documentId: string, hints?: ValidateHints): Promise<Observed<ActionResult>>;
  consultDmp(ws: Workstation, patientId: string, nonOpposition?: boolean): Promise<Observed<ConsultResult>>;
  sendMessage(ws: Workstation, message: OutgoingMessage): Promise<Observed<SentMessage>>;
  patientMessages(patientId: string): Promise<Observed<{ messages: ThreadMessage[]; ended?: boolean }>>;
  endExchange(ws: Workstation, patientId: string): Promise<Observed<{ messageId?: string }>>;
  /** Every exchange the driver had with the target, for evidence. */
  exchanges(): DriverExchange[];
  close(): Promise<void>;
}

export interface DriverExchange {
  at: string;
  method: string;
  url: string;
  requestBody?: unknown;
  status?: number;
  responseBody?: unknown;
  ms?: number;
  error?: string;
}

/** The target could not be driven (unreachable, protocol error): an error, never a verdict. */
export class TargetError extends Error {
  override name = 'TargetError';
}

/**
 * The LGC refused an action its user is allowed to make, as its user would see it (HTTP 403, 409
 * or 422 with the text shown). Not a harness error: the step that made the action judges it (a
 * refused validation is a verdict; a refused qualification may be the expected outcome).
 */
export class TargetRefusal extends TargetError {
  override name = 'TargetRefusal';
  constructor(
    readonly action: string,
    readonly status: number,
    readonly code: string,
    readonly shown: string,
  ) {
    super(`${action}: the LGC refused (HTTP ${status}${code ? ' ' + code : ''}): ${shown}`);
  }
}

/** All a value says comes from the LGC's own report (the test-driver API). */
export const ALL_FIELDS = '*';
