#include "common/ids.h"

#include <doctest/doctest.h>

using namespace amana;

TEST_CASE("record ids are time-ordered and carry UUIDv7 version and variant bits") {
  const RecordId earlier = new_record_id(1'700'000'000'000);
  const RecordId later = new_record_id(1'700'000'000'001);
  CHECK(earlier < later);
  CHECK((earlier.bytes[6] >> 4) == 7);
  CHECK((earlier.bytes[8] >> 6) == 2);
  CHECK(earlier.to_string().substr(0, 13) == "018bcfe5-6800");
}

TEST_CASE("two ids made in the same millisecond differ") {
  CHECK(new_record_id(1) != new_record_id(1));
  // The sequence orders ids within one millisecond.
  for (std::uint16_t sequence = 0; sequence < 100; ++sequence) {
    CHECK(new_record_id(1, sequence).bytes < new_record_id(1, static_cast<std::uint16_t>(sequence + 1)).bytes);
  }
  CHECK(new_device_id() != new_device_id());
}

TEST_CASE("ids round-trip through text, with or without dashes") {
  const RecordId id = new_record_id(1'700'000'000'000);
  const std::string text = id.to_string();
  CHECK(text.size() == 36);
  auto parsed = RecordId::parse(text);
  REQUIRE(parsed.ok());
  CHECK(*parsed == id);
  std::string no_dashes;
  for (char c : text)
    if (c != '-') no_dashes.push_back(c);
  CHECK(*RecordId::parse(no_dashes) == id);
}

TEST_CASE("malformed ids are invalid_argument, wrong byte lengths corrupt") {
  CHECK(RecordId::parse("not-an-id").status().code() == ErrorCode::invalid_argument);
  CHECK(RecordId::parse("0190f5a2-7c1e-7d33-9a41-6b2e0c8d4f1").status().code() == ErrorCode::invalid_argument);
  CHECK(RecordId::parse("0190f5a2-7c1e-7d33-9a41-6b2e0c8d4f1z").status().code() == ErrorCode::invalid_argument);
  const std::uint8_t short_bytes[3] = {1, 2, 3};
  CHECK(RecordId::from_bytes(short_bytes).status().code() == ErrorCode::corrupt);
}
