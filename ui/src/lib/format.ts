// Amounts arrive from Rust as decimal strings ("1234.50"): they are only ever formatted here,
// as text, never turned into floating-point numbers (no money arithmetic in TypeScript).

const DECIMAL = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/** "1234.5" → "KES 1,234.50"; "-20" → "KES -20.00". Anything else is shown as it came. */
export function formatKes(amount: string): string {
  const match = DECIMAL.exec(amount.trim());
  if (!match) return amount;
  const [, sign, whole, fraction = ''] = match;
  const grouped = whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const isZero = /^0*$/.test(whole) && /^0*$/.test(fraction);
  return `KES ${isZero ? '' : sign}${grouped}.${fraction.padEnd(2, '0')}`;
}

/** What the cashier typed, as the decimal string Rust parses, or null if it is not an amount. */
export function parseAmountInput(text: string): string | null {
  const cleaned = text.replace(/[\s,]/g, '').replace(/^KES/i, '');
  return /^\d{1,9}(\.\d{1,2})?$/.test(cleaned) ? cleaned : null;
}

/** A receipt time: "2026-11-22T10:05:00+03:00" → "22/11/2026 10:05". */
export function formatTime(rfc3339: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(rfc3339);
  return match ? `${match[3]}/${match[2]}/${match[1]} ${match[4]}:${match[5]}` : rfc3339;
}

/** A moment the server or Rust stamped in UTC, in this computer's time: "22/11/2026 13:05". */
export function formatLocalTime(iso: string): string {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(time.getDate())}/${two(time.getMonth() + 1)}/${time.getFullYear()} ${two(time.getHours())}:${two(time.getMinutes())}`;
}

/** How long something has waited, from whole seconds: "45 min", "3 h 05 min", "2 d 4 h". */
export function formatAge(seconds: number): string {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${minutes} min`;
}
