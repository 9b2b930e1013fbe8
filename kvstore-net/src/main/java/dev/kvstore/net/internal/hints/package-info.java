/**
 * Hinted handoff: sibling sets held for a replica that was down or did not answer, kept in a store of their own
 * beside the node's store (with the node's durability), and delivered to their owner once it is up again. Not
 * API.
 */
package dev.kvstore.net.internal.hints;
