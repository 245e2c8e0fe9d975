/**
 * INS matricule (NIR or NIA): 13 characters, then a 2-digit key = 97 − (number mod 97),
 * with Corsica's département 2A / 2B (positions 6–7) read as 19 / 18.
 */
export const INS_NIR_OID = '1.2.250.1.213.1.4.8';
export const INS_NIA_OID = '1.2.250.1.213.1.4.9';
/** The INS OIDs: NIR, NIA, and their test counterparts. */
export const INS_OIDS = [INS_NIR_OID, INS_NIA_OID, '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'];

const MATRICULE = /^[12378]\d{4}(\d{2}|2A|2B)\d{6}$/;

export function isMatriculeShape(matricule: string): boolean {
  return MATRICULE.test(matricule);
}

export function insKey(matricule: string): string {
  if (!isMatriculeShape(matricule)) throw new Error(`not a 13-character INS matricule: ${JSON.stringify(matricule)}`);
  const digits = matricule.slice(0, 5) + matricule.slice(5, 7).replace('2A', '19').replace('2B', '18') + matricule.slice(7);
  return String(97 - Number(BigInt(digits) % 97n)).padStart(2, '0');
}

/** A full 15-character INS (matricule + key) is valid when its key matches the formula. */
export function isValidIns(ins: string): boolean {
  if (ins.length !== 15) return false;
  const matricule = ins.slice(0, 13);
  return isMatriculeShape(matricule) && insKey(matricule) === ins.slice(13);
}
