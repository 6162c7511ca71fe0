import {
  ASSET_CATEGORIES,
  ENERGY_COEFFICIENTS,
  findProvince,
  findRegion,
  OFFICE_AREA_GRADES,
  PROVINCES,
  REGIONS,
  regionOfProvince,
  VEHICLE_CATEGORIES,
  type ProvinceInfo,
  type RegionInfo,
} from '../../common/standards.js';

/** Resolvers of the directory subgraph: static national reference data. */
export const directoryResolvers = {
  Query: {
    regions: () => REGIONS,
    region: (_: unknown, { code }: { code: string }) => findRegion(code) ?? null,
    provinces: () => PROVINCES,
    province: (_: unknown, { code }: { code: string }) => findProvince(code) ?? null,
    energyCoefficients: () => ENERGY_COEFFICIENTS,
    assetCategories: () => ASSET_CATEGORIES,
    vehicleCategories: () => VEHICLE_CATEGORIES,
    officeAreaGrades: () => OFFICE_AREA_GRADES,
  },
  Region: {
    __resolveReference: (ref: { code: string }) => findRegion(ref.code) ?? null,
    provinces: (region: RegionInfo) => region.provinceCodes.map((code) => findProvince(code)),
  },
  Province: {
    __resolveReference: (ref: { code: string }) => findProvince(ref.code) ?? null,
    region: (province: ProvinceInfo) => regionOfProvince(province.code) ?? null,
  },
};
