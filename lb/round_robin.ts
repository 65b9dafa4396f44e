/**
 * Round robin as the seed defines it: with three targets, if the last pick was 0 the next is 1,
 * after 1 comes 2, after 2 comes 0. Targets that may not take a connection are skipped, and the
 * list is never sorted or copied per pick.
 */

export interface Strategy<T> {
  /** The next target that `eligible` accepts, or undefined when there is none. */
  pick(targets: readonly T[], eligible: (target: T) => boolean): T | undefined;
}

export class RoundRobin<T> implements Strategy<T> {
  #last = -1;

  pick(targets: readonly T[], eligible: (target: T) => boolean): T | undefined {
    const count = targets.length;
    for (let step = 1; step <= count; step++) {
      const index = (this.#last + step) % count;
      if (eligible(targets[index])) {
        this.#last = index;
        return targets[index];
      }
    }
    return undefined;
  }
}
