package dev.kvstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.testing.PublicSurface;
import dev.kvstore.clock.VectorClock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The public surface of kvstore-clock and kvstore-core, read from the compiled classes: no internal, Netty,
 * protobuf or RocksDB type in a public signature, and docs/design.md lists exactly these public types (between
 * its {@code public-api} markers), so the list cannot go stale.
 */
class PublicSurfaceTest {
  private static List<Class<?>> publicTypes() throws Exception {
    return PublicSurface.publicTypes(VectorClock.class, KvStore.class);
  }

  @Test
  void noPublicSignatureNamesAnInternalOrThirdPartyType() throws Exception {
    assertThat(PublicSurface.leaks(publicTypes()))
        .as("public signatures that name a type users cannot or should not use").isEmpty();
  }

  @Test
  void docsDesignListsExactlyThePublicTypes() throws Exception {
    assertThat(PublicSurface.listedInDesign("public-api")).as("docs/design.md has the public-api markers").isNotNull();
    assertThat(PublicSurface.listedInDesign("public-api"))
        .as("the public types of kvstore-clock and kvstore-core, as docs/design.md lists them")
        .isEqualTo(PublicSurface.names(publicTypes()));
  }
}
