// Ids typed back by a person: a whole id, or a part from its start or end that only one id has.
#include "common/id_parts.h"

#include <doctest/doctest.h>

#include <vector>

#include "common/message_catalogue.h"

namespace amana {
namespace {

const IdKind kRecords{Message("ids.noun.record"), "field-client records"};

// Two records made in the same minute: the same first 8 characters (and more), different ends.
const std::vector<std::string> kIds = {
    "01a2332b-9c4e-7a01-8d3f-55e0a1c4f1a2",
    "01a2332b-9c4f-7b22-a1e9-0c7d3b2f9e07",
    "01a2332b-9c4f-7b23-b000-00003b2f9e07",  // shares its last 8 with the one above
    "0190f5a2-7c1e-7d33-9a41-6b2e0c8d4f10",
};

}  // namespace

TEST_CASE("id parts: a unique prefix or suffix names its id, a whole id is itself") {
  CHECK(*resolve_id_text("55e0a1c4f1a2", kIds, kRecords) == kIds[0]);   // the end
  CHECK(*resolve_id_text("A1C4F1A2", kIds, kRecords) == kIds[0]);       // any case
  CHECK(*resolve_id_text("01a2332b-9c4e", kIds, kRecords) == kIds[0]);  // the start, dashes as shown
  CHECK(*resolve_id_text("0190f5a2", kIds, kRecords) == kIds[3]);
  CHECK(*resolve_id_text("01a2332b9c4f7b23", kIds, kRecords) == kIds[2]);
  CHECK(*resolve_id_text("0C7D3B2F9E07", kIds, kRecords) == kIds[1]);
  // A whole id is taken as given, canonical: whoever uses it says whether it exists.
  CHECK(*resolve_id_text("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", kIds, kRecords) == "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

TEST_CASE("id parts: ambiguous, unknown and malformed parts are refused, saying what to type") {
  auto ambiguous = resolve_id_text("01a2332b", kIds, kRecords);
  REQUIRE_FALSE(ambiguous.ok());
  CHECK(ambiguous.status().code() == ErrorCode::invalid_argument);
  CHECK(ambiguous.status().message() ==
        "'01a2332b' matches more than one record (3):\n"
        "  01a2332b-9c4e-7a01-8d3f-55e0a1c4f1a2  (a1c4f1a2)\n"
        "  01a2332b-9c4f-7b22-a1e9-0c7d3b2f9e07  (d3b2f9e07)\n"
        "  01a2332b-9c4f-7b23-b000-00003b2f9e07  (03b2f9e07)\n"
        "give more of the id, such as the part in brackets");
  // The part in brackets is enough to type back.
  CHECK(*resolve_id_text("d3b2f9e07", kIds, kRecords) == kIds[1]);
  CHECK(*resolve_id_text("03b2f9e07", kIds, kRecords) == kIds[2]);
  CHECK(resolve_id_text("3b2f9e07", kIds, kRecords).status().message().find("more than one record (2)") !=
        std::string::npos);
  CHECK(ambiguous.status().message_in(Language::ar).find("يطابق أكثر من سجل (3)") != std::string::npos);

  auto unknown = resolve_id_text("ffffffff", kIds, kRecords);
  CHECK(unknown.status().code() == ErrorCode::not_found);
  CHECK(unknown.status().message() == "no record id starts or ends with 'ffffffff' (see `field-client records`)");
  for (const char* bad : {"0190f5a", "", "zzzzzzzzzz", "01a2332b-9c4e-7a01-8d3f-55e0a1c4f1a2ff"}) {
    CAPTURE(bad);
    auto refused = resolve_id_text(bad, kIds, kRecords);
    CHECK(refused.status().code() == ErrorCode::invalid_argument);
    CHECK(refused.status().message().find("at least 8 of its characters") != std::string::npos);
  }
}

TEST_CASE("id parts: listings show each id's shortest distinguishing end, at least 8 characters") {
  const auto parts = distinguishing_parts(kIds);
  REQUIRE(parts.size() == kIds.size());
  CHECK(parts[0] == "a1c4f1a2");
  CHECK(parts[1] == "d3b2f9e07");
  CHECK(parts[2] == "03b2f9e07");
  CHECK(parts[3] == "0c8d4f10");
  for (std::size_t i = 0; i < kIds.size(); ++i) CHECK(*resolve_id_text(parts[i], kIds, kRecords) == kIds[i]);
  CHECK(distinguishing_parts(std::vector<std::string>{}).empty());

  std::vector<RecordId> ids;
  for (const std::string& text : kIds) ids.push_back(*RecordId::parse(text));
  CHECK(distinguishing_parts_of<RecordId>(ids) == parts);
  CHECK(*resolve_id<RecordId>("0c8d4f10", ids, kRecords) == ids[3]);
}

}  // namespace amana
