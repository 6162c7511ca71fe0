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
`;
