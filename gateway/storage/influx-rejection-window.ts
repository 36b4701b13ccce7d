/**
 * The share of the last N lines the server refused (dead-lettered), for the trouble condition
 * `telemetry-lines-rejected`: a sink that accepts requests but throws the lines away is not "ok".
 */
export class RejectionWindow {
  private readonly outcomes: Uint8Array;
  private next = 0;
  private filled = 0;
  private rejected = 0;

  constructor(size: number) {
    this.outcomes = new Uint8Array(Math.max(1, Math.floor(size)));
  }

  /** Record `count` lines with one outcome (1 = refused, 0 = accepted). */
  record(count: number, refused: boolean): void {
    const n = this.outcomes.length;
    const mark = refused ? 1 : 0;
    // More lines than the window: only the last `n` count.
    for (let i = Math.max(0, count - n); i < count; i++) {
      if (this.filled === n) this.rejected -= this.outcomes[this.next] as number;
      else this.filled++;
      this.outcomes[this.next] = mark;
      this.rejected += mark;
      this.next = (this.next + 1) % n;
    }
  }

  /** Refused lines and lines seen in the window. */
  counts(): { readonly rejected: number; readonly lines: number } {
    return { rejected: this.rejected, lines: this.filled };
  }

  share(): number {
    return this.filled === 0 ? 0 : this.rejected / this.filled;
  }
}
