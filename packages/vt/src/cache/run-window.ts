import { addon as nativeAddon } from '@vt/file-stamps';
import type { StatStamp } from './file-stamps.js';

/**
 * How far the kernel's coarse clock, which file times come from, may lag Date.now() when the addon cannot
 * read it: one tick at HZ=100, plus the millisecond Date.now() drops.
 */
const COARSE_LAG_FALLBACK_NS = 11_000_000n;

/** Below this much, a difference between the wall clock's and the monotonic clock's elapsed time is rounding. */
const CLOCK_STEP_NOISE_NS = 2_000_000n;

function coarseNowNs(): bigint {
  const coarse = typeof nativeAddon?.coarseClockNs === 'function' ? nativeAddon.coarseClockNs() : undefined;
  return coarse ?? BigInt(Date.now()) * 1_000_000n - COARSE_LAG_FALLBACK_NS;
}

/**
 * The widest granularity a time stamp of `ctime` (decimal ns) could have been truncated to. A file system
 * stamps times truncated to its granularity (1 ns on ext4, xfs, btrfs, tmpfs; 10 ms, 1 s or 2 s on others),
 * and stat does not say which; what the time itself shows is the zeros it ends in. Whole seconds: up to 2 s
 * (FAT). Otherwise ten times the largest power of ten dividing it, which covers any granularity of the form
 * d·10^k with d < 10. A time that ends in zeros by chance costs at most a needless "changed".
 */
function granularityOfDigits(ctime: string): bigint {
  let zeros = 0;
  for (let i = ctime.length - 1; i > 0 && zeros < 9 && ctime.charCodeAt(i) === 48; i--) zeros++;
  return zeros === 9 ? 2_000_000_000n : 10n ** BigInt(zeros + 1);
}

/**
 * When a task ran, as file time stamps see it: whether a path the task read was changed while it ran, which
 * makes the state vt fingerprints after the run possibly not the one the task saw.
 *
 * Why not `Date.now()` at the spawn: Linux stamps file times from its coarse clock, which lags the fine
 * clock by up to a tick (4 ms at HZ=250, more after an idle stretch). A file changed just after the spawn
 * could get a ctime before a fine start time and pass as unchanged. The start here is the coarse clock
 * itself, read right before the spawn: every later change has a ctime at or after it. A change in the same
 * tick just before the spawn counts as during the run: a needless miss at worst.
 *
 * The realtime clock can also be set back while a task runs (NTP stepping it, an admin): changes made after
 * that get earlier times. The wall clock's elapsed time is compared with the monotonic clock's at the end,
 * and a step back widens the window by its size.
 */
export class RunWindow {
  /** Changes at or after this time (ns) count as made during the run; lowered by a clock step back. */
  private fromNs: bigint;
  /** {@link fromNs} minus each granularity allowed for, in decimal: stamps are compared as digits. */
  private readonly bounds = new Map<bigint, string>();

  private constructor(
    startNs: bigint,
    private readonly wallStartMs: number,
    private readonly monoStartNs: bigint,
  ) {
    this.fromNs = startNs;
  }

  /** Call right before the task is spawned. */
  static open(): RunWindow {
    const wall = Date.now();
    const mono = process.hrtime.bigint();
    return new RunWindow(coarseNowNs(), wall, mono);
  }

  /** Call once the task has ended (before any check): accounts for the wall clock having been set back. */
  close(): void {
    const monoElapsed = process.hrtime.bigint() - this.monoStartNs;
    const wallElapsed = BigInt(Date.now() - this.wallStartMs) * 1_000_000n;
    const stepBack = monoElapsed - wallElapsed;
    if (stepBack > CLOCK_STEP_NOISE_NS) {
      this.fromNs -= stepBack + CLOCK_STEP_NOISE_NS;
      this.bounds.clear();
    }
  }

  /** Whether a status change time (ctime, or a birth time) lies in the run, allowing for its granularity. */
  changedDuring(timeNs: bigint): boolean {
    return timeNs >= this.fromNs - granularityOfDigits(String(timeNs));
  }

  /** {@link changedDuring} for a stamp's ctime, without parsing it (called for every file of a trace). */
  stampChangedDuring(stamp: StatStamp): boolean {
    const ctime = stamp.slice(stamp.lastIndexOf(':') + 1);
    if (ctime.startsWith('-')) return this.changedDuring(BigInt(ctime));
    const granularity = granularityOfDigits(ctime);
    let bound = this.bounds.get(granularity);
    if (bound === undefined) this.bounds.set(granularity, (bound = String(this.fromNs - granularity)));
    if (bound.startsWith('-')) return true;
    return ctime.length !== bound.length ? ctime.length > bound.length : ctime >= bound;
  }
}
