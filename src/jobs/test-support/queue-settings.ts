/** Queue settings shared by the multi-process test and its worker processes: short, so expiry shows within seconds. */
export const TEST_QUEUE_SETTINGS = {
  expireInSeconds: 2,
  retryDelaySeconds: 1,
  pollingIntervalSeconds: 0.5,
  maintenanceIntervalSeconds: 1,
} as const;
