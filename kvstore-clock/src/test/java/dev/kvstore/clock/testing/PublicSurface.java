package dev.kvstore.clock.testing;

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

/**
 * A module's public surface, read from its compiled classes, for the modules' {@code PublicSurfaceTest}s: the
 * public types of its API packages, the public signatures that name an internal, Netty, protobuf or RocksDB type,
 * and the types docs/design.md lists between a pair of markers.
 */
public final class PublicSurface {
  private static final List<String> THIRD_PARTY = List.of("io.netty.", "com.google.protobuf.", "org.rocksdb.");

  private PublicSurface() {}

  /** Public signatures of {@code types} (supertypes, fields, methods, constructors) that name such a type. */
  public static List<String> leaks(List<Class<?>> types) {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : types) {
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
    return leaks;
  }

  /**
   * The {@code dev.kvstore...} type names docs/design.md lists between {@code <!-- marker:start -->} and
   * {@code <!-- marker:end -->}, or null when the markers are missing. The path is relative to a module's directory.
   */
  public static TreeSet<String> listedInDesign(String marker) throws IOException {
    String design = Files.readString(Path.of("..", "docs", "design.md"), StandardCharsets.UTF_8);
    int start = design.indexOf("<!-- " + marker + ":start -->");
    int end = design.indexOf("<!-- " + marker + ":end -->");
    if (start < 0 || end < start) {
      return null;
    }
    TreeSet<String> listed = new TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("`(dev\\.kvstore\\.[A-Za-z.$]+)`")
        .matcher(design.substring(start, end));
    while (m.find()) {
      listed.add(m.group(1));
    }
    return listed;
  }

  /** The names of {@code types}, sorted. */
  public static TreeSet<String> names(List<Class<?>> types) {
    TreeSet<String> names = new TreeSet<>();
    types.forEach(t -> names.add(t.getName()));
    return names;
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

  /** The public types (nested ones too) of the packages of {@code anchors} (not their subpackages). */
  public static List<Class<?>> publicTypes(Class<?>... anchors)
      throws IOException, URISyntaxException, ClassNotFoundException {
    List<Class<?>> types = new ArrayList<>();
    for (Class<?> anchor : anchors) {
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
