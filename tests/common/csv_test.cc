#include "common/csv.h"

#include <doctest/doctest.h>

namespace amana::csv {

TEST_CASE("csv: quoted fields, doubled quotes, CRLF, a BOM and blank lines") {
  auto rows = parse("\xEF\xBB\xBFid,name,services\r\np1,\"Al-Amal Clinic, Um Dukhun\",health;psychosocial\r\n"
                    "p2,\"The \"\"Safe\"\" House\",safehouse\n\np3,\"two\nlines\",\n");
  REQUIRE_MESSAGE(rows.ok(), rows.status().message());
  REQUIRE(rows->size() == 4);
  CHECK(rows->at(0) == Row{"id", "name", "services"});
  CHECK(rows->at(1) == Row{"p1", "Al-Amal Clinic, Um Dukhun", "health;psychosocial"});
  CHECK(rows->at(2) == Row{"p2", "The \"Safe\" House", "safehouse"});
  CHECK(rows->at(3) == Row{"p3", "two\nlines", ""});
  CHECK(parse("a,b")->at(0) == Row{"a", "b"});  // no final line end
  CHECK(parse("مركز,عيادة\n")->at(0) == Row{"مركز", "عيادة"});
}

TEST_CASE("csv: malformed input and limits are refused, naming the line") {
  CHECK(parse("a,b\n\"open,c\n").status().message() == "line 2: a quoted field is never closed");
  CHECK(parse("a,b\nx\"y,c\n").status().message().find("line 2: a quote inside an unquoted field") == 0);
  CHECK(parse("\"a\"b,c\n").status().message().find("line 1: text after a closing quote") == 0);
  Limits tight;
  tight.max_rows = 2;
  tight.max_fields = 3;
  tight.max_field_bytes = 5;
  CHECK(parse("a\nb\nc\n", tight).status().message() == "more than 2 rows");
  CHECK(parse("a,b,c,d\n", tight).status().message() == "line 1: more than 3 columns");
  CHECK(parse("abcdefgh\n", tight).status().message() == "line 1: a field is longer than 5 bytes");
  CHECK(parse("\"abcdefgh\"\n", tight).status().message() == "line 1: a field is longer than 5 bytes");
}

TEST_CASE("csv: rows format back to what parses to the same fields") {
  const Row row{"p1", "Clinic, \"North\"", "line\nbreak", "plain", ""};
  const std::string text = format_row(row);
  CHECK(text == "p1,\"Clinic, \"\"North\"\"\",\"line\nbreak\",plain,\r\n");
  CHECK(parse(text)->at(0) == row);
}

}  // namespace amana::csv
