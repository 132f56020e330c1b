import { ResourceValidationPolicy } from '@pulumi/policy';
import { cronWindowSeconds, isTimeZone } from '../stacks/launch-windows';
import { arr, at, forTypes, k8sId, num, obj, str } from './props';

/**
 * A launch window's KEDA `cron` trigger (issue 12, charts/keda.ts `cronTriggers`) is a floor the HPA can
 * reach: `desiredReplicas` an integer between 1 and the ScaledObject's `maxReplicaCount` (above it the
 * HPA clamps and the pre-scale promises capacity that never comes), a known IANA `timezone`, and a
 * `start` and `end` that parse as the platform's weekly slots and differ (KEDA refuses equal ones:
 * pkg/scalers/cron_scaler.go at v2.20.2), so the window has a length.
 */
export const kedaCronFloor: ResourceValidationPolicy = {
  name: 'keda-cron-floor',
  description:
    "A KEDA cron trigger's desiredReplicas must be between 1 and the ScaledObject's maxReplicaCount, with a known timezone and a start before its end.",
  enforcementLevel: 'mandatory',
  validateResource: forTypes(['k8s:ScaledObject'], ({ props }, report) => {
    const max = num(at(props, 'spec.maxReplicaCount')) ?? 100; // KEDA's default
    const { namespace, name } = k8sId(props);
    for (const t of arr(at(props, 'spec.triggers')).map(obj)) {
      if (!t || t.type !== 'cron') continue;
      const where = `ScaledObject '${namespace}/${name}' cron trigger '${str(t.name) ?? '(unnamed)'}'`;
      const desired = Number(str(at(t, 'metadata.desiredReplicas')));
      if (!Number.isInteger(desired) || desired < 1 || desired > max)
        report(
          `${where} must hold desiredReplicas between 1 and maxReplicaCount (${max}), but it is ${JSON.stringify(at(t, 'metadata.desiredReplicas'))}; size it from the capacity model (stacks/prescale.ts).`,
        );
      const tz = str(at(t, 'metadata.timezone')) ?? '';
      if (!isTimeZone(tz)) report(`${where} must name an IANA timezone, but it is ${JSON.stringify(tz)}.`);
      const start = str(at(t, 'metadata.start'));
      const end = str(at(t, 'metadata.end'));
      if (start === end || cronWindowSeconds(start, end) === undefined)
        report(
          `${where} must have a start before its end ('M H * * days' crons that differ), but start is ${JSON.stringify(start)} and end ${JSON.stringify(end)}.`,
        );
    }
  }),
};
