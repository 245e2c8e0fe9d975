/**
 * Identity-trait concordance as the INS rules state it: the four traits (nom de naissance,
 * premier prénom de naissance, date de naissance, sexe) must be *exactly* equal — only
 * surrounding white space is ignored. `GUIVARC'H` ≠ `GUIVARCH`, `Jean-Philippe` ≠ `JEAN PHILIPPE`.
 */
export const FOUR_TRAITS = ['birthName', 'firstName', 'birthDate', 'sex'] as const;
export type TraitName = (typeof FOUR_TRAITS)[number];
export type FourTraits = Record<TraitName, string>;

export function differingTraits(file: FourTraits, insi: FourTraits): TraitName[] {
  return FOUR_TRAITS.filter((t) => (file[t] ?? '').trim() !== (insi[t] ?? '').trim());
}

export function perfectlyConcordant(file: FourTraits, insi: FourTraits): boolean {
  return differingTraits(file, insi).length === 0;
}
