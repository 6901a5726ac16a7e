package dev.nightcast.testing;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for a process of its own (a crash or a second run needs one) with this test JVM's classpath. */
public final class ChildJvm {
  private ChildJvm() {}

  /** java with this JVM's module opens (Spark needs them) and classpath, {@code heap} as -Xmx, then {@code mainClass}. */
  public static List<String> command(String heap, String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (argument.startsWith("--add-opens")) {
        command.add(argument);
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    return command;
  }
}
