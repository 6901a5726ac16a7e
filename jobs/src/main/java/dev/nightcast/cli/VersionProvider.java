package dev.nightcast.cli;

import dev.nightcast.night.Context;
import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"nightcast " + Context.codeVersion()};
  }
}
