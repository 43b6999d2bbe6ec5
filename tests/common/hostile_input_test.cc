// Hostile input to the decoders in common/: frames that claim or expand to gigabytes, SQL
// metacharacters in every name a form definition can carry, and what the fuzzers found in
// answers files, CSV and regex(). Protobuf length prefixes and nesting are tested through
// the server, in tests/sync-server/hostile_input_test.cc.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "common/answers.h"
#include "common/compress.h"
#include "common/csv.h"
#include "common/expr.h"
#include "common/form.h"
#include "common/form_pack.h"

namespace amana {
namespace {

constexpr std::size_t kGiB = std::size_t{1} << 30;
// The envelope's bound on a decompressed payload (envelope::Limits).
constexpr std::size_t kPayloadBound = 64u << 20;

void append_le(crypto::Bytes& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

// A zstd frame written by hand (RFC 8878): magic, a header with a 128 KiB window and,
// when `declared` is set, an 8-byte content size; then `blocks` RLE blocks of 128 KiB, each
// four bytes on the wire. 8192 blocks are 32 KiB of frame that expand to 1 GiB.
crypto::Bytes rle_frame(std::optional<std::uint64_t> declared, std::size_t blocks) {
  crypto::Bytes frame;
  append_le(frame, 0xFD2FB528, 4);
  frame.push_back(declared ? 0xC0 : 0x00);  // content size field of 8 bytes, or none
  frame.push_back(0x38);                   // window 2^(10+7) = 128 KiB
  if (declared) append_le(frame, *declared, 8);
  constexpr std::uint32_t kBlock = 128 * 1024;
  for (std::size_t i = 0; i < blocks; ++i) {
    const bool last = i + 1 == blocks;
    append_le(frame, (kBlock << 3) | (1u << 1) | (last ? 1u : 0u), 3);  // RLE block
    frame.push_back('A');
  }
  return frame;
}

}  // namespace

TEST_CASE("hostile: a 50-byte zstd frame that claims 4 GiB is refused by its claim, before decoding") {
  const crypto::Bytes frame = rle_frame(4 * kGiB, 1);
  CHECK(frame.size() < 50);
  auto out = compress::decompress(frame, kPayloadBound);
  CHECK(out.status().code() == ErrorCode::invalid_argument);
  CHECK(out.status().message() == "compressed data would expand to 4294967296 bytes, over the limit of 67108864");
}

TEST_CASE("hostile: a 32 KiB zstd frame that expands to 1 GiB without saying so stops at the bound") {
  const crypto::Bytes bomb = rle_frame(std::nullopt, 8192);
  CHECK(bomb.size() < 33 * 1024);
  // The same construction, small enough to allow, proves the frame is valid zstd and that
  // the refusal below is the bound and nothing else.
  auto small = compress::decompress(rle_frame(std::nullopt, 4), kPayloadBound);
  REQUIRE_MESSAGE(small.ok(), small.status().message());
  CHECK(small->size() == 4 * 128 * 1024);
  CHECK(small->back() == 'A');

  auto out = compress::decompress(bomb, kPayloadBound);
  CHECK(out.status().code() == ErrorCode::invalid_argument);
  CHECK(out.status().message() == "compressed data expands past the limit of 67108864 bytes");
  // A frame that lies, declaring 1 KiB and expanding to 1 GiB, is stopped the same way.
  auto lying = compress::decompress(rle_frame(1024, 8192), kPayloadBound);
  CHECK(lying.status().code() == ErrorCode::invalid_argument);
}

TEST_CASE("hostile: SQL metacharacters in a form id or field name are refused, naming it, and a choice name keeps them as data") {
  const std::string injection = "x'); DROP TABLE records; --";
  auto form_with = [](const std::string& id, const std::string& field, const std::string& choice) {
    const nlohmann::json form = {
        {"id", id}, {"version", 1}, {"title", "T"},
        {"fields", {{{"name", field}, {"type", "select_one"}, {"label", "L"},
                     {"choices", {{{"name", choice}, {"label", "C"}}}}}}}};
    return form.dump();
  };
  REQUIRE(forms::parse_form_definition(form_with("safe-id", "safe_field", "safe_choice")).ok());

  auto bad_id = forms::parse_form_definition(form_with(injection, "safe_field", "safe_choice"));
  CHECK(bad_id.status().code() == ErrorCode::invalid_argument);
  CHECK(bad_id.status().message().find("DROP TABLE") != std::string::npos);
  for (const std::string& name : {injection, std::string("a\" OR \"1\"=\"1"), std::string("f;--"),
                                  std::string("a b"), std::string("x\nDELETE FROM records")}) {
    CAPTURE(name);
    auto bad_field = forms::parse_form_definition(form_with("safe-id", name, "safe_choice"));
    CHECK(bad_field.status().code() == ErrorCode::invalid_argument);
    CHECK(bad_field.status().message().find("must be a letter") != std::string::npos);
    // A choice name is stored as the form writes it (as ODK stores it): only whitespace
    // and control characters are refused; the rest is data, never SQL (every query
    // binds its values).
    auto choice = forms::parse_form_definition(form_with("safe-id", "safe_field", name));
    if (name.find_first_of(" \n") != std::string::npos) {
      CHECK(choice.status().code() == ErrorCode::invalid_argument);
      CHECK(choice.status().message().find(name) != std::string::npos);
    } else {
      REQUIRE_MESSAGE(choice.ok(), choice.status().message());
      CHECK(choice->fields.front().choices.front().name == name);
    }
  }
}

// Found by tests/fuzz/answers_json: nlohmann throws out_of_range, not parse_error, for a
// number too large for a double, and the exception escaped parse_answers_json.
TEST_CASE("hostile: an answers file with a number too large for a double is invalid JSON, not a crash") {
  auto pack = forms::FormPack::builtin();
  REQUIRE(pack.ok());
  const forms::FormDefinition& form = **pack->find("pdm-survey");
  for (const std::string json : {R"({"satisfaction": 1e999})", R"({"satisfaction": -2222222222222e222222222222})"}) {
    CAPTURE(json);
    auto parsed = forms::parse_answers_json(form, json);
    CHECK(parsed.status().code() == ErrorCode::invalid_argument);
    CHECK(parsed.status().message().rfind("answers are not valid JSON: number overflow parsing", 0) == 0);
  }
}

// Found by tests/fuzz/csv: a first cell that starts with U+FEFF was written bare, and read
// back its three bytes were taken for the file's byte-order mark and dropped.
TEST_CASE("hostile: a cell starting with a byte-order mark survives a round trip, even first in the file") {
  const std::vector<csv::Row> rows = {{"\xEF\xBB\xBFname", "services"}, {"a", "\xEF\xBB\xBF"}};
  std::string text;
  for (const csv::Row& row : rows) text += csv::format_row(row);
  auto back = csv::parse(text);
  REQUIRE(back.ok());
  CHECK(*back == rows);
  // A file's own BOM is still dropped.
  CHECK(csv::parse("\xEF\xBB\xBF" + text)->front().front() == "\xEF\xBB\xBFname");
}

// Found by tests/fuzz/expression: std::regex backtracked for minutes on the fuzzer's
// '^[+]?+++...' and would take exponential time on '(a+)+$', and it recursed once per
// character of the answer (a stack overflow on a long one). regex() now runs on RE2.
TEST_CASE("hostile: regex() patterns that backtrack exponentially, and long answers, match in linear time") {
  auto evaluate = [](const std::string& source, const std::string& answer) {
    auto expression = expr::Expression::parse(source);
    REQUIRE_MESSAGE(expression.ok(), expression.status().message());
    expr::Context context;
    context.lookup = [&](std::string_view) -> std::optional<expr::Value> { return expr::Value(answer); };
    context.current = expr::Value(answer);
    return expression->evaluate(context);
  };
  const std::string a40 = std::string(40, 'a') + "!";
  CHECK(evaluate("regex(., '(a+)+$')", a40) == expr::Value(false));
  CHECK(evaluate("regex(., '^(a|aa)*$')", a40) == expr::Value(false));
  // The fuzzer's own pattern stacks quantifiers, which RE2 refuses when the form loads.
  auto stacked = expr::Expression::parse("regex(., '^[+]?" + std::string(60, '+') + "......')");
  CHECK(stacked.status().message().find("regex pattern does not compile: bad repetition operator") == 0);
  CHECK(evaluate("regex(., '^(a|b)*$')", std::string(1 << 20, 'a')) == expr::Value(true));
  CHECK(evaluate("regex(., '^[+]?[0-9 ]{7,15}$')", "+249 900 000 001") == expr::Value(true));
}

}  // namespace amana
