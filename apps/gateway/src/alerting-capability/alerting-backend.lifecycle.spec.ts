// The alerting capability passes the kit's lifecycle suite, the same one the
// kit's test-only "example" capability passes (libs/capability/src/testing/),
// with the suite's SqliteTaskStore (PostgreSQL's: storage/postgres/).
import { describeCapabilityLifecycle } from '@app/capability-testing';
import { captureNestLogs } from '@app/testing';
import { alertingLifecycleSubject } from './fixtures/alerting-lifecycle-subject.js';

// The backend's and registry's Nest logs go here instead of the console.
captureNestLogs();

describeCapabilityLifecycle(alertingLifecycleSubject);
