// CSV as office staff export it from a spreadsheet (common/csv.h), and the service
// provider directory import built on it (sync-server/providers.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/csv.h"
#include "sync-server/providers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace amana;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const csv::Limits limits;
  auto rows = csv::parse(text, limits);
  if (rows.ok()) {
    if (rows->size() > limits.max_rows) __builtin_trap();
    // What we write must read back as the same rows.
    std::string again;
    for (const csv::Row& row : *rows) {
      if (row.size() > limits.max_fields) __builtin_trap();
      again += csv::format_row(row);
    }
    auto reread = csv::parse(again, limits);
    if (!reread.ok() || *reread != *rows) __builtin_trap();
  }
  (void)server::providers_from_csv(text, 1'800'000'000'000);
  return 0;
}
