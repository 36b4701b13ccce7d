/**
 * How far ahead of the gateway's clock a device time may be (`deviceDefaults.maxClockSkew`) before
 * the connector replaces it by the arrival time and counts `future_timestamp`: a device clock
 * running fast would otherwise freeze the live value, which ignores later samples with earlier times.
 */
export const DEFAULT_MAX_CLOCK_SKEW = 5_000;
