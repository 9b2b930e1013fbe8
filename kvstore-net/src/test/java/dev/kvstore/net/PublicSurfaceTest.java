package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kvstore.clock.testing.PublicSurface;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The public surface of kvstore-net, read from the compiled classes: no internal, Netty, protobuf or RocksDB type
 * in a public signature, and docs/design.md lists exactly these public types (between its {@code public-api-net}
 * markers), so the list cannot go stale. The check itself is {@link PublicSurface}, shared with kvstore-core.
 */
class PublicSurfaceTest {
  private static List<Class<?>> publicTypes() throws Exception {
    return PublicSurface.publicTypes(KvNode.class);
  }

  @Test
  void noPublicSignatureNamesAnInternalOrThirdPartyType() throws Exception {
    assertThat(PublicSurface.leaks(publicTypes()))
        .as("public signatures that name a type users cannot or should not use").isEmpty();
  }

  @Test
  void docsDesignListsExactlyThePublicTypes() throws Exception {
    assertThat(PublicSurface.listedInDesign("public-api-net")).as("docs/design.md has the public-api-net markers").isNotNull();
    assertThat(PublicSurface.listedInDesign("public-api-net"))
        .as("the public types of kvstore-net, as docs/design.md lists them")
        .isEqualTo(PublicSurface.names(publicTypes()));
  }
}
