package dev.kvstore.net.internal.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SyncLedger}: a bucket is known held by a peer only for the range it was found equal in, and only while
 * this node's leaf keeps the value it was found equal with.
 */
@Timeout(10)
class SyncLedgerTest {
  private static final String RANGE = "n1,n2,n3";

  @Test
  void aBucketIsKnownOnlyForThePeerAndRangeItWasFoundEqualInAndOnlyWhileTheLeafIsUnchanged() {
    SyncLedger ledger = new SyncLedger(8);
    assertThat(ledger.peerHeld(RANGE, "n2", 3, 42)).as("nothing known before an exchange").isFalse();
    ledger.inSync(RANGE, "n2", new int[] {1, 3}, new long[] {7, 42});
    assertThat(ledger.peerHeld(RANGE, "n2", 3, 42)).isTrue();
    assertThat(ledger.peerHeld(RANGE, "n2", 1, 7)).isTrue();
    assertThat(ledger.peerHeld(RANGE, "n2", 3, 43)).as("the leaf changed here since").isFalse();
    assertThat(ledger.peerHeld(RANGE, "n2", 2, 0)).as("a bucket the exchange found differing").isFalse();
    assertThat(ledger.peerHeld(RANGE, "n3", 3, 42)).as("another peer").isFalse();
    assertThat(ledger.peerHeld("n1,n2,n4", "n2", 3, 42)).as("the same bucket of another range").isFalse();
    ledger.inSync(RANGE, "n2", new int[] {3}, new long[] {43});
    assertThat(ledger.peerHeld(RANGE, "n2", 3, 43)).as("found equal again with the new leaf").isTrue();
    assertThat(ledger.peerHeld(RANGE, "n2", 3, 42)).isFalse();
  }
}
