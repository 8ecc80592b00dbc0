// Only the answer to the last question may be shown. A screen that asks Rust again before the
// previous answer came back (another report tab, another customer, another letter typed) must
// not let the slower, older answer overwrite the newer one.

export class Latest {
  private asked = 0;

  /** Starts a question; the returned check is true while no later question has been asked. */
  begin(): () => boolean {
    const mine = ++this.asked;
    return () => mine === this.asked;
  }
}
