/**
 * Global ids carry their owning province: `320000:AS-0000123`. The gateway routes lookups and
 * entity fetches by this prefix, and the prefix makes ids unique across every province, so
 * `(sortValue, id)` is a total order over all provinces' rows.
 */

const GLOBAL_ID = /^(\d{6}):([A-Z]{2})-(\d+)$/;

/** Kinds of record, with the two-letter tag used in their ids. */
export const ID_KINDS = {
  agency: 'AG',
  building: 'BD',
  asset: 'AS',
  vehicle: 'VH',
  energyReport: 'ER',
  operatingCost: 'OC',
} as const;
/** A kind of record. */
export type IdKind = keyof typeof ID_KINDS;

/** Formats the global id of the `seq`-th record of a kind in a province. */
export function formatId(province: string, kind: IdKind, seq: number): string {
  return `${province}:${ID_KINDS[kind]}-${String(seq).padStart(7, '0')}`;
}

/** The province code an id belongs to, or undefined when the id is not a global id. */
export function provinceOfId(id: string): string | undefined {
  return GLOBAL_ID.exec(id)?.[1];
}

/** Whether an id is a well-formed global id of the given kind. */
export function isIdOfKind(id: string, kind: IdKind): boolean {
  return GLOBAL_ID.exec(id)?.[2] === ID_KINDS[kind];
}
