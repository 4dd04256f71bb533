// Keeping every open page of the portal current, whichever store it uses:
//   - a BroadcastChannel message after each change made in this browser;
//   - a refresh when the page comes back into view (focus, visibility);
//   - optionally, a light poll while the page is visible (the edge store:
//     calls from outside the browser change the counts).
// Listeners get no payload: they re-read what they show.

/** How often the edge store looks for changes made elsewhere while a page is visible. */
export const POLL_MS = 5000;

export class Sync {
  #channel;
  #listeners = new Set();
  #timer = null;
  #pending = null;
  #poll;
  #onVisible = () => {
    if (document.visibilityState === "visible") {
      this.emit();
      this.#schedule();
    } else {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  };
  #onFocus = () => this.emit();

  /**
   * @param {string} name the BroadcastChannel's name (one per store kind and account)
   * @param {{ poll?: () => Promise<boolean> }} options `poll` resolves true when
   *   something changed since it last looked (then the listeners are told).
   */
  constructor(name, { poll } = {}) {
    this.#channel = new BroadcastChannel(name);
    this.#channel.onmessage = () => this.emit();
    this.#poll = poll ?? null;
    window.addEventListener("focus", this.#onFocus);
    document.addEventListener("visibilitychange", this.#onVisible);
    this.#schedule();
  }

  /** Calls `fn` when the data may have changed elsewhere. Returns an unsubscribe function. */
  subscribe(fn) {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Tells the listeners, once for a quick run of changes (e.g. sample traffic's days). */
  emit() {
    if (this.#pending) return;
    this.#pending = setTimeout(() => {
      this.#pending = null;
      for (const fn of this.#listeners) fn();
    }, 30);
  }

  /** Tells the other pages of this browser that this one changed the data. */
  announce() {
    this.#channel.postMessage({ type: "changed" });
  }

  #schedule() {
    if (!this.#poll || this.#timer || document.visibilityState !== "visible") return;
    this.#timer = setTimeout(async () => {
      this.#timer = null;
      let changed = false;
      try {
        changed = await this.#poll();
      } catch {
        // Offline or the session ended: the next real read shows the problem.
      }
      if (changed) this.emit();
      this.#schedule();
    }, POLL_MS);
  }

  close() {
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#poll = null;
    this.#channel.close();
    window.removeEventListener("focus", this.#onFocus);
    document.removeEventListener("visibilitychange", this.#onVisible);
  }
}
