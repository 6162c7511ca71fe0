import type { Agent } from 'undici';
import { assertionMaker, provinceAudience, type AssertionMaker } from '../../common/auth/assertion.js';
import { WORKFLOW } from '../../common/auth/principal.js';
import { postGraphQL } from '../../common/post-graphql.js';

/** The source card as a step saw it (values in fen). */
export interface CardSnapshot {
  assetId: string;
  name: string;
  categoryCode: string;
  originalValueFen: number;
  netValueFen: number;
  acquiredOn: string;
  agencyId: string;
}

/** What the sharing service learns of an asset before it records a request. */
export interface TransferCandidate {
  assetId: string;
  agencyId: string;
  status: string;
  offeredToPool: boolean;
  originalValueFen: number;
}

/** An agency vehicle as its province describes it to the platform. */
export interface ShareableVehicle {
  vehicleId: string;
  agencyId: string;
  model: string;
  category: string;
  plateNumber: string;
  mileageKm: number;
  status: string;
}

/**
 * How a province step ended: done (with the province's answer), refused by the province for good
 * (NOT_FOUND, INVALID_STATE, BAD_USER_INPUT: the saga takes its failure path), or not taken
 * (the province unreachable, timing out or failing otherwise: the saga retries).
 */
export type StepOutcome<T> = { done: T } | { refused: string; code: string } | { unavailable: string };

/** Codes with which a province refuses a step for good. */
const FINAL_CODES = new Set(['NOT_FOUND', 'INVALID_STATE', 'BAD_USER_INPUT']);

const CARD = 'assetId name categoryCode originalValueFen netValueFen acquiredOn agencyId';

/**
 * The sharing service's client of the province transfer steps: each call is signed as WORKFLOW
 * with the sharing service's own key, for the one province it goes to.
 */
export class ProvinceSteps {
  private readonly assertionFor: AssertionMaker;

  constructor(private readonly options: { provinces: () => ReadonlyMap<string, string>; workflowPrivateKey: string; agent: Agent; timeoutMs: number }) {
    this.assertionFor = assertionMaker(WORKFLOW, options.workflowPrivateKey);
  }

  /** Whether a province is one this service calls. */
  serves(province: string): boolean {
    return this.options.provinces().has(province);
  }

  /** Whether an agency exists to receive an asset (its id, or null when the province does not know it). */
  receivingAgency(province: string, agencyId: string): Promise<StepOutcome<string | null>> {
    return this.call(province, `query($g: ID!) { r: _receivingAgency(agencyId: $g) }`, { g: agencyId });
  }

  /** Reads whether an asset may be asked for (null when the province does not know it). */
  candidate(province: string, assetId: string): Promise<StepOutcome<TransferCandidate | null>> {
    return this.call(province, `query($a: ID!) { r: _transferCandidate(assetId: $a) { assetId agencyId status offeredToPool originalValueFen } }`, { a: assetId });
  }

  /** Reads the facts of an agency vehicle the platform keeps (null when the province does not know it). */
  shareableVehicle(province: string, vehicleId: string): Promise<StepOutcome<ShareableVehicle | null>> {
    return this.call(province, `query($v: ID!) { r: _shareableVehicle(vehicleId: $v) { vehicleId agencyId model category plateNumber mileageKm status } }`, { v: vehicleId });
  }

  /** Step 1 at the source. */
  reserve(province: string, transferId: string, assetId: string): Promise<StepOutcome<CardSnapshot>> {
    return this.call(province, `mutation($t: ID!, $a: ID!) { r: _reserveAssetForTransfer(transferId: $t, assetId: $a) { ${CARD} } }`, { t: transferId, a: assetId });
  }

  /** Step 2 at the target. */
  receive(
    province: string,
    input: { transferId: string; agencyId: string; sourceAssetId: string } & Omit<CardSnapshot, 'assetId' | 'agencyId'>,
  ): Promise<StepOutcome<CardSnapshot>> {
    return this.call(province, `mutation($i: ReceiveAssetInput!) { r: _receiveTransferredAsset(input: $i) { ${CARD} } }`, { i: input });
  }

  /** Step 3 at the source. */
  complete(province: string, transferId: string, assetId: string, targetAssetId: string): Promise<StepOutcome<CardSnapshot>> {
    return this.call(province, `mutation($t: ID!, $a: ID!, $g: ID!) { r: _completeTransferOut(transferId: $t, assetId: $a, targetAssetId: $g) { ${CARD} } }`, {
      t: transferId,
      a: assetId,
      g: targetAssetId,
    });
  }

  /** Compensation at the source. */
  release(province: string, transferId: string, assetId: string): Promise<StepOutcome<CardSnapshot>> {
    return this.call(province, `mutation($t: ID!, $a: ID!) { r: _releaseAssetReservation(transferId: $t, assetId: $a) { ${CARD} } }`, { t: transferId, a: assetId });
  }

  private async call<T>(province: string, query: string, variables: Record<string, unknown>): Promise<StepOutcome<T>> {
    const url = this.options.provinces().get(province);
    if (!url) return { unavailable: `province ${province} is not configured` };
    const assertion = this.assertionFor(provinceAudience(province));
    const result = await postGraphQL(url, { query, variables }, { agent: this.options.agent, timeoutMs: this.options.timeoutMs, assertion });
    if ('failure' in result) return { unavailable: result.failure };
    const error = result.answer.errors?.[0];
    const code = String(error?.extensions?.code ?? '');
    if (error && FINAL_CODES.has(code)) return { refused: error.message, code };
    if (error || !result.answer.data || !('r' in result.answer.data)) return { unavailable: `${code || 'error'}: ${error?.message ?? 'no data'}` };
    return { done: result.answer.data.r as T };
  }
}
