import { ASSET_CATEGORIES, ENERGY_COEFFICIENTS, findProvince, OFFICE_AREA_GRADES, PROVINCES, VEHICLE_CATEGORIES, type ProvinceInfo } from '../../common/standards.js';
import type { RegionInfo } from '../../common/regions/region-file.js';
import type { RegionSource } from './region-source.js';

/** Resolvers of the directory subgraph: national reference data, and the regions read from their file. */
export function directoryResolvers(regions: RegionSource) {
  return {
    Query: {
      regions: () => regions.list(),
      region: (_: unknown, { code }: { code: string }) => regions.find(code) ?? null,
      provinces: () => PROVINCES,
      province: (_: unknown, { code }: { code: string }) => findProvince(code) ?? null,
      energyCoefficients: () => ENERGY_COEFFICIENTS,
      assetCategories: () => ASSET_CATEGORIES,
      vehicleCategories: () => VEHICLE_CATEGORIES,
      officeAreaGrades: () => OFFICE_AREA_GRADES,
    },
    Region: {
      __resolveReference: (ref: { code: string }) => regions.find(ref.code) ?? null,
      provinces: (region: RegionInfo) => region.provinceCodes.map((code) => findProvince(code)),
    },
    Province: {
      __resolveReference: (ref: { code: string }) => findProvince(ref.code) ?? null,
      region: (province: ProvinceInfo) => regions.regionsOf(province.code)[0] ?? null,
      regions: (province: ProvinceInfo) => regions.regionsOf(province.code),
    },
  };
}
