import type { ActionResult, ConsultResult, DocumentView, QualifyResult, SentMessage } from '../../src/drivers/driver';
import type { Person } from '../../src/fixtures/people';
import type { DocumentSpec } from './documents';
import type { PendingAction } from './world';

/**
 * What one scenario has done and seen so far: the patients it created, the documents it wrote,
 * the last result of each kind of action, and the marks that let a step judge only the traffic
 * its own action caused. Plain data; the World holds one.
 */
export class ScenarioState {
  readonly patientIds = new Map<string, string>();
  currentPerson?: Person;
  /** The documents of the scenario, by the name the feature gives them ("a consultation report"). */
  readonly documents = new Map<string, DocumentView[]>();
  currentDocuments: DocumentView[] = [];
  /** What the professional typed in the current documents (the expected content of SEND-12). */
  currentSpec?: DocumentSpec;
  /** The document type code the feature expects (SEND-05): what a UI that asks for a type is given. */
  expectedTypeCode?: string;
  lastAction?: PendingAction;
  lastValidate?: ActionResult;
  lastValidateDeclared?: string[];
  lastDoNotSend?: ActionResult;
  lastDoNotSendDeclared?: string[];
  lastSettings?: { applied: string[]; refused: string[] };
  lastConsult?: ConsultResult;
  lastConsultDeclared?: string[];
  lastQualify?: QualifyResult;
  lastQualifyDeclared?: string[];
  lastSent?: SentMessage;
  lastSendRefusal?: string;
  insiHoldOn = false;
  dmpHoldOn = false;
  /** Index of the first INSi exchange / DMP submission / DMP query / MSSanté message caused by the last action. */
  insiMark = 0;
  dmpMark = 0;
  dmpQueryMark = 0;
  mssMark = 0;
  /** Service side: messages Vigie sent as a professional or pharmacy mailbox, by role. */
  readonly serviceSent = new Map<string, { messageId: string; to: string; from: string }>();
  /** External service: the test patient address standing for the scenario's patient (by state). */
  servicePatientAddress?: string;
}
