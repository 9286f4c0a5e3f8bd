/**
 * The cluster's failure suites, in one file so that they run one after the
 * other: each starts several node processes, and two such clusters at once on
 * a small machine only slow each other down.
 */
import './failover.suite.js';
import './postgres-restart.suite.js';
