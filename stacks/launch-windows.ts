/**
 * Announced launch windows (config `capacity.launchWindows`, issue 12): a recurring on-sale time
 * (`launch`, a cron of the minute, hour and weekdays, in an IANA `timezone`), how long before it the
 * platform pre-scales (`leadMinutes`) and how long the window lasts after it (`durationMinutes`).
 *
 * Pure functions only: parsing the restricted cron, shifting it by the lead and the duration, and
 * writing it in the two dialects that consume it:
 * - KEDA's `cron` scaler: five fields `minute hour dom month dow`, parsed by robfig/cron v3 with
 *   `cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow` (pkg/scalers/cron_scaler.go at
 *   v2.20.2); weekday names SUN..SAT are accepted;
 * - Application Auto Scaling scheduled actions: `cron(minutes hours day-of-month month day-of-week year)`,
 *   where one of day-of-month and day-of-week must be `?`; weekday names SUN..SAT.
 *   @see https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html
 *
 * The cron is restricted to `M H * * <days>` (days: `*`, or a comma list of SUN..SAT or 0-6): a
 * weekly or daily slot, which both dialects read the same way and which shifts exactly by minutes
 * (a day-of-month or month field would not survive a shift across midnight).
 */

export const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
/** Weeks in an average month (365.25 / 7 / 12). */
export const WEEKS_PER_MONTH = 365.25 / 7 / 12;

/** A parsed slot: minute, hour, and weekdays (0 = Sunday), or undefined for every day. */
export interface WeeklyCron {
  readonly minute: number;
  readonly hour: number;
  readonly days?: readonly number[];
}

/** One configured window with its defaults applied. */
export interface LaunchWindow {
  readonly name: string;
  /** The announced on-sale time: `M H * * <days>`. */
  readonly launch: string;
  readonly timezone: string;
  /** Minutes the pre-scale is in place before `launch`. @default 30 */
  readonly leadMinutes: number;
  /** Minutes the window lasts after `launch`. */
  readonly durationMinutes: number;
  /** The pre-scale level: a fraction of the declared peak. @default 1 */
  readonly level: number;
}

export const LAUNCH_WINDOW_DEFAULTS = { leadMinutes: 30, level: 1 } as const;

/** Parses `M H * * <days>`; returns the slot or a message saying what was expected. */
export function parseWeeklyCron(expr: string): WeeklyCron | string {
  const expected =
    "a cron 'minute hour * * days' (minute 0-59, hour 0-23, days * or a comma list of SUN..SAT or 0-6), e.g. '0 10 * * TUE'";
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5) return expected;
  const [m, h, dom, month, dow] = f;
  const int = (s: string, max: number) => (/^\d{1,2}$/.test(s) && Number(s) <= max ? Number(s) : undefined);
  const minute = int(m, 59);
  const hour = int(h, 23);
  if (minute === undefined || hour === undefined || dom !== '*' || month !== '*') return expected;
  if (dow === '*') return { minute, hour };
  const days: number[] = [];
  for (const d of dow.split(',')) {
    const n = /^[0-6]$/.test(d) ? Number(d) : WEEKDAYS.indexOf(d.toUpperCase() as (typeof WEEKDAYS)[number]);
    if (n < 0 || days.includes(n)) return expected;
    days.push(n);
  }
  return { minute, hour, days: days.sort((a, b) => a - b) };
}

/** The slot `delta` minutes later (negative: earlier), weekdays carried across midnight. */
export function shiftCron(c: WeeklyCron, delta: number): WeeklyCron {
  const mod = (x: number, n: number) => ((x % n) + n) % n;
  const ofDay = c.hour * 60 + c.minute + delta;
  const t = mod(ofDay, MINUTES_PER_DAY);
  const dayShift = Math.floor(ofDay / MINUTES_PER_DAY);
  const days = c.days?.map((d) => mod(d + dayShift, 7)).sort((a, b) => a - b);
  return { minute: t % 60, hour: Math.floor(t / 60), ...(days ? { days } : {}) };
}

const dayList = (c: WeeklyCron) => c.days?.map((d) => WEEKDAYS[d]).join(',');

/** KEDA `cron` scaler syntax: `M H * * SUN,TUE`. */
export function kedaCron(c: WeeklyCron): string {
  return `${c.minute} ${c.hour} * * ${dayList(c) ?? '*'}`;
}

/** Application Auto Scaling syntax: `cron(M H ? * TUE *)`, or `cron(M H * * ? *)` for every day. */
export function awsCron(c: WeeklyCron): string {
  const days = dayList(c);
  return days ? `cron(${c.minute} ${c.hour} ? * ${days} *)` : `cron(${c.minute} ${c.hour} * * ? *)`;
}

/**
 * True for a time zone both consumers load: a name the runtime's IANA database knows, spelled as in it
 * (Go's time.LoadLocation reads the zoneinfo file and is case-sensitive, so `utc` fails in KEDA), and not
 * a legacy `US/...` alias (Application Auto Scaling takes the canonical Joda-Time names). ICU canonicalises
 * some current names to older ones (Asia/Kolkata -> Asia/Calcutta), so canonical form is not compared.
 */
export function isTimeZone(tz: string): boolean {
  if (!/^(UTC|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/.test(tz) || /^(US|SystemV)\//.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The problems of one window (messages for the config keys), empty when valid. */
export function launchWindowProblems(w: {
  readonly launch: string;
  readonly timezone: string;
  readonly leadMinutes: number;
  readonly durationMinutes: number;
}): { key: 'launch' | 'timezone' | 'durationMinutes'; message: string }[] {
  const out: { key: 'launch' | 'timezone' | 'durationMinutes'; message: string }[] = [];
  const c = parseWeeklyCron(w.launch);
  if (typeof c === 'string') out.push({ key: 'launch', message: c });
  if (!isTimeZone(w.timezone))
    out.push({ key: 'timezone', message: 'an IANA time zone such as America/Los_Angeles or UTC' });
  // Start (launch - lead) must come before end (launch + duration) and the next start.
  const period = typeof c !== 'string' && c.days === undefined ? MINUTES_PER_DAY : MINUTES_PER_WEEK;
  const span = w.leadMinutes + w.durationMinutes;
  const gap =
    typeof c === 'string' || !c.days || c.days.length < 2
      ? period
      : Math.min(
          ...c.days.map((d, i) => ((c.days![(i + 1) % c.days!.length] - d + 7) % 7 || 7) * MINUTES_PER_DAY),
        );
  if (span >= gap)
    out.push({
      key: 'durationMinutes',
      message: `leadMinutes + durationMinutes (${span}) less than the time between two launches (${gap} min), so each window ends before the next opens`,
    });
  return out;
}

/** The window's opening (launch - lead) and closing (launch + duration) slots. */
export function windowSchedule(w: LaunchWindow): { start: WeeklyCron; end: WeeklyCron } {
  const c = parseWeeklyCron(w.launch);
  if (typeof c === 'string')
    throw new Error(`launch window '${w.name}': 'launch' (${w.launch}) must be ${c}`);
  return { start: shiftCron(c, -w.leadMinutes), end: shiftCron(c, w.durationMinutes) };
}

/** Minutes from a start slot to the end slot that follows it (same weekday pattern, shifted). */
export function windowMinutes(start: WeeklyCron, end: WeeklyCron): number {
  const d0 = start.days?.[0] ?? 0;
  const e0 = end.days ? (end.days.find((d) => d >= d0) ?? end.days[0]) : d0;
  const s = d0 * MINUTES_PER_DAY + start.hour * 60 + start.minute;
  let e = e0 * MINUTES_PER_DAY + end.hour * 60 + end.minute;
  if (!start.days && e <= s) e += MINUTES_PER_DAY;
  if (e <= s) e += MINUTES_PER_WEEK;
  const m = e - s;
  return start.days ? m : ((m - 1) % MINUTES_PER_DAY) + 1;
}

/** Window hours per month: its length times its occurrences (weekdays per week x weeks per month). */
export function windowHoursPerMonth(start: WeeklyCron, end: WeeklyCron): number {
  const perWeek = start.days?.length ?? 7;
  return (windowMinutes(start, end) / 60) * perWeek * WEEKS_PER_MONTH;
}

/** Seconds from a window's start cron to its end cron (KEDA or AWS syntax); undefined if unparsable. */
export function cronWindowSeconds(start: unknown, end: unknown): number | undefined {
  // `cron(M H ? * DAYS *)` / `cron(M H * * ? *)` -> `M H * * DAYS|*`.
  const five = (v: unknown) => {
    const s = String(v ?? '').trim();
    const aws = /^cron\((\S+) (\S+) (\S+) \* (\S+) \*\)$/.exec(s);
    return aws ? `${aws[1]} ${aws[2]} * * ${aws[4] === '?' ? '*' : aws[4]}` : s;
  };
  const a = parseWeeklyCron(five(start));
  const b = parseWeeklyCron(five(end));
  return typeof a === 'string' || typeof b === 'string' ? undefined : windowMinutes(a, b) * 60;
}
