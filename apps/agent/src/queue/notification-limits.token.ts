/** Token for the NotificationLimits (from @app/notification) the agent validates with. */
export const NOTIFICATION_LIMITS = Symbol('NotificationLimits');
