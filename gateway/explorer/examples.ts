/** Example operations shown in the explorer: what a regional dashboard runs. */
export const EXAMPLE_OPERATIONS = `# Xietong (协同) — one GraphQL surface over every province's agency-affairs data.
# Run an operation with the ▶ button. Docs (left) describe every type and field.
# Sign in above with a token (npm run token -- --role REGION_COORDINATOR --region YRD):
# what you see depends on your role; anonymous callers get the directory and aggregates.

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
