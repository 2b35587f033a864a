/** Token for the NotificationLimits (from @app/notification-model) the agent validates with. */
export const NOTIFICATION_LIMITS = Symbol('NotificationLimits');
