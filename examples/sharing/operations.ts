/**
 * The operations of an agency's sharing app (公物仓 transfers and the vehicle platform), as its
 * source would hold them. `npm run extract-operations -- examples` puts them, with the
 * dashboard's, into the safelist manifest deploy/persisted-operations.json: with the safelist
 * on, officers (who may not explore) run exactly these.
 */
const gql = String.raw;

const TRANSFER = gql`
  fragment TransferCard on AssetTransfer {
    id
    status
    stage
    crossProvince
    reason
    outcomeReason
    attempts
    requestedAt
    decidedAt
    completedAt
    originalValue
    assetId
    targetAgencyId
    targetAssetId
    sourceProvince {
      name
    }
    targetProvince {
      name
    }
    asset {
      name
      categoryCode
      holder {
        agencyName
      }
    }
  }
`;

export const TRANSFER_QUEUE = gql`
  query SharingTransferQueue($province: ID, $region: ID, $status: TransferStatus, $after: String) {
    assetTransfers(filter: { province: $province, region: $region, status: $status }, first: 20, after: $after) {
      totalCount
      edges {
        node {
          ...TransferCard
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${TRANSFER}
`;

export const TRANSFER_DETAIL = gql`
  query SharingTransfer($id: ID!) {
    assetTransfer(id: $id) {
      ...TransferCard
      history {
        action
        role
        note
        at
      }
    }
  }
  ${TRANSFER}
`;

export const REQUEST_TRANSFER = gql`
  mutation SharingRequestTransfer($assetId: ID!, $agencyId: ID!, $reason: String!, $idempotencyKey: String) {
    requestAssetTransfer(input: { assetId: $assetId, agencyId: $agencyId, reason: $reason, idempotencyKey: $idempotencyKey }) {
      transfer {
        ...TransferCard
      }
    }
  }
  ${TRANSFER}
`;

export const APPROVE_TRANSFER = gql`
  mutation SharingApproveTransfer($transferId: ID!, $reason: String, $idempotencyKey: String) {
    approveAssetTransfer(input: { transferId: $transferId, reason: $reason, idempotencyKey: $idempotencyKey }) {
      transfer {
        ...TransferCard
      }
    }
  }
  ${TRANSFER}
`;

export const REJECT_TRANSFER = gql`
  mutation SharingRejectTransfer($transferId: ID!, $reason: String!, $idempotencyKey: String) {
    rejectAssetTransfer(input: { transferId: $transferId, reason: $reason, idempotencyKey: $idempotencyKey }) {
      transfer {
        ...TransferCard
      }
    }
  }
  ${TRANSFER}
`;

export const CANCEL_TRANSFER = gql`
  mutation SharingCancelTransfer($transferId: ID!, $reason: String, $idempotencyKey: String) {
    cancelAssetTransfer(input: { transferId: $transferId, reason: $reason, idempotencyKey: $idempotencyKey }) {
      transfer {
        ...TransferCard
      }
    }
  }
  ${TRANSFER}
`;

const BOOKING = gql`
  fragment BookingCard on VehicleBooking {
    id
    status
    crossProvince
    purpose
    passengers
    from
    to
    outcomeReason
    mileageKm
    cost
    requestedAt
    agencyId
    agencyProvince {
      name
    }
    vehicle {
      id
      kind
      model
      seats
      plateNumber
      province {
        name
      }
      rentalCompany {
        name
      }
    }
  }
`;

export const AVAILABLE_VEHICLES = gql`
  query SharingAvailableVehicles($province: ID, $region: ID, $from: String!, $to: String!, $seats: Int, $category: VehicleCategory, $after: String) {
    availableVehicles(filter: { province: $province, region: $region, from: $from, to: $to, seats: $seats, category: $category }, first: 20, after: $after) {
      totalCount
      edges {
        node {
          id
          kind
          model
          seats
          category
          plateNumber
          dailyRate
          perKmRate
          province {
            name
          }
          rentalCompany {
            name
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

export const BOOKING_QUEUE = gql`
  query SharingBookingQueue($province: ID, $region: ID, $status: BookingStatus, $after: String) {
    vehicleBookings(filter: { province: $province, region: $region, status: $status }, first: 20, after: $after) {
      totalCount
      edges {
        node {
          ...BookingCard
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${BOOKING}
`;

export const BOOK_VEHICLE = gql`
  mutation SharingBookVehicle($vehicleId: ID!, $agencyId: ID!, $from: String!, $to: String!, $purpose: String!, $passengers: Int!, $idempotencyKey: String) {
    bookVehicle(input: { vehicleId: $vehicleId, agencyId: $agencyId, from: $from, to: $to, purpose: $purpose, passengers: $passengers, idempotencyKey: $idempotencyKey }) {
      booking {
        ...BookingCard
      }
    }
  }
  ${BOOKING}
`;

export const DECIDE_BOOKING = gql`
  mutation SharingApproveBooking($bookingId: ID!, $idempotencyKey: String) {
    approveBooking(input: { bookingId: $bookingId, idempotencyKey: $idempotencyKey }) {
      booking {
        ...BookingCard
      }
    }
  }
  ${BOOKING}
`;

export const REJECT_BOOKING = gql`
  mutation SharingRejectBooking($bookingId: ID!, $reason: String!, $idempotencyKey: String) {
    rejectBooking(input: { bookingId: $bookingId, reason: $reason, idempotencyKey: $idempotencyKey }) {
      booking {
        ...BookingCard
      }
    }
  }
  ${BOOKING}
`;

export const CANCEL_BOOKING = gql`
  mutation SharingCancelBooking($bookingId: ID!, $reason: String, $idempotencyKey: String) {
    cancelBooking(input: { bookingId: $bookingId, reason: $reason, idempotencyKey: $idempotencyKey }) {
      booking {
        ...BookingCard
      }
    }
  }
  ${BOOKING}
`;

export const COMPLETE_TRIP = gql`
  mutation SharingCompleteTrip($bookingId: ID!, $odometerKm: Int!, $idempotencyKey: String) {
    completeTrip(input: { bookingId: $bookingId, odometerKm: $odometerKm, idempotencyKey: $idempotencyKey }) {
      booking {
        ...BookingCard
      }
    }
  }
  ${BOOKING}
`;

export const PLATFORM_STATISTICS = gql`
  query SharingStatistics($region: ID!, $year: Int!, $from: String!, $to: String!) {
    transferStatistics(region: $region, year: $year) {
      inProvinceCount
      inProvinceOriginalValue
      crossProvinceCount
      crossProvinceOriginalValue
    }
    bookingStatistics(region: $region, from: $from, to: $to) {
      vehicleCount
      bookedHours
      utilisation
      completedTrips
      crossProvinceTrips
      totalKm
      totalCost
      costPerKm
    }
  }
`;
