export { InsiDouble } from './insi-double';
export type { InsiBehaviour, InsiDoubleOptions, InsiExchange, InsiOperation, InsiPerson, InsiTenant } from './types';
