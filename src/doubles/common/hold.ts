/**
 * The "hold" of a double: while held, requests are parked unanswered; releasing answers them
 * (or drops their connections: "no answer at all"). Purely event-driven — nothing sleeps.
 * Hand-written: it is the doubles' own notion (a queue of answers the scenario controls), not a library's.
 */
export interface Parkable {
  answer(): void;
  drop(): void;
}

export class HoldQueue<P extends Parkable> {
  private held = false;
  private parked: P[] = [];

  get holding(): boolean {
    return this.held;
  }
  get size(): number {
    return this.parked.length;
  }

  hold(): void {
    this.held = true;
  }

  /**
   * Stops parking new requests while keeping the parked ones parked (they are answered only at
   * release). Used to time an action with the service answering at once while an earlier
   * request stays held; hold() parks again.
   */
  letNewThrough(): void {
    this.held = false;
  }

  park(request: P): void {
    this.parked.push(request);
  }

  /** Stops holding; answers (or drops) every parked request; returns how many there were. */
  release(drop: boolean): number {
    this.held = false;
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) {
      if (drop) p.drop();
      else p.answer();
    }
    return parked.length;
  }

  /** Forgets a parked request (its client went away); true when it was parked. */
  remove(match: (p: P) => boolean): boolean {
    const before = this.parked.length;
    this.parked = this.parked.filter((p) => !match(p));
    return this.parked.length !== before;
  }
}
