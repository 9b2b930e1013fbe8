package dev.kvstore.examples.bench;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A live progress bar of one load phase on standard error, with the current ops/s (the progressbar library);
 * nothing at all when this process has no terminal, so piped or captured output stays clean. Not thread-safe:
 * the thread that runs the phase updates it.
 */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /** A bar named {@code name} that goes to {@code max} (milliseconds of a timed phase, or operations). */
  static Progress start(String name, long max, String unit) {
    if (System.console() == null) {
      return new Progress(null);
    }
    return new Progress(new ProgressBarBuilder().setTaskName(name).setInitialMax(max).setUnit(unit, 1)
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate()
        .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true))).build());
  }

  /** Moves the bar to {@code position} and shows the rate so far. */
  void update(long position, long ops, double seconds) {
    if (bar != null) {
      bar.stepTo(Math.min(position, bar.getMax()));
      bar.setExtraMessage(String.format(" %,.0f ops/s", seconds > 0 ? ops / seconds : 0.0));
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
