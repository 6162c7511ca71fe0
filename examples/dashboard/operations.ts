/**
 * The operations of a regional dashboard (a bureau's web app), as its source would hold them.
 * `npm run extract-operations -- examples` turns them (with the sharing app's) into the safelist manifest
 * deploy/persisted-operations.json that the gateway serves by id.
 */
const gql = String.raw;

export const REGION_ENERGY = gql`
  query DashboardRegionEnergy($region: ID!, $year: Int!) {
    region(code: $region) {
      name
      provinces {
        code
        name
        energySummary(year: $year) {
          totalKgce
          kgcePerCapita
          kgcePerArea
        }
      }
      energySummary(year: $year) {
        totalKgce
        energyUsingPeople
        kgcePerCapita
        kgcePerArea
      }
    }
  }
`;

export const IDLE_ASSET_POOL = gql`
  query DashboardIdleAssetPool($region: ID, $after: String) {
    assets(filter: { region: $region, offeredToPool: true }, orderBy: ORIGINAL_VALUE_DESC, first: 20, after: $after) {
      totalCount
      edges {
        node {
          ...PoolAsset
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  fragment PoolAsset on Asset {
    id
    name
    categoryCode
    originalValue
    netValue
    province {
      name
    }
    holder {
      agencyName
      divisionCode
    }
  }
`;

export const VEHICLE_MIX = gql`
  query DashboardVehicleMix($region: ID!) {
    vehicleSummary(scope: { region: $region }) {
      vehicleCount
      inServiceCount
      newEnergyCount
      newEnergyShare
    }
  }
`;

export const OFFER_ASSET = gql`
  mutation DashboardOfferAsset($assetId: ID!, $key: String) {
    offerAssetToPool(input: { assetId: $assetId, idempotencyKey: $key }) {
      asset {
        id
        offeredToPool
      }
    }
  }
`;

export const REGION_OVERVIEW = gql`
  query DashboardRegionOverview($region: ID!) {
    vehicleSummary(scope: { region: $region }) {
      vehicleCount
      newEnergyCount
      newEnergyShare
      confidentialCommunicationCount
      emergencyCount
      lawEnforcementCount
      specialTechnicalCount
      otherCount
    }
    officeSpaceSummary(scope: { region: $region }) {
      buildingCount
      exceedingCount
      officeAreaPerCapita
    }
    assetSummary(scope: { region: $region }) {
      pooledCount
      pooledOriginalValue
    }
  }
`;

export const POOL_PAGE = gql`
  query DashboardPoolPage($region: ID, $category: String, $minValue: Float, $after: String) {
    assets(filter: { region: $region, offeredToPool: true, categoryPrefix: $category, minOriginalValue: $minValue }, orderBy: ORIGINAL_VALUE_DESC, first: 10, after: $after) {
      totalCount
      edges {
        node {
          id
          name
          categoryCode
          originalValue
          netValue
          province {
            name
          }
          holder {
            agencyName
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const ASSET_DETAIL = gql`
  query DashboardAsset($id: ID!) {
    asset(id: $id) {
      id
      name
      categoryCode
      originalValue
      netValue
      acquiredOn
      status
      offeredAt
      province {
        name
      }
      holder {
        agencyName
        agencyLevel
        divisionCode
      }
    }
  }
`;

/** The regions and their provinces, as the directory lists them (the region picker and province names). */
export const REGIONS = gql`
  query DashboardRegions {
    regions {
      code
      name
      provinces {
        code
        name
      }
    }
  }
`;
