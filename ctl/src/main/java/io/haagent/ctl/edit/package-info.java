/** {@code edit-config}'s changes to the cluster configuration (patronictl's semantics) and their validation. */
package io.haagent.ctl.edit;
