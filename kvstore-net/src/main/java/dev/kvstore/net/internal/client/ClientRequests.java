package dev.kvstore.net.internal.client;

import com.google.protobuf.ByteString;
import dev.kvstore.clock.DvvSet;
import dev.kvstore.core.ConflictResolver;
import dev.kvstore.core.Context;
import dev.kvstore.core.KvStoreException;
import dev.kvstore.core.OutcomeUnknownException;
import dev.kvstore.core.Versions;
import dev.kvstore.core.internal.OperationId;
import dev.kvstore.core.internal.SiblingCodec;
import dev.kvstore.core.internal.StoredValue;
import dev.kvstore.core.internal.VersionsView;
import dev.kvstore.net.internal.proto.ClientOp;
import dev.kvstore.net.internal.proto.Envelope;
import dev.kvstore.net.internal.proto.Forward;
import dev.kvstore.net.internal.proto.ForwardReply;
import java.time.Duration;

/**
 * The {@code Forward} requests a remote client sends and the decoding of their {@code ForwardReply}: a GET
 * carries R, a PUT or DELETE carries W, the value and (when given) the context; every one carries the quorum
 * timeout the coordinating node applies. Not API. Stateless and thread-safe.
 */
public final class ClientRequests {
  private ClientRequests() {}

  /** A GET of {@code key} answered by {@code r} replicas within {@code timeout}. */
  public static Envelope.Builder get(byte[] key, int r, Duration timeout) {
    return wrap(Forward.newBuilder().setOp(ClientOp.GET).setKey(ByteString.copyFrom(key)).setR(r), timeout);
  }

  /**
   * A PUT of {@code value} (or, with a null value, a DELETE) acknowledged by {@code w} replicas; a null
   * {@code context} lets the coordinator supersede every version it holds.
   */
  public static Envelope.Builder write(byte[] key, byte[] value, Context context, int w, Duration timeout) {
    return write(key, value, context, null, w, timeout);
  }

  /** {@link #write(byte[], byte[], Context, int, Duration)} as the operation {@code op} (null: none). */
  public static Envelope.Builder write(byte[] key, byte[] value, Context context, OperationId op, int w,
      Duration timeout) {
    Forward.Builder f = Forward.newBuilder()
        .setOp(value == null ? ClientOp.DELETE : ClientOp.PUT)
        .setKey(ByteString.copyFrom(key))
        .setW(w);
    if (op != null) {
      f.setOpClient(op.client()).setOpSequence(op.sequence());
    }
    if (value != null) {
      f.setValue(ByteString.copyFrom(value));
    }
    if (context != null) {
      f.setHasContext(true).setContext(ByteString.copyFrom(context.toBytes()));
    }
    return wrap(f, timeout);
  }

  /**
   * The context in a write's reply.
   *
   * @throws OutcomeUnknownException if the node sent no context or a malformed one
   */
  public static Context context(Envelope reply) {
    return context(reply, false);
  }

  private static Context context(Envelope reply, boolean read) {
    ForwardReply body = forwardReply(reply, read);
    try {
      return Context.fromBytes(body.getContext().toByteArray());
    } catch (KvStoreException e) {
      throw malformed(reply, "a malformed context: " + e.getMessage(), read, e);
    }
  }

  /**
   * What a GET's reply shows a reader: the live siblings (resolved by {@code resolver} when not null) and
   * the context.
   *
   * @throws OutcomeUnknownException if the node sent a malformed sibling set or context (retry-safe)
   */
  public static Versions versions(byte[] key, Envelope reply, ConflictResolver resolver) {
    ByteString siblings = forwardReply(reply, true).getSiblings();
    DvvSet<StoredValue> set;
    try {
      set = siblings.isEmpty() ? DvvSet.empty() : SiblingCodec.decode(siblings.toByteArray());
    } catch (IllegalArgumentException e) {
      throw malformed(reply, "a malformed sibling set: " + e.getMessage(), true, e);
    }
    return VersionsView.of(key, set, context(reply, true), resolver);
  }

  private static ForwardReply forwardReply(Envelope reply, boolean read) {
    if (!reply.hasForwardReply()) {
      throw malformed(reply, "a " + reply.getBodyCase() + " instead of a FORWARD_REPLY", read, null);
    }
    return reply.getForwardReply();
  }

  /** A reply the client cannot read: the operation ran on the node, but its outcome is not known here. */
  private static OutcomeUnknownException malformed(Envelope reply, String what, boolean read, Throwable cause) {
    return new OutcomeUnknownException(reply.getSender(), "node " + reply.getSender() + " answered with " + what
        + (read ? " (a read: safe to retry)" : " (the write may or may not have been applied)"), read, cause);
  }

  private static Envelope.Builder wrap(Forward.Builder f, Duration timeout) {
    return Envelope.newBuilder().setForward(f.setTimeoutMillis(timeout.toMillis()));
  }
}
