// One counter action at a time: while it runs the screen shows it busy (so "pay" cannot be
// pressed twice), and a refusal from Rust becomes the message shown, in the till's language.
import { errorText } from './api';

export class Action {
  busy = $state(false);
  error = $state('');

  async run(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await work();
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.busy = false;
    }
  }
}
