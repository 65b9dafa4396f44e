/**
 * What the fleet pages need from alerting: the alerts firing now. web/alerts' `firingAlerts`
 * fits it; the fleet refreshes it with the overview's figures (every 2 s at most), so the list
 * filter and the counts cost no query per request.
 */
export interface FiringAlert {
  device: string;
  rule: string;
  ruleName?: string;
  severity?: string;
  since: Date;
}

export type FiringSource = () => Promise<FiringAlert[]>;

export const noAlerts: FiringSource = () => Promise.resolve([]);
