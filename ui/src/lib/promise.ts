// When a laundry job is promised, as the RFC 3339 time Rust stores: in Nairobi time (UTC+3,
// no daylight saving), so a promise reads the same at every till whatever the machine's zone.

const NAIROBI_OFFSET_MS = 3 * 60 * 60 * 1000;

/** `days` after today at `hour`:00 Nairobi time, e.g. "2026-11-23T17:00:00+03:00". */
export function promisedAt(now: Date, days: number, hour: number): string {
  const local = new Date(now.getTime() + NAIROBI_OFFSET_MS);
  local.setUTCDate(local.getUTCDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(hour)}:00:00+03:00`;
}
