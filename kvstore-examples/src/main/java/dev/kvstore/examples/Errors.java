package dev.kvstore.examples;

import dev.kvstore.core.KvStoreException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * How {@code kvstore} reports what went wrong: a usage error is one line naming it and "Try 'kvstore
 * [command] --help'" (exit 2; the usage itself only on {@code --help}); a failure while running is one line
 * {@code kvstore <command>: <cause>} (exit 1), with the stack trace only under {@code --verbose}. Stateless.
 */
final class Errors {
  /** Exit code of a usage error. */
  static final int USAGE = 2;
  /** Exit code of a runtime failure. */
  static final int FAILED = 1;

  private Errors() {}

  /** Installs both handlers on {@code cli} (they apply to its subcommands too) and returns it. */
  static CommandLine install(CommandLine cli) {
    cli.setParameterExceptionHandler(usage());
    cli.setExecutionExceptionHandler(failure());
    return cli;
  }

  private static IParameterExceptionHandler usage() {
    return (ParameterException e, String[] args) -> {
      CommandLine cmd = e.getCommandLine();
      PrintWriter err = cmd.getErr();
      String name = cmd.getCommandSpec().qualifiedName();
      err.println(name + ": " + usageProblem(e));
      err.println("Try '" + name + " --help'.");
      err.flush();
      return USAGE;
    };
  }

  private static String usageProblem(ParameterException e) {
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().get(0);
      var subcommands = e.getCommandLine().getSubcommands().keySet();
      if (!first.startsWith("-") && !subcommands.isEmpty()) {
        return "unknown command '" + first + "' (commands: " + String.join(", ", subcommands) + ")";
      }
      return "unknown option or argument '" + first + "'";
    }
    return oneLine(e.getMessage());
  }

  private static IExecutionExceptionHandler failure() {
    return (Exception e, CommandLine cmd, ParseResult parsed) -> {
      PrintWriter err = cmd.getErr();
      err.println(cmd.getCommandSpec().qualifiedName() + ": " + describe(e));
      if (parsed.originalArgs().contains("--verbose")) {
        e.printStackTrace(err);
      }
      err.flush();
      return FAILED;
    };
  }

  /** One line naming the cause: file system errors say what is wrong with the path. */
  static String describe(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof FileSystemException)) {
      cause = cause.getCause();
    }
    if (cause instanceof FileSystemException fs) {
      return fileProblem(fs);
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return oneLine(e instanceof KvStoreException ? message : e.getClass().getSimpleName() + ": " + message);
  }

  private static String fileProblem(FileSystemException e) {
    String path = e.getFile();
    if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException) {
      return path + " is not a directory (a file is in the way): choose another path";
    }
    if (e instanceof AccessDeniedException) {
      return path + ": permission denied: choose a directory you can write";
    }
    if (e instanceof NoSuchFileException) {
      return path + ": no such file or directory";
    }
    return path + ": " + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason());
  }

  private static String oneLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
