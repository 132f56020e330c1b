import { InvalidArgumentError } from '../errors';

/**
 * A monitor's notification text: its paragraphs, then the handles it notifies. Every monitor of the
 * issue-13 components goes through here, so none is created that notifies nobody (policy
 * `monitoring-coverage` checks the same on the plan).
 * @throws InvalidArgumentError when `notify` holds no `@handle`
 */
export function alertMessage(paragraphs: readonly string[], notify: readonly string[]): string {
  const handles = notify.filter((h) => /^@[\w.-]+$/.test(h));
  if (handles.length === 0) {
    throw new InvalidArgumentError(
      `'notify' (${JSON.stringify(notify)}) holds no Datadog handle; expected at least one such as @pagerduty-risk`,
    );
  }
  return [...paragraphs.filter((p) => p.length > 0), handles.join(' ')].join('\n\n');
}
