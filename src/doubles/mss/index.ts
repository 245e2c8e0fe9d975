export { MssDouble, BOUNCE_SENTENCES, AUTOREPLY_BODY, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_MESSAGE_BYTES, SMTP_PASSWORD } from './mss-double';
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
