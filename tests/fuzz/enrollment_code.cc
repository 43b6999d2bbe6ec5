// Enrollment codes (common/enrollment_code.h) as a person types them from a paper slip:
// any text must parse or be refused, and a code that parses must print as one that parses
// back to the same token and fingerprint.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/enrollment_code.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using amana::EnrollmentCode;
  auto code = EnrollmentCode::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!code.ok()) return 0;
  auto again = EnrollmentCode::parse(code->to_string());
  if (!again.ok() || again->token != code->token || again->fingerprint != code->fingerprint) __builtin_trap();
  return 0;
}
