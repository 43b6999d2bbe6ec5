// A definition converted from an XLSForm is stored compact (docs/forms.md "How large a
// definition is"): half the bytes of the indented text that was stored before. A version
// stored indented is still seen as unchanged when the same workbook is published again.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "sync-server/published_forms.h"
#include "tests/sync-server/in_process.h"
#include "tests/xlsx_fixture.h"

using namespace amana;
using namespace amana::testing;

TEST_CASE("forms compact: a converted definition is stored without indentation, and an indented one still matches") {
  InProcessServer server;
  const std::string bytes = write_xlsx(
      server.dir.path() / "site.xlsx",
      {{"survey", {{"type", "name", "label"}, {"select_one yes_no", "safe", "Is the site safe?"}, {"text", "why", "Why?"}}},
       {"choices", {{"list_name", "name", "label"}, {"yes_no", "yes", "Yes"}, {"yes_no", "no", "No"}}},
       {"settings", {{"form_id", "form_title"}, {"site-check", "Site check"}}}});
  auto first = server::convert_next_version(*server.store, "site.xlsx", bytes);
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  const std::string& compact = first->form.definition;
  CHECK(compact.find('\n') == std::string::npos);
  CHECK(compact.find(R"("name":"safe")") != std::string::npos);
  const std::string indented = nlohmann::json::parse(compact).dump(2);
  CHECK(indented.size() > compact.size() * 3 / 2);

  // Version 1 as an earlier build stored it: indented, signed over those bytes.
  server::PublishedForm stored = first->form;
  stored.version = 1;
  stored.definition = indented;
  stored.digest = crypto::hash(crypto::as_bytes(indented));
  stored.signature =
      crypto::sign(server.keys.sign.secret_key, server::form_signed_message("site-check", 1, stored.digest));
  stored.source_name = "site.xlsx";
  stored.published_by = "test";
  REQUIRE(server.store->add_form_version(stored).ok());

  auto again = server::convert_next_version(*server.store, "site.xlsx", bytes);
  REQUIRE_MESSAGE(again.ok(), again.status().message());
  CHECK(again->form.version == 2);
  REQUIRE(again->unchanged_since.has_value());
  CHECK(*again->unchanged_since == 1);
}
