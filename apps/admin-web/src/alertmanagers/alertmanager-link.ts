import { SEVERITIES, type AlertmanagerTargetJson, type NotificationJson } from '@app/admin-api';

/** A value inside a PromQL-style matcher: backslash and double quote escaped. */
function matcherValue(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * The notification's alert in Alertmanager's web UI: the alerts page filtered
 * on its cluster and opni_uuid labels (the id an agent gave it, unique within
 * its cluster), silenced and inhibited alerts included so that it is found
 * whatever became of it.
 */
export function alertmanagerAlertUrl(externalUrl: string, notification: Pick<NotificationJson, 'clusterId' | 'id'>) {
  const filter = `{cluster=${matcherValue(notification.clusterId)},opni_uuid=${matcherValue(notification.id)}}`;
  return `${externalUrl.replace(/\/+$/, '')}/#/alerts?silenced=true&inhibited=true&filter=${encodeURIComponent(filter)}`;
}

/** The targets that deliver this notification (by their filters) and have a UI to link to. */
export function targetsShowing(
  targets: readonly AlertmanagerTargetJson[],
  notification: Pick<NotificationJson, 'clusterId' | 'severity'>,
): (AlertmanagerTargetJson & { externalUrl: string })[] {
  const rank = (severity: string) => SEVERITIES.indexOf(severity as (typeof SEVERITIES)[number]);
  return targets.filter(
    (target): target is AlertmanagerTargetJson & { externalUrl: string } =>
      target.externalUrl !== null &&
      (target.filters.clusters.length === 0 || target.filters.clusters.includes(notification.clusterId)) &&
      rank(notification.severity) >= rank(target.filters.minSeverity),
  );
}
