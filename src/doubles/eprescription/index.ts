export { EPrescriptionDouble } from './eprescription-double';
export type { EPrescriptionBehaviour, EPrescriptionDoubleOptions, EPrescriptionExchange, EPrescriptionTenant } from './types';
