package dev.kvstore.examples.client;

import dev.kvstore.core.KvStoreException;
import dev.kvstore.net.KvClient;
import dev.kvstore.net.NodeStatus;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kvstore status}: asks every node of the cluster for its {@link NodeStatus} and prints one block per
 * node (a node that does not answer is shown as down); exit 0 when every node answered, 1 otherwise.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show each node of a running cluster: up or down, incarnation, ring share, keys, log",
        "counters, and which peers it is connected to. Exit 0 when every node answered, 1 otherwise."})
public final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions options;

  @Option(names = "--json", description = "Print one JSON array instead of lines.")
  boolean json;

  @Override
  public Integer call() {
    try (KvClient client = options.connect()) {
      Map<String, Object> answers = ask(client, options.nodes().keySet());
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(json(answers));
      } else {
        lines(answers).forEach(out::println);
      }
      out.flush();
      return answers.values().stream().allMatch(a -> a instanceof NodeStatus) ? 0 : 1;
    }
  }

  /** Each node's status, or why it did not answer (a String). */
  public static Map<String, Object> ask(KvClient client, Iterable<String> nodes) {
    Map<String, Object> answers = new LinkedHashMap<>();
    for (String id : nodes) {
      try {
        answers.put(id, client.status(id));
      } catch (KvStoreException e) {
        answers.put(id, e.getMessage());
      }
    }
    return answers;
  }

  /** The human-readable lines of {@code answers}. */
  public static List<String> lines(Map<String, Object> answers) {
    List<String> lines = new ArrayList<>();
    answers.forEach((id, answer) -> {
      if (answer instanceof NodeStatus s) {
        lines.add(String.format(Locale.ROOT, "%s  up    %s  actor %s  N=%d W=%d R=%d  ring %.1f%%  keys ~%d", id,
            s.address(), s.actorId(), s.n(), s.w(), s.r(), s.ringShare() * 100, s.keys()));
        lines.add(String.format(Locale.ROOT, "    log: %d appends, %d groups, %d forces", s.log().appends(),
            s.log().groups(), s.log().forces()));
        if (!s.writeRefusal().isEmpty()) {
          lines.add("    takes no writes: " + s.writeRefusal());
        }
        List<String> peers = s.peers().stream()
            .map(p -> String.format(Locale.ROOT, "%s %s (phi %.1f%s)%s%s", p.id(), p.up() ? "UP" : "DOWN", p.phi(),
                p.connected() ? ", connected" : "", p.writeRefusal().isEmpty() ? "" : " takes no writes: "
                + p.writeRefusal(), p.hintsHeld() > 0 ? ", " + p.hintsHeld() + " hints held for it" : "")).toList();
        lines.add("    peers: " + (peers.isEmpty() ? "none" : String.join(", ", peers)));
        lines.add(String.format(Locale.ROOT, "    hints: %d delivered, %d dropped since start", s.hintsDelivered(),
            s.hintsDropped()));
        if (s.ranges().isEmpty()) {
          lines.add("    anti-entropy: off");
        }
        for (NodeStatus.RangeStatus r : s.ranges()) {
          lines.add(String.format(Locale.ROOT, "    anti-entropy %s: %s, %d keys repaired, %d bytes sent", r.range(),
              r.lastExchange().map(t -> "last exchange " + t + " with " + r.lastPeer()
                  + (r.inSync() ? " (in sync)" : " (differed)")).orElse("no exchange yet"),
              r.keysRepaired(), r.bytesSent()));
        }
      } else {
        lines.add(id + "  DOWN  (no answer: " + answer + ")");
      }
    });
    return lines;
  }

  private static String json(Map<String, Object> answers) {
    List<String> nodes = new ArrayList<>();
    answers.forEach((id, answer) -> {
      if (answer instanceof NodeStatus s) {
        List<String> peers = s.peers().stream().map(p -> "{\"id\":" + Show.quote(p.id()) + ",\"address\":"
            + Show.quote(p.address()) + ",\"connected\":" + p.connected() + ",\"up\":" + p.up()
            + String.format(Locale.ROOT, ",\"phi\":%.2f", p.phi()) + ",\"writeRefusal\":"
            + Show.quote(p.writeRefusal()) + ",\"hintsHeld\":" + p.hintsHeld() + "}").toList();
        List<String> ranges = s.ranges().stream().map(r -> "{\"range\":" + Show.quote(r.range()) + ",\"lastPeer\":"
            + Show.quote(r.lastPeer()) + ",\"lastExchange\":" + r.lastExchange().map(t -> Show.quote(t.toString()))
            .orElse("null") + ",\"keysRepaired\":" + r.keysRepaired() + ",\"bytesSent\":" + r.bytesSent()
            + ",\"inSync\":" + r.inSync() + "}").toList();
        nodes.add(String.format(Locale.ROOT, "{\"id\":%s,\"up\":true,\"address\":%s,\"incarnation\":%s,\"n\":%d,"
                + "\"w\":%d,\"r\":%d,\"ringShare\":%.4f,\"keys\":%d,\"log\":{\"appends\":%d,\"groups\":%d,"
                + "\"forces\":%d},\"peers\":[%s],\"writeRefusal\":%s,\"hintsDelivered\":%d,\"hintsDropped\":%d,"
                + "\"antiEntropy\":[%s]}",
            Show.quote(id), Show.quote(s.address()),
            Show.quote(s.incarnation()), s.n(), s.w(), s.r(), s.ringShare(), s.keys(), s.log().appends(),
            s.log().groups(), s.log().forces(), String.join(",", peers), Show.quote(s.writeRefusal()),
            s.hintsDelivered(), s.hintsDropped(), String.join(",", ranges)));
      } else {
        nodes.add("{\"id\":" + Show.quote(id) + ",\"up\":false,\"error\":" + Show.quote(answer.toString()) + "}");
      }
    });
    return "[" + String.join(",", nodes) + "]";
  }
}
