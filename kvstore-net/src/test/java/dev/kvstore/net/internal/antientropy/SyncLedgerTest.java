package dev.kvstore.net.internal.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link SyncLedger}: a bucket is known held by a peer only while this node's leaf keeps the value it was found equal with. */
@Timeout(10)
class SyncLedgerTest {
  @Test
  void aBucketIsKnownOnlyForThePeerItWasFoundEqualWithAndOnlyWhileTheLeafIsUnchanged() {
    SyncLedger ledger = new SyncLedger(8);
    assertThat(ledger.peerHeld("n2", 3, 42)).as("nothing known before an exchange").isFalse();
    ledger.inSync("n2", new int[] {1, 3}, new long[] {7, 42});
    assertThat(ledger.peerHeld("n2", 3, 42)).isTrue();
    assertThat(ledger.peerHeld("n2", 1, 7)).isTrue();
    assertThat(ledger.peerHeld("n2", 3, 43)).as("the leaf changed here since").isFalse();
    assertThat(ledger.peerHeld("n2", 2, 0)).as("a bucket the exchange found differing").isFalse();
    assertThat(ledger.peerHeld("n3", 3, 42)).as("another peer").isFalse();
    ledger.inSync("n2", new int[] {3}, new long[] {43});
    assertThat(ledger.peerHeld("n2", 3, 43)).as("found equal again with the new leaf").isTrue();
    assertThat(ledger.peerHeld("n2", 3, 42)).isFalse();
  }
}
