package dev.kvstore.examples.client;

import dev.kvstore.core.Context;
import dev.kvstore.core.InvalidRequestException;
import dev.kvstore.core.Version;
import dev.kvstore.core.Versions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * How the command line shows what the store returns: a version as its value and causal clock, a context as a
 * token (base64 of {@link Context#toBytes()}) that a later {@code put --context} passes back, and JSON for
 * scripts. Stateless.
 */
public final class Show {
  private Show() {}

  /**
   * A version as {@code value  history}, e.g. {@code v  (n1.1-9wt2ut,2) after {n1.1-9wt2ut:1}}: the dot that wrote
   * it and the causal past it was written after (dotted version vector rules decide concurrency).
   */
  public static String version(Version v) {
    return v.valueAsString() + "  " + clock(v);
  }

  /** The causal history of {@code v} as text: its dot and its past. */
  public static String clock(Version v) {
    return String.valueOf(v.history());
  }

  /** A context as a token for {@code --context}. */
  public static String token(Context c) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(c.toBytes());
  }

  /**
   * The context a token stands for.
   *
   * @throws IllegalArgumentException naming the token when it is not one that {@link #token} made
   */
  public static Context context(String token) {
    try {
      return Context.fromBytes(Base64.getUrlDecoder().decode(token.trim()));
    } catch (IllegalArgumentException | InvalidRequestException e) {
      throw new IllegalArgumentException("--context '" + token + "' is not a context token (copy the one a get "
          + "printed after 'context:')", e);
    }
  }

  /** The lines of a read: one per sibling, then the context; or {@code (not found)} and the context. */
  public static List<String> lines(Versions v) {
    List<String> lines = new ArrayList<>();
    if (!v.isFound()) {
      lines.add("(not found)");
    }
    for (Version version : v.versions()) {
      lines.add(version(version));
    }
    if (v.hasSiblings()) {
      lines.add("(" + v.versions().size() + " concurrent siblings: put with this context to resolve them)");
    }
    lines.add("context: " + token(v.context()));
    return lines;
  }

  /** A read as one JSON object: {@code {"key":..,"found":..,"siblings":[{"value":..,"clock":..}],"context":..}}. */
  public static String json(String key, Versions v) {
    StringBuilder s = new StringBuilder("{\"key\":").append(quote(key)).append(",\"found\":").append(v.isFound())
        .append(",\"siblings\":[");
    for (int i = 0; i < v.versions().size(); i++) {
      Version version = v.versions().get(i);
      s.append(i == 0 ? "" : ",").append("{\"value\":").append(quote(version.valueAsString()))
          .append(",\"clock\":").append(quote(clock(version))).append('}');
    }
    return s.append("],\"context\":").append(quote(token(v.context()))).append('}').toString();
  }

  /** A JSON string literal. */
  public static String quote(String text) {
    StringBuilder s = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        case '\n' -> s.append("\\n");
        case '\r' -> s.append("\\r");
        case '\t' -> s.append("\\t");
        default -> s.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
    }
    return s.append('"').toString();
  }
}
