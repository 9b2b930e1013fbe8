/**
 * Logical clocks for a Dynamo-style store: {@link dev.kvstore.clock.LamportClock} (Lamport 1978),
 * {@link dev.kvstore.clock.VectorClock} and the per-process {@link dev.kvstore.clock.ProcessClock}
 * (Mattern, Fidge), {@link dev.kvstore.clock.HybridLogicalClock} (Kulkarni et al. 2014), and the
 * dotted version vectors that track causality per stored value: {@link
 * dev.kvstore.clock.DottedVersionVector} and the sibling set {@link dev.kvstore.clock.DvvSet}
 * (Preguiça, Baquero et al.; Riak 2.0's dvvset).
 *
 * <p>Every value type is immutable, has {@code equals}/{@code hashCode}/{@code toString}, and a
 * compact versioned binary encoding ({@code toBytes}/{@code fromBytes}) whose decoders check every
 * length and invariant and report bad input as {@link dev.kvstore.clock.ClockEncodingException}.
 * The holders ({@code LamportClock}, {@code ProcessClock}, {@code HybridLogicalClock}) are
 * thread-safe. The module has no runtime dependencies; the theory is in docs/clocks.md.
 */
package dev.kvstore.clock;
