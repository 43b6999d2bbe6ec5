// Bounded zstd decompression (common/compress.h) on any frame, and the round trip on the
// same bytes: decompress(compress(x)) must be x.
#include <cstddef>
#include <cstdint>

#include "common/compress.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace amana;
  const crypto::ByteView input(data, size);
  // A bound far below the fuzzer's memory limit, so that exceeding it shows as a finding
  // and not as an out-of-memory kill.
  constexpr std::size_t kBound = 1u << 20;
  auto out = compress::decompress(input, kBound);
  if (out.ok() && out->size() > kBound) __builtin_trap();

  const crypto::Bytes frame = compress::compress(input);
  auto back = compress::decompress(frame, size);
  if (!back.ok() || *back != crypto::Bytes(input.begin(), input.end())) __builtin_trap();
  return 0;
}
