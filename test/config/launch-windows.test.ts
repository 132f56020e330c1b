import fc from 'fast-check';
import { ConfigError, parseEnvironmentConfig } from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import {
  awsCron,
  cronWindowSeconds,
  isTimeZone,
  kedaCron,
  parseWeeklyCron,
  shiftCron,
  WeeklyCron,
  windowHoursPerMonth,
  windowMinutes,
  windowSchedule,
} from '../../stacks/launch-windows';
import { prescaleReplicas, prescaleUnits, prescaleWindows } from '../../stacks/prescale';

const KEY = 'risk-platform:capacity';
const WINDOW = {
  name: 'weekly-release',
  launch: '0 10 * * TUE',
  timezone: 'America/Los_Angeles',
  leadMinutes: 30,
  durationMinutes: 120,
};

/** Parses prod's config with `risk-platform:capacity` replaced; returns the issues' lines. */
function issuesWith(capacity: unknown): string[] {
  const { values, secretKeys } = readStackFile(stackFilePath('prod'));
  try {
    parseEnvironmentConfig(
      { ...values, [KEY]: JSON.stringify(capacity) },
      { stack: 'prod', isSecret: (k) => secretKeys.includes(k) },
    );
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.key}: ${i.expected}`);
    throw e;
  }
  return [];
}

describe('the launch-window cron', () => {
  it('parses a weekly slot with named or numbered days, sorted', () => {
    expect(parseWeeklyCron('0 10 * * TUE')).toEqual({ minute: 0, hour: 10, days: [2] });
    expect(parseWeeklyCron('30 9 * * fri,1')).toEqual({ minute: 30, hour: 9, days: [1, 5] });
    expect(parseWeeklyCron('5 0 * * *')).toEqual({ minute: 5, hour: 0 });
  });

  it.each(['0 10 1 * TUE', '60 10 * * *', '0 24 * * *', '0 10 * * XYZ', '*/5 10 * * *', '0 10 * *'])(
    'refuses %s',
    (expr) => expect(typeof parseWeeklyCron(expr)).toBe('string'),
  );

  it('writes both dialects: KEDA five fields, Application Auto Scaling cron() with ?', () => {
    const c = { minute: 30, hour: 9, days: [2] };
    expect(kedaCron(c)).toBe('30 9 * * TUE');
    expect(awsCron(c)).toBe('cron(30 9 ? * TUE *)');
    expect(awsCron({ minute: 0, hour: 12 })).toBe('cron(0 12 * * ? *)');
  });

  it('shifts across midnight and carries the weekday', () => {
    expect(shiftCron({ minute: 15, hour: 0, days: [0] }, -30)).toEqual({ minute: 45, hour: 23, days: [6] });
    expect(shiftCron({ minute: 0, hour: 23, days: [6] }, 120)).toEqual({ minute: 0, hour: 1, days: [0] });
  });

  it('shifting by d then -d is the identity (property)', () => {
    const cron = fc.record({
      minute: fc.integer({ min: 0, max: 59 }),
      hour: fc.integer({ min: 0, max: 23 }),
      days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
    });
    fc.assert(
      fc.property(cron, fc.integer({ min: -5000, max: 5000 }), (c, d) => {
        const sorted: WeeklyCron = { ...c, days: [...c.days].sort((a, b) => a - b) };
        expect(shiftCron(shiftCron(sorted, d), -d)).toEqual(sorted);
      }),
    );
  });

  it('the window opens lead minutes before launch and closes duration after it', () => {
    const { start, end } = windowSchedule({ ...WINDOW, level: 1 });
    expect(kedaCron(start)).toBe('30 9 * * TUE');
    expect(kedaCron(end)).toBe('0 12 * * TUE');
    expect(windowMinutes(start, end)).toBe(150);
    // 2.5 h once a week: 2.5 x 365.25 / 7 / 12.
    expect(windowHoursPerMonth(start, end)).toBeCloseTo(10.871, 3);
    expect(cronWindowSeconds('cron(30 9 ? * TUE *)', 'cron(0 12 ? * TUE *)')).toBe(9000);
    expect(cronWindowSeconds('30 23 * * SAT', '0 2 * * SUN')).toBe(9000);
    expect(cronWindowSeconds('30 23 * * *', '0 2 * * *')).toBe(9000);
  });
});

describe('isTimeZone', () => {
  it.each(['America/Los_Angeles', 'UTC', 'Etc/GMT+9', 'Asia/Kolkata', 'Europe/Kyiv'])('accepts %s', (tz) =>
    expect(isTimeZone(tz)).toBe(true),
  );
  it.each(['utc', 'US/Pacific', 'Mars/Olympus', 'PST', ''])('refuses %s', (tz) =>
    expect(isTimeZone(tz)).toBe(false),
  );
});

describe('capacity.launchWindows config', () => {
  it("prod's weekly release slot parses, with its defaults and both dialects", () => {
    const { values, secretKeys } = readStackFile(stackFilePath('prod'));
    const config = parseEnvironmentConfig(values, { stack: 'prod', isSecret: (k) => secretKeys.includes(k) });
    expect(prescaleWindows(config)).toEqual([
      {
        name: 'weekly-release',
        timezone: 'America/Los_Angeles',
        level: 1,
        kedaStart: '30 9 * * TUE',
        kedaEnd: '0 12 * * TUE',
        awsStart: 'cron(30 9 ? * TUE *)',
        awsEnd: 'cron(0 12 ? * TUE *)',
        hoursPerMonth: 10.87,
      },
    ]);
  });

  it('no windows (dev, staging) is an empty list', () => {
    expect(prescaleWindows({ capacity: undefined })).toEqual([]);
  });

  it('a bad cron names the key and says what is expected', () => {
    expect(issuesWith({ launchWindows: [{ ...WINDOW, launch: '0 10 1 * TUE' }] })).toEqual([
      "risk-platform:capacity.launchWindows.0.launch: a cron 'minute hour * * days' (minute 0-59, hour 0-23, days * or a comma list of SUN..SAT or 0-6), e.g. '0 10 * * TUE'",
    ]);
  });

  it('an unknown time zone names the key', () => {
    expect(issuesWith({ launchWindows: [{ ...WINDOW, timezone: 'Mars/Olympus' }] })).toEqual([
      'risk-platform:capacity.launchWindows.0.timezone: an IANA time zone such as America/Los_Angeles or UTC',
    ]);
  });

  it('a window that would not end before the next one opens (end before start) is refused', () => {
    expect(
      issuesWith({ launchWindows: [{ ...WINDOW, launch: '0 10 * * *', durationMinutes: 1430 }] }),
    ).toEqual([
      'risk-platform:capacity.launchWindows.0.durationMinutes: leadMinutes + durationMinutes (1460) less than the time between two launches (1440 min), so each window ends before the next opens',
    ]);
  });

  it('a level above the peak, a zero duration and a duplicate name are refused', () => {
    expect(
      issuesWith({
        launchWindows: [
          { ...WINDOW, level: 1.5 },
          { ...WINDOW, durationMinutes: 0 },
        ],
      }),
    ).toEqual([
      'risk-platform:capacity.launchWindows.0.level: a fraction of the declared peak in (0, 1] (more than the peak exceeds the maximums)',
      'risk-platform:capacity.launchWindows.1.durationMinutes: whole minutes >= 1',
      'risk-platform:capacity.launchWindows.1.name: a name not already used (weekly-release)',
    ]);
  });
});

describe('pre-scale sizes', () => {
  it('pods: the peak need, at most the maximum, none when not above the minimum', () => {
    expect(prescaleReplicas({ peakPods: 100, minReplicas: 50, maxReplicas: 150 }, 1)).toBe(100);
    expect(prescaleReplicas({ peakPods: 100, minReplicas: 50, maxReplicas: 80 }, 1)).toBe(80);
    expect(prescaleReplicas({ peakPods: 100, minReplicas: 50, maxReplicas: 150 }, 0.4)).toBeUndefined();
  });

  it('tables: what target tracking settles at for the peak (70 %), at most the maximum', () => {
    expect(prescaleUnits({ peak: 60000, max: 90000 }, 30000, 1)).toBe(85715);
    expect(prescaleUnits({ peak: 60000, max: 80000 }, 30000, 1)).toBe(80000);
    expect(prescaleUnits({ peak: 100, max: 150 }, 200, 1)).toBeUndefined();
  });
});
