export { MssDouble, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_MESSAGE_BYTES } from './mss-double';
export { BOUNCE_SENTENCES, decideRecipient } from './rules';
export type { RecipientCase, RecipientDecision } from './rules';
export { AUTOREPLY_BODY } from './generated';
export { SMTP_PASSWORD } from './smtp';
export { AUTORESPONDER, PATIENT_DOMAIN, checkIns, classifyAddress, patientAddress } from './ins-address';
export { MSS_DEFECTS, PATIENT_STATES } from './types';
export type {
  DeliveryOutcome,
  MssAttachment,
  MssDefect,
  MssDelivery,
  MssDoubleOptions,
  MssGenerated,
  MssMessage,
  MssParsed,
  MssSessionInfo,
  MssTenant,
  PatientState,
} from './types';
