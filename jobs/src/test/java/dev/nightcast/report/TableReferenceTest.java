package dev.nightcast.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightcast.warehouse.TableContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TableReferenceTest {
  private static final Path COMMITTED = Path.of("../sql/analyst/TABLES.md");

  @Test
  void theCommittedReferenceIsTheGeneratedOne() throws IOException {
    assertThat(Files.readString(COMMITTED))
        .as("sql/analyst/TABLES.md is out of date: regenerate it with `bin/nightcast tables > sql/analyst/TABLES.md`")
        .isEqualTo(TableReference.markdown());
  }

  @Test
  void everyTableIsDocumentedOnceWithEveryColumnOfItsSchema() {
    assertThat(TableReference.contracts()).extracting(TableContract::name).doesNotHaveDuplicates();
    for (TableContract table : TableReference.contracts()) {
      assertThat(table.description()).as(table.name()).isNotBlank();
      assertThat(table.columns()).as(table.name()).allMatch(column -> !column.meaning().isBlank());
      if (table.schema() != null) {
        assertThat(table.columns()).extracting(TableContract.Column::name)
            .as(table.name()).containsExactlyElementsOf(Arrays.asList(table.schema().fieldNames()));
      }
    }
  }
}
