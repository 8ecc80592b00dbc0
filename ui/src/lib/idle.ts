// The idle lock: after `ms` without a key press or touch the till logs the person out, so a
// counter left unattended cannot be used under someone else's name.

export interface IdleLock {
  /** Someone touched the till: start the wait again. */
  poke(): void;
  stop(): void;
}

export function createIdleLock(ms: number, onIdle: () => void): IdleLock {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const start = () => {
    clearTimeout(timer);
    timer = setTimeout(onIdle, ms);
  };
  start();
  return { poke: start, stop: () => clearTimeout(timer) };
}
