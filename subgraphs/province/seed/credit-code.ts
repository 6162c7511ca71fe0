/**
 * 统一社会信用代码 (GB 32100-2015): registration authority (1), entity type (1), division
 * code (6), organisation code (9, GB 11714 with its own check digit) and a check character.
 */

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** The GB 11714 check character of an 8-digit organisation code body. */
export function organisationCheck(body: string): string {
  const sum = [...body].reduce((s, ch, i) => s + CHARSET.indexOf(ch) * ORG_WEIGHTS[i], 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** The GB 32100 check character of the first 17 characters of a credit code. */
export function creditCheck(first17: string): string {
  const sum = [...first17].reduce((s, ch, i) => s + CHARSET.indexOf(ch) * CREDIT_WEIGHTS[i], 0);
  return CHARSET[(31 - (sum % 31)) % 31];
}

/** A credit code for a state organ (机构编制 registration, 机关) in a division. */
export function agencyCreditCode(divisionCode: string, organisationBody: string): string {
  const first17 = `11${divisionCode}${organisationBody}${organisationCheck(organisationBody)}`;
  return first17 + creditCheck(first17);
}

/** Whether a credit code's check characters are right. */
export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  return creditCheck(code.slice(0, 17)) === code[17] && organisationCheck(code.slice(8, 16)) === code[16];
}
