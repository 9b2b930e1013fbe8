package dev.kvstore.examples;

public final class KvstoreCommand {
  public static void main(String[] args) {}
}
