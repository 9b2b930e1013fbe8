package dev.kvstore.core.internal.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.core.Durability;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Pins the on-disk bytes to the layout documented in docs/storage.md. */
@Timeout(30)
class WalFormatTest {
  @TempDir Path dir;

  @Test
  void segmentHoldsTheDocumentedHeaderAndRecordBytes() throws Exception {
    try (SegmentedWal wal = WalTesting.openStarted(WalOptions.defaults(dir, Durability.ALWAYS))) {
      WalTesting.append(wal, "hi".getBytes(StandardCharsets.US_ASCII));
    }
    byte[] file = Files.readAllBytes(dir.resolve("wal-00000000000000000001.log"));

    String documented =
        "4B56574C01000000" // header: KVWL, version 1, reserved
            + "00000002" // length
            + "FCD992EC" // CRC32C over length, seq, payload
            + "0000000000000001" // seq
            + "6869"; // "hi"
    assertThat(HexFormat.of().withUpperCase().formatHex(file)).isEqualTo(documented);
  }

  @Test
  void documentedChecksumIsTheCastagnoliCrcOfLengthSeqAndPayload() {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(14).putInt(2).putLong(1).put((byte) 'h').put((byte) 'i').flip());

    assertThat(String.format("%08X", crc.getValue())).isEqualTo("FCD992EC");
  }

  @Test
  void recordsAreBigEndianWithAChecksumOverLengthSeqAndPayload() throws Exception {
    byte[] payload = new byte[300];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 7);
    }
    try (SegmentedWal wal = WalTesting.openStarted(WalOptions.defaults(dir, Durability.NEVER))) {
      WalTesting.append(wal, new byte[0]);
      WalTesting.append(wal, payload);
    }
    ByteBuffer file =
        ByteBuffer.wrap(Files.readAllBytes(dir.resolve("wal-00000000000000000001.log")));
    file.position(8 + 16); // past the header and the empty record 1

    assertThat(file.getInt()).isEqualTo(300);
    int storedCrc = file.getInt();
    assertThat(file.getLong()).isEqualTo(2);
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(12).putInt(300).putLong(2).flip());
    crc.update(payload);
    assertThat(storedCrc).isEqualTo((int) crc.getValue());
    assertThat(file.remaining()).isEqualTo(300);
  }

  @Test
  void segmentNamesAreTheFirstSeqInTwentyDigits() {
    assertThat(SegmentFormat.fileName(1)).isEqualTo("wal-00000000000000000001.log");
    assertThat(SegmentFormat.fileName(Long.MAX_VALUE)).isEqualTo("wal-09223372036854775807.log");
    assertThat(SegmentFormat.firstSeqOf("wal-00000000000000012289.log")).isEqualTo(12289);
    assertThat(SegmentFormat.firstSeqOf("wal-12289.log")).isEqualTo(-1);
    assertThat(SegmentFormat.firstSeqOf("wal-99999999999999999999.log")).isEqualTo(-1);
    assertThat(SegmentFormat.firstSeqOf("wal-00000000000000000001.log.tmp")).isEqualTo(-1);
  }
}
