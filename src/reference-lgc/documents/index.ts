/**
 * Documents and DMP feeding (OPP-01/02, SEND-01..11), with their seeded defects: the record and
 * its views (record.ts), the request content (parse.ts), the editor (editor.ts), « Valider et
 * imprimer » (validate.ts), the CDA (content.ts), the background DMP submission (dmp-feeding.ts).
 * The consultation of the DMP (OPP-03/04) and the settings (SEND-07) are re-exported from their
 * own modules for the screens that import them from here.
 */
export * from './record';
export * from './parse';
export * from './editor';
export * from './content';
export * from './dmp-feeding';
export * from './validate';
export { Conflict, Unprocessable } from '../errors';
export { consult, CONSULT_QUESTION, CONSULT_REMINDER, INS_NOT_QUALIFIED, type ConsultResult } from '../dmp-consultation';
export { applySettings } from '../settings';
