// The flat keys of repeat instances: what parses, what is refused, ordering and removal.
#include "common/repeat_keys.h"

#include <doctest/doctest.h>

#include <set>

using namespace amana::forms::repeat_keys;

TEST_CASE("repeat keys: a field, a marker, an instance field and a nested one round trip") {
  for (const char* text : {"age", "members/0123456789abcdef", "members/0123456789abcdef/name",
                           "members/0123456789abcdef/children/fedcba9876543210/age"}) {
    const auto key = parse(text);
    REQUIRE_MESSAGE(key, text);
    CHECK(compose(*key) == text);
  }
  const auto nested = parse("members/0123456789abcdef/children/fedcba9876543210/age");
  REQUIRE(nested);
  CHECK(nested->path.size() == 2);
  CHECK(nested->path[1].repeat == "children");
  CHECK(nested->field == "age");
  CHECK(parse("members/0123456789abcdef")->is_marker());
  CHECK_FALSE(parse("age")->is_marker());
}

TEST_CASE("repeat keys: malformed ids, empty parts and a third level are refused") {
  for (const char* text : {"", "members/", "/name", "members//name", "members/0123456789ABCDEF/name",
                           "members/0123/name", "members/0123456789abcdeg/name",
                           "a/0123456789abcdef/b/0123456789abcdef/c/0123456789abcdef/name"}) {
    CHECK_MESSAGE(!parse(text), text);
  }
}

TEST_CASE("repeat keys: fresh instance ids are well formed and distinct") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = new_instance_id();
    CHECK(is_instance_id(id));
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("repeat keys: removing an instance covers its marker, fields and nested instances only") {
  const std::vector<Step> member{{"members", "0123456789abcdef"}};
  CHECK(is_within("members/0123456789abcdef", member));
  CHECK(is_within("members/0123456789abcdef/name", member));
  CHECK(is_within("members/0123456789abcdef/children/fedcba9876543210/age", member));
  CHECK_FALSE(is_within("members/0123456789abcdee/name", member));
  CHECK_FALSE(is_within("members/0123456789abcdef_x", member));
  CHECK_FALSE(is_within("name", member));
}

TEST_CASE("repeat keys: instances order by position as a number, then by id") {
  CHECK(position_before("2", "ffffffffffffffff", "10", "0000000000000000"));
  CHECK(position_before("3", "0000000000000001", "3", "0000000000000002"));
  CHECK_FALSE(position_before("3", "0000000000000002", "3", "0000000000000001"));
  CHECK(position_before("7", "ffffffffffffffff", "x", "0000000000000000"));
}
