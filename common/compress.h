// zstd compression for changesets and bundles: bandwidth is money in the field, so
// everything is compressed before it is sealed (sealed bytes do not compress).
//
// Decompression is bounded: a frame that would expand past `max_output` bytes (a
// decompression bomb, or a frame that lies about its size) is refused without allocating
// that much. Thread safety: free functions, safe from any thread.
#pragma once

#include <cstddef>

#include "common/crypto.h"
#include "common/status.h"

namespace amana::compress {

// zstd level 3 is libzstd's default: most of the ratio of higher levels at a fraction of
// the CPU; the benchmark issue may tune it.
inline constexpr int kDefaultLevel = 3;

crypto::Bytes compress(crypto::ByteView input, int level = kDefaultLevel);

// The decompressed bytes, or invalid_argument when the input is not one valid zstd frame
// or would decompress to more than `max_output` bytes.
Result<crypto::Bytes> decompress(crypto::ByteView frame, std::size_t max_output);

}  // namespace amana::compress
