package dev.nightcast.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print a bash completion script for nightcast's commands and options (zsh: after `autoload -U bashcompinit && bashcompinit`).",
      "Load it with: source <(bin/nightcast completion)"
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    System.out.print(AutoComplete.bash("nightcast", spec.root().commandLine()));
    return 0;
  }
}
