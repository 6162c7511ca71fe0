/** Example operations shown in the explorer: an analyst's six everyday questions, then what a regional dashboard runs. */
export const EXAMPLE_OPERATIONS = `# Xietong (协同) — one GraphQL surface over every province's agency-affairs data.
# Run an operation with the ▶ button (choose which when asked). Docs (left) describe every
# type and field, and which roles may read it. ⤓ CSV / ⤓ XLSX above download the answer.
# Sign in above with a token (npm run token -- --role ANALYST): what you see depends on your
# role; anonymous callers get the directory and aggregates.

# The analyst's six questions, one query each (any role that may read aggregates). A group
# formed by fewer than 3 agencies shows null figures and says why in \`withheld\`.

# 1. Energy per person in each province, and its trend: one point per year.
query EnergyPerPersonTrend {
  energyBreakdown(from: 2021, to: 2025, by: [PROVINCE], orderBy: KGCE_PER_CAPITA) {
    coverage { complete missingProvinces { code reason } asOf }
    groups { province year kgcePerCapita kgcePerArea agencyCount withheld }
  }
}

# 2. Energy per person by agency level (中央/省/市/县/乡).
query EnergyPerPersonByLevel {
  energyBreakdown(from: 2025, to: 2025, by: [AGENCY_LEVEL], orderBy: KGCE_PER_CAPITA) {
    groups { agencyLevel kgcePerCapita energyUsingPeople agencyCount withheld }
  }
}

# 3. The 公物仓 pool's value by asset category (GB/T 14885 top level).
query PoolValueByCategory {
  assetBreakdown(by: [CATEGORY], orderBy: POOLED_VALUE) {
    groups { category pooledValue idleValue originalValue assetCount agencyCount withheld }
  }
}

# 4. Agencies over the 2014 office-space standard, by province and level.
query OfficeSpaceOverStandard {
  officeSpaceBreakdown(by: [PROVINCE, AGENCY_LEVEL]) {
    groups { province agencyLevel judgedAgencyCount overStandardAgencyCount overStandardShare overStandardArea withheld }
  }
}

# 5. Operating-cost components and cost per person.
query CostComponents {
  operatingCostBreakdown(from: 2025, to: 2025, by: [COMPONENT]) {
    groups { component amount share costPerCapita agencyCount withheld }
  }
}

# 6. New-energy share of official vehicles by province.
query NewEnergyShare {
  vehicleBreakdown(by: [PROVINCE], orderBy: NEW_ENERGY_SHARE) {
    groups { province vehicleCount newEnergyShare vehiclesPerHundredStaff withheld }
  }
}

# Regional dashboards and coordinators.

# 长三角 energy by province, and the exact regional figure (sum/sum).
query RegionEnergy {
  region(code: "YRD") {
    name
    provinces { code name energySummary(year: 2025) { totalKgce kgcePerCapita kgcePerArea } }
    energySummary(year: 2025) { totalKgce energyUsingPeople kgcePerCapita kgcePerArea }
  }
}

# The 公物仓 pool: idle assets offered for transfer, most valuable first, over 长三角.
query IdleAssetPool($after: String) {
  assets(filter: { region: "YRD", offeredToPool: true }, orderBy: ORIGINAL_VALUE_DESC, first: 10, after: $after) {
    totalCount
    edges { node { id name categoryCode originalValue netValue province { name } holder { agencyName agencyLevel } } }
    pageInfo { hasNextPage endCursor }
  }
}

# New-energy share of official vehicles in 京津冀 and 川渝.
query VehicleMix {
  jjj: vehicleSummary(scope: { region: "JJJ" }) { vehicleCount newEnergyCount newEnergyShare }
  cy: vehicleSummary(scope: { region: "CY" }) { vehicleCount newEnergyCount newEnergyShare }
}

# 公物仓 transfers touching 长三角, newest first, with where each one stands.
query TransferQueue {
  assetTransfers(filter: { region: "YRD" }, first: 10) {
    totalCount
    edges { node { id status stage crossProvince reason sourceProvince { name } targetProvince { name } asset { name originalValue } } }
  }
}

# Platform vehicles free in 江苏 for a window (edit the dates), with at least 5 seats.
query AvailableVehicles {
  availableVehicles(filter: { province: "320000", from: "2027-03-02T08:00:00+08:00", to: "2027-03-02T18:00:00+08:00", seats: 5 }, first: 10) {
    totalCount
    edges { node { id kind model seats dailyRate perKmRate rentalCompany { name } } }
  }
}
`;
