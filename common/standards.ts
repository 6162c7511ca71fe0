/**
 * National reference data (GB/T 2260 codes, GB/T 2589-2020 coefficients, GB/T 14885-2022
 * categories, the 2017 vehicle categories and the 2014 office-area standard).
 * Sources and status tags are in ../shared/reference/domain-standards.md; figures tagged
 * [U] there are marked `sourced: false` here so the API can say so.
 */
import { decimalOf, times, toNumber, type Decimal } from './exact.js';

/** A provincial-level division, keyed by its 6-digit GB/T 2260 code. */
export interface ProvinceInfo {
  code: string;
  name: string;
  shortName: string;
  /** Licence-plate abbreviation (简称), used for demo plates. */
  plate: string;
  bigRegion: string;
  economicZone: string;
}

/**
 * The provincial-level divisions of GB/T 2260 (民政部 201904 list): the 31 whose agencies report
 * to Xietong, and 香港 and 澳门, valid members of a cooperation region such as 粤港澳大湾区.
 */
export const PROVINCES: readonly ProvinceInfo[] = [
  ['110000', '北京市', '北京', '京', '华北', '东部'],
  ['120000', '天津市', '天津', '津', '华北', '东部'],
  ['130000', '河北省', '河北', '冀', '华北', '东部'],
  ['140000', '山西省', '山西', '晋', '华北', '中部'],
  ['150000', '内蒙古自治区', '内蒙古', '蒙', '华北', '西部'],
  ['210000', '辽宁省', '辽宁', '辽', '东北', '东北'],
  ['220000', '吉林省', '吉林', '吉', '东北', '东北'],
  ['230000', '黑龙江省', '黑龙江', '黑', '东北', '东北'],
  ['310000', '上海市', '上海', '沪', '华东', '东部'],
  ['320000', '江苏省', '江苏', '苏', '华东', '东部'],
  ['330000', '浙江省', '浙江', '浙', '华东', '东部'],
  ['340000', '安徽省', '安徽', '皖', '华东', '中部'],
  ['350000', '福建省', '福建', '闽', '华东', '东部'],
  ['360000', '江西省', '江西', '赣', '华东', '中部'],
  ['370000', '山东省', '山东', '鲁', '华东', '东部'],
  ['410000', '河南省', '河南', '豫', '中南', '中部'],
  ['420000', '湖北省', '湖北', '鄂', '中南', '中部'],
  ['430000', '湖南省', '湖南', '湘', '中南', '中部'],
  ['440000', '广东省', '广东', '粤', '中南', '东部'],
  ['450000', '广西壮族自治区', '广西', '桂', '中南', '西部'],
  ['460000', '海南省', '海南', '琼', '中南', '东部'],
  ['500000', '重庆市', '重庆', '渝', '西南', '西部'],
  ['510000', '四川省', '四川', '川', '西南', '西部'],
  ['520000', '贵州省', '贵州', '贵', '西南', '西部'],
  ['530000', '云南省', '云南', '云', '西南', '西部'],
  ['540000', '西藏自治区', '西藏', '藏', '西南', '西部'],
  ['610000', '陕西省', '陕西', '陕', '西北', '西部'],
  ['620000', '甘肃省', '甘肃', '甘', '西北', '西部'],
  ['630000', '青海省', '青海', '青', '西北', '西部'],
  ['640000', '宁夏回族自治区', '宁夏', '宁', '西北', '西部'],
  ['650000', '新疆维吾尔自治区', '新疆', '新', '西北', '西部'],
  ['810000', '香港特别行政区', '香港', '港', '港澳', '港澳'],
  ['820000', '澳门特别行政区', '澳门', '澳', '港澳', '港澳'],
].map(([code, name, shortName, plate, bigRegion, economicZone]) => ({ code, name, shortName, plate, bigRegion, economicZone }));

const provinceByCode = new Map(PROVINCES.map((p) => [p.code, p]));

/** Looks up a province by GB/T 2260 code. */
export function findProvince(code: string): ProvinceInfo | undefined {
  return provinceByCode.get(code);
}

/** The four municipalities (直辖市): no prefecture level; their districts are the next level down. */
const MUNICIPALITIES: readonly string[] = ['110000', '120000', '310000', '500000'];

/** Whether a province code is a municipality (直辖市). */
export function isMunicipality(provinceCode: string): boolean {
  return MUNICIPALITIES.includes(provinceCode);
}

/** Energy types of the public-institution energy survey, with their standard (contract) unit. */
export const ENERGY_TYPES = ['ELECTRICITY', 'WATER', 'COAL', 'NATURAL_GAS', 'LPG', 'GASOLINE', 'DIESEL', 'HEAT'] as const;
/** One energy type of the survey. */
export type EnergyType = (typeof ENERGY_TYPES)[number];

/** A coefficient converting one unit of an energy type to kgce. */
export interface EnergyCoefficient {
  energyType: EnergyType;
  name: string;
  unit: string;
  /** The coefficient as the nearest number (for display; totals use `exact`). */
  kgcePerUnit: number;
  /** The coefficient as the decimal it is defined as, never rounded. */
  exact: Decimal;
  basis: string;
  sourced: boolean;
}

/** A coefficient row from its decimal definition (a product for the per-litre fuels). */
function coefficient(row: Omit<EnergyCoefficient, 'kgcePerUnit' | 'exact'>, ...factors: string[]): EnergyCoefficient {
  const exact = factors.map((f) => decimalOf(f)).reduce(times);
  return { ...row, kgcePerUnit: toNumber(exact), exact };
}

/**
 * Standard units and GB/T 2589-2020 coefficients (当量值). Gasoline and diesel are reported
 * in litres but the standard's coefficients are per kg; the densities used (0.725 and
 * 0.835 kg/L) are not sourced (reference §8.3), so those two rows say `sourced: false`.
 * Their per-litre coefficients are the exact products (diesel 1.4571 x 0.835 = 1.2166785),
 * never a rounded figure. Water is a working medium, reported by volume and not counted in total kgce.
 */
export const ENERGY_COEFFICIENTS: readonly EnergyCoefficient[] = [
  coefficient({ energyType: 'ELECTRICITY', name: '电力(当量值)', unit: 'kWh', basis: 'GB/T 2589-2020, 3600 kJ/kWh', sourced: true }, '0.1229'),
  coefficient({ energyType: 'WATER', name: '水', unit: 'm3', basis: 'reported by volume; not counted in kgce', sourced: true }, '0'),
  coefficient({ energyType: 'COAL', name: '煤炭(原煤)', unit: 'kg', basis: 'GB/T 2589-2020, 5000 kcal/kg', sourced: true }, '0.7143'),
  coefficient({ energyType: 'NATURAL_GAS', name: '天然气(气田气)', unit: 'm3', basis: 'GB/T 2589-2020, 8500 kcal/m3', sourced: true }, '1.2143'),
  coefficient({ energyType: 'LPG', name: '液化石油气', unit: 'kg', basis: 'GB/T 2589-2020, 12000 kcal/kg', sourced: true }, '1.7143'),
  coefficient({ energyType: 'GASOLINE', name: '汽油', unit: 'L', basis: 'GB/T 2589-2020 1.4714 kgce/kg x 0.725 kg/L (density unsourced)', sourced: false }, '1.4714', '0.725'),
  coefficient({ energyType: 'DIESEL', name: '柴油', unit: 'L', basis: 'GB/T 2589-2020 1.4571 kgce/kg x 0.835 kg/L (density unsourced)', sourced: false }, '1.4571', '0.835'),
  coefficient({ energyType: 'HEAT', name: '热力(当量值)', unit: 'MJ', basis: 'GB/T 2589-2020, 0.0341 tce/GJ', sourced: true }, '0.03412'),
];

/** kgce per standard unit, by energy type, as the nearest numbers. */
export const KGCE_PER_UNIT: Readonly<Record<EnergyType, number>> = Object.fromEntries(ENERGY_COEFFICIENTS.map((c) => [c.energyType, c.kgcePerUnit])) as Record<EnergyType, number>;

/** kgce per standard unit, by energy type, as exact decimals. */
export const KGCE_EXACT: Readonly<Record<EnergyType, Decimal>> = Object.fromEntries(ENERGY_COEFFICIENTS.map((c) => [c.energyType, c.exact])) as Record<EnergyType, Decimal>;

/** Rounds to a number of decimal digits (half away from zero). */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return (Math.sign(value) * Math.round(Math.abs(value) * f + Number.EPSILON)) / f;
}

/** A GB/T 14885-2022 top-level asset category. */
export interface AssetCategoryInfo {
  code: string;
  name: string;
  /** Whether the code itself is sourced (names all are). */
  sourced: boolean;
  depreciated: boolean;
}

/** The eight top-level categories of GB/T 14885-2022. */
export const ASSET_CATEGORIES: readonly AssetCategoryInfo[] = [
  { code: 'A01', name: '房屋和构筑物', sourced: true, depreciated: true },
  { code: 'A02', name: '设备', sourced: true, depreciated: true },
  { code: 'A03', name: '文物和陈列品', sourced: false, depreciated: false },
  { code: 'A04', name: '图书和档案', sourced: false, depreciated: false },
  { code: 'A05', name: '家具和用具', sourced: true, depreciated: true },
  { code: 'A06', name: '特种动植物', sourced: false, depreciated: false },
  { code: 'A07', name: '物资', sourced: false, depreciated: false },
  { code: 'A08', name: '无形资产', sourced: false, depreciated: true },
];

/** The five vehicle establishment categories of 中办发〔2017〕71号, with price/displacement caps. */
export const VEHICLE_CATEGORIES = [
  { code: 'CONFIDENTIAL_COMMUNICATION', name: '机要通信用车', maxPriceYuan: 120_000, maxDisplacementL: 1.6 },
  { code: 'EMERGENCY', name: '应急保障用车', maxPriceYuan: 180_000, maxDisplacementL: 1.8 },
  { code: 'LAW_ENFORCEMENT', name: '执法执勤用车', maxPriceYuan: 180_000, maxDisplacementL: 1.8 },
  { code: 'SPECIAL_TECHNICAL', name: '特种专业技术用车', maxPriceYuan: null, maxDisplacementL: null },
  { code: 'OTHER', name: '其他按照规定配备的公务用车', maxPriceYuan: 180_000, maxDisplacementL: 1.8 },
] as const;

/** Administrative level of an agency (机关级别). */
export const AGENCY_LEVELS = ['CENTRAL', 'PROVINCIAL', 'MUNICIPAL', 'COUNTY', 'TOWNSHIP'] as const;
/** One agency level. */
export type AgencyLevel = (typeof AGENCY_LEVELS)[number];

/** Per-capita building-area grade of the 2014 office-building standard (发改投资〔2014〕2674号). */
export interface OfficeAreaGrade {
  grade: string;
  levels: readonly AgencyLevel[];
  minBuildingAreaPerStaff: number;
  maxBuildingAreaPerStaff: number;
  minUsableAreaPerStaff: number;
  maxUsableAreaPerStaff: number;
  /** Above this many established staff the lower bound applies. */
  lowerBoundAboveStaff: number;
}

/** The three grades; 乡级 follows 县级 here (the province sets it, capped at 县级 figures). */
export const OFFICE_AREA_GRADES: readonly OfficeAreaGrade[] = [
  {
    grade: '一级',
    levels: ['CENTRAL', 'PROVINCIAL'],
    minBuildingAreaPerStaff: 26,
    maxBuildingAreaPerStaff: 30,
    minUsableAreaPerStaff: 16,
    maxUsableAreaPerStaff: 19,
    lowerBoundAboveStaff: 400,
  },
  {
    grade: '二级',
    levels: ['MUNICIPAL'],
    minBuildingAreaPerStaff: 20,
    maxBuildingAreaPerStaff: 24,
    minUsableAreaPerStaff: 12,
    maxUsableAreaPerStaff: 15,
    lowerBoundAboveStaff: 200,
  },
  {
    grade: '三级',
    levels: ['COUNTY', 'TOWNSHIP'],
    minBuildingAreaPerStaff: 16,
    maxBuildingAreaPerStaff: 18,
    minUsableAreaPerStaff: 10,
    maxUsableAreaPerStaff: 12,
    lowerBoundAboveStaff: 100,
  },
];

/** The grade that applies to an agency level. */
export function officeAreaGrade(level: AgencyLevel): OfficeAreaGrade {
  const grade = OFFICE_AREA_GRADES.find((g) => g.levels.includes(level));
  if (!grade) throw new Error(`no office-area grade for level ${level}`);
  return grade;
}

/**
 * Building area the 2014 standard allows for an agency: established staff x the grade's
 * per-capita figure (upper bound, or lower bound above the grade's staff threshold).
 */
export function standardBuildingArea(level: AgencyLevel, establishedStaff: number): number {
  const g = officeAreaGrade(level);
  const perStaff = establishedStaff > g.lowerBoundAboveStaff ? g.minBuildingAreaPerStaff : g.maxBuildingAreaPerStaff;
  return establishedStaff * perStaff;
}

/**
 * National public-institution energy intensities of 2020 (国家机关事务管理局, 公共机构能源资源
 * 节约"十四五"规划; ../shared/reference/domain-standards.md [S08][S11]): the reference line on
 * the dashboard's ranking.
 */
export const NATIONAL_ENERGY_AVERAGES_2020 = { kgcePerCapita: 329.56, kgcePerArea: 18.48 } as const;
