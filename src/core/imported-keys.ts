/**
 * Key objects made from their text (a PEM, a JWK, a shared secret) once per process, not once
 * per token or response: importing parses the text again each time, which on a sign-in path
 * costs more than the check itself. A changed key is another text, so another entry; at most
 * `maxEntries` are kept, the oldest going first.
 */
export class ImportedKeys<Key> {
  readonly #keys = new Map<string, Key>();
  readonly #maxEntries: number;

  constructor(maxEntries = 256) {
    this.#maxEntries = maxEntries;
  }

  get(text: string, importKey: () => Key): Key {
    if (this.#keys.has(text)) return this.#keys.get(text)!;
    const key = importKey();
    if (this.#keys.size >= this.#maxEntries) this.#keys.delete(this.#keys.keys().next().value!);
    this.#keys.set(text, key);
    return key;
  }
}
