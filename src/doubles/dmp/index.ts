export { DmpDouble } from './dmp-double';
export { parseCx } from './metadata';
export type {
  DmpBehaviour,
  DmpDocumentEntry,
  DmpDoubleOptions,
  DmpQuery,
  DmpSeedDocument,
  DmpSubmission,
  DmpTenant,
  PatientId,
} from './types';
