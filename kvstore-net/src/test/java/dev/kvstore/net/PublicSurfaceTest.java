package dev.kvstore.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public surface of kvstore-net, read from the compiled classes: no internal, Netty, protobuf or RocksDB type
 * in a public signature, and docs/design.md lists exactly these public types (between its {@code public-api-net}
 * markers), so the list cannot go stale. The same check as kvstore-core's {@code PublicSurfaceTest}, which a test
 * of this module cannot reach (kvstore-core ships no test-jar).
 */
class PublicSurfaceTest {
  private static final List<String> THIRD_PARTY = List.of("io.netty.", "com.google.protobuf.", "org.rocksdb.");

  @Test
  void noPublicSignatureNamesAnInternalOrThirdPartyType() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : publicTypes()) {
      check(type.getName() + " extends", type.getGenericSuperclass(), leaks);
      for (Type t : type.getGenericInterfaces()) {
        check(type.getName() + " implements", t, leaks);
      }
      for (Field f : type.getDeclaredFields()) {
        if (visible(f.getModifiers())) {
          check(type.getName() + "." + f.getName(), f.getGenericType(), leaks);
        }
      }
      List<Executable> members = new ArrayList<>(List.of(type.getDeclaredMethods()));
      members.addAll(List.<Constructor<?>>of(type.getDeclaredConstructors()));
      for (Executable m : members) {
        if (!visible(m.getModifiers()) || m.isSynthetic()) {
          continue;
        }
        String where = type.getName() + "." + m.getName();
        if (m instanceof Method method) {
          check(where + " returns", method.getGenericReturnType(), leaks);
        }
        for (Type p : m.getGenericParameterTypes()) {
          check(where + " takes", p, leaks);
        }
        for (Type x : m.getGenericExceptionTypes()) {
          check(where + " throws", x, leaks);
        }
      }
    }
    assertThat(leaks).as("public signatures that name a type users cannot or should not use").isEmpty();
  }

  @Test
  void docsDesignListsExactlyThePublicTypes() throws Exception {
    String design = Files.readString(Path.of("..", "docs", "design.md"), StandardCharsets.UTF_8);
    int start = design.indexOf("<!-- public-api-net:start -->");
    int end = design.indexOf("<!-- public-api-net:end -->");
    assertThat(start).as("docs/design.md has the public-api-net markers").isNotNegative();
    TreeSet<String> listed = new TreeSet<>();
    for (String line : design.substring(start, end).split("\n")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("`(dev\\.kvstore\\.[A-Za-z.$]+)`").matcher(line);
      while (m.find()) {
        listed.add(m.group(1));
      }
    }
    TreeSet<String> actual = new TreeSet<>();
    for (Class<?> type : publicTypes()) {
      actual.add(type.getName());
    }
    assertThat(listed).as("the public types of kvstore-net, as docs/design.md lists them")
        .isEqualTo(actual);
  }

  private static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static void check(String where, Type type, List<String> leaks) {
    if (type == null) {
      return;
    }
    if (type instanceof Class<?> c) {
      Class<?> base = c;
      while (base.isArray()) {
        base = base.getComponentType();
      }
      String name = base.getName();
      if (name.contains(".internal.") || THIRD_PARTY.stream().anyMatch(name::startsWith)) {
        leaks.add(where + " " + name);
      }
    } else if (type instanceof ParameterizedType p) {
      check(where, p.getRawType(), leaks);
      for (Type a : p.getActualTypeArguments()) {
        check(where, a, leaks);
      }
    } else if (type instanceof WildcardType w) {
      Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds())).forEach(b -> check(where, b, leaks));
    } else if (type instanceof GenericArrayType g) {
      check(where, g.getGenericComponentType(), leaks);
    } else if (type instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        if (b != type) {
          check(where, b, leaks);
        }
      }
    }
  }

  /** The public types (nested ones too) of the API package of kvstore-net. */
  static List<Class<?>> publicTypes() throws IOException, URISyntaxException, ClassNotFoundException {
    List<Class<?>> types = new ArrayList<>();
    for (Class<?> anchor : List.of(KvNode.class)) {
      String pkg = anchor.getPackageName();
      for (String name : classNames(anchor, pkg)) {
        Class<?> c = Class.forName(name, false, anchor.getClassLoader());
        if (isPublicAllTheWay(c)) {
          types.add(c);
        }
      }
    }
    return types;
  }

  private static boolean isPublicAllTheWay(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isSynthetic()) {
        return false;
      }
    }
    return true;
  }

  /** Class names of package {@code pkg} (not its subpackages) where {@code anchor} was loaded from. */
  private static List<String> classNames(Class<?> anchor, String pkg) throws IOException, URISyntaxException {
    Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    String prefix = pkg.replace('.', '/') + "/";
    List<String> entries = new ArrayList<>();
    if (Files.isDirectory(location)) {
      try (Stream<Path> files = Files.list(location.resolve(prefix))) {
        files.map(p -> prefix + p.getFileName()).forEach(entries::add);
      }
    } else {
      try (JarFile jar = new JarFile(location.toFile())) {
        jar.stream().map(java.util.jar.JarEntry::getName).forEach(entries::add);
      }
    }
    List<String> names = new ArrayList<>();
    for (String e : entries) {
      if (e.startsWith(prefix) && e.endsWith(".class") && e.indexOf('/', prefix.length()) < 0
          && !e.endsWith("package-info.class") && !e.endsWith("module-info.class")) {
        names.add(e.substring(0, e.length() - ".class".length()).replace('/', '.'));
      }
    }
    return names;
  }
}
