/** Switchover and failover: the checks before the request, and the outcome (with its timing) or refusal after it. */
package io.haagent.ctl.handover;
