/** The forwarder's sender loops: one for the live lane, `BACKLOG_REQUESTS_IN_FLIGHT` for the backlog (telemetry-forwarder.ts). */
export type Lane = 'live' | 'backlog';

/** A sender loop of a lane (the first of its lane sends retries): running, asked to look again, its promise. */
export class LaneLoop {
  running = false;
  again = false;
  pumping: Promise<void> | undefined;
  readonly lane: Lane;
  readonly first: boolean;
  constructor(lane: Lane, first: boolean) {
    this.lane = lane;
    this.first = first;
  }
}
