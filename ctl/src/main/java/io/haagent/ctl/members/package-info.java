/** The member table of {@code agentctl list}: Patroni 3.3's rows plus lag in bytes and seconds and silent members. */
package io.haagent.ctl.members;
