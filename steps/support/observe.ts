/**
 * What the doubles recorded, as the oracles take it: the scenario's own traffic (since the mark its
 * last action set), about one patient, in the oracles' plain shapes.
 */
import type { DmpDocumentEntry, DmpSubmission } from '../../src/doubles/dmp';
import type { InsiExchange } from '../../src/doubles/insi';
import type { MssMessage } from '../../src/doubles/mss';
import type { Person } from '../../src/fixtures/people';
import type { PersonKeys, InsiRequestSeen } from '../../src/oracles/insi-calls';
import type { MailSeen } from '../../src/oracles/mss-messages';
import type { VigieWorld } from './world';

export const ins15 = (p: Person): string => p.insi.matricule + p.insi.key;

export const keysOf = (p: Person): PersonKeys => ({
  id: p.id,
  matricules: [p.insi.matricule, p.vitale.matricule],
  birthDate: p.file.birthDate,
  names: [p.file.birthName, p.file.usedName, p.insi.birthName, p.vitale.birthName].filter((x): x is string => !!x),
});

const requestSeen = (e: InsiExchange): InsiRequestSeen => ({ seq: e.seq, operation: e.operation, ...e.request });

/** The INSi requests the scenario's last trigger caused. */
export const insiSinceMark = (w: VigieWorld): InsiRequestSeen[] => w.insi.exchanges().slice(w.state.insiMark).map(requestSeen);
export const insiExchangesSinceMark = (w: VigieWorld): InsiExchange[] => w.insi.exchanges().slice(w.state.insiMark);
export function markInsi(world: VigieWorld): void {
  world.state.insiMark = world.insi.exchanges().length;
}

/** The entries of a submission that concern this patient (by INS, as the DMP identifies them). */
export const entriesFor = (s: DmpSubmission, p: Person): DmpDocumentEntry[] => s.documents.filter((d) => d.patientId?.id === ins15(p));
/** Submissions since the scenario's last document action. */
export const submissionsSinceMark = (w: VigieWorld): DmpSubmission[] => w.dmp.submissions().slice(w.state.dmpMark);
/** Submissions since the last document action that concern `p`. */
export const submissionsFor = (w: VigieWorld, p: Person): DmpSubmission[] =>
  submissionsSinceMark(w).filter((s) => entriesFor(s, p).length > 0);
export function markDmp(world: VigieWorld): void {
  world.state.dmpMark = world.dmp.submissions().length;
}

export const queriesFor = (w: VigieWorld, p: Person) =>
  w.dmp
    .queries()
    .slice(w.state.dmpQueryMark)
    .filter((q) => q.patientId?.id === ins15(p));

export const mailSeen = (m: MssMessage): MailSeen => ({
  seq: m.seq,
  envelope: m.envelope,
  subject: m.parsed?.subject,
  headers: m.parsed?.headers ?? {},
  attachments: m.parsed?.attachments ?? [],
});
/** Messages the practice sent since the scenario's last messaging action (not those the operator generated). */
export const mailsSinceMark = (w: VigieWorld): MssMessage[] =>
  w.mss
    .messages()
    .slice(w.state.mssMark)
    .filter((m) => !m.generated);
export function markMss(world: VigieWorld): void {
  world.state.mssMark = world.mss.messages().length;
}
