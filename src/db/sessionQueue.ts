/**
 * One turn at a time on a single database session, in arrival order. A call made from
 * inside a turn (a query issued while a transaction callback runs) joins that turn instead
 * of waiting behind it, which would never end.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export class SessionQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly inTurn = new AsyncLocalStorage<boolean>();

  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTurn.getStore()) return fn();
    const turn = this.tail.then(() => this.inTurn.run(true, fn));
    // The next turn waits for this one to settle, whatever its outcome.
    this.tail = turn.catch(() => {});
    return turn;
  }
}
