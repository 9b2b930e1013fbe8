/** A node's status on the wire: the status request, its reply, and the handler that answers it. Not API. */
package dev.kvstore.net.internal.status;
