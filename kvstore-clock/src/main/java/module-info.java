/**
 * Logical clocks and versions: Lamport, vector, hybrid logical clocks and dotted version vectors, with their
 * binary encodings. Exports its API package only; {@code dev.kvstore.clock.internal} stays inside.
 */
module dev.kvstore.clock {
  exports dev.kvstore.clock;
}
