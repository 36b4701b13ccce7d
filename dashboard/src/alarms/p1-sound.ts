/**
 * The audible cue for unacknowledged priority-1 alarms: a two-tone beep every second, made with
 * WebAudio (no sound files). Mute is remembered in localStorage. Browsers keep an AudioContext
 * suspended until the user has interacted with the page; we resume it on the next click or key.
 */

const MUTE_KEY = 'fgw.alarmMuted';
/** Dispatched on window when mute changes (the header's sound state follows it). */
export const MUTE_EVENT = 'fgw-mute';

export function isMuted(): boolean {
  return localStorage.getItem(MUTE_KEY) === '1';
}
const PERIOD_MS = 1_000;

export class P1Sound {
  private ctx: AudioContext | undefined;
  private timer: number | undefined;
  private mutedNow = localStorage.getItem(MUTE_KEY) === '1';
  private readonly unlock = (): void => void this.ctx?.resume();

  get muted(): boolean {
    return this.mutedNow;
  }

  /** True while the beep loop runs (sounding, not muted). */
  get sounding(): boolean {
    return this.timer !== undefined;
  }

  setMuted(muted: boolean): void {
    this.mutedNow = muted;
    localStorage.setItem(MUTE_KEY, muted ? '1' : '0');
    window.dispatchEvent(new Event(MUTE_EVENT));
    if (muted) this.stopLoop();
  }

  /** Sound while `alerting` and not muted. */
  update(alerting: boolean): void {
    if (alerting && !this.mutedNow) this.startLoop();
    else this.stopLoop();
  }

  dispose(): void {
    this.stopLoop();
    void this.ctx?.close();
    this.ctx = undefined;
  }

  private startLoop(): void {
    if (this.timer !== undefined) return;
    if (!this.ctx) {
      this.ctx = new AudioContext();
      window.addEventListener('pointerdown', this.unlock);
      window.addEventListener('keydown', this.unlock);
    }
    this.beep();
    this.timer = window.setInterval(() => this.beep(), PERIOD_MS);
  }

  private stopLoop(): void {
    if (this.timer === undefined) return;
    window.clearInterval(this.timer);
    this.timer = undefined;
  }

  private beep(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (ctx.state === 'suspended') void ctx.resume();
    const t = ctx.currentTime;
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.3, t + 0.02);
    gain.gain.setValueAtTime(0.3, t + 0.4);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.45);
    const osc = ctx.createOscillator();
    osc.type = 'square';
    osc.frequency.setValueAtTime(880, t);
    osc.frequency.setValueAtTime(660, t + 0.2);
    osc.connect(gain);
    osc.start(t);
    osc.stop(t + 0.46);
  }
}
