/**
 * Tells in-process caches that something they may hold has changed on this node (a session
 * revoked, a person disabled), so the change shows here at once; other nodes see it when
 * their short cache lifetime runs out.
 */
export class ChangeListeners {
  readonly #listeners: (() => void)[] = [];

  add(listener: () => void): void {
    this.#listeners.push(listener);
  }

  notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
