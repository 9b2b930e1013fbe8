package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.kvstore.core.internal.proto.WalEntry;
import org.junit.jupiter.api.Test;

class ProtobufBuildTest {
  @Test
  void generatedWalEntryRoundTrips() throws Exception {
    WalEntry entry =
        WalEntry.newBuilder()
            .setKey(ByteString.copyFromUtf8("k"))
            .setSiblings(ByteString.copyFrom(new byte[] {1, 2, 3}))
            .build();
    WalEntry back = WalEntry.parseFrom(entry.toByteArray());
    assertThat(back.getKey().toStringUtf8()).isEqualTo("k");
    assertThat(back.getSiblings().toByteArray()).containsExactly(1, 2, 3);
  }
}
