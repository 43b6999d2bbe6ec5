#include "common/compress.h"

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

namespace amana::compress {

crypto::Bytes compress(crypto::ByteView input, int level) {
  crypto::Bytes out(ZSTD_compressBound(input.size()));
  const std::size_t written = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), level);
  // Compressing into a buffer of ZSTD_compressBound bytes cannot fail for a valid level.
  if (ZSTD_isError(written)) throw std::logic_error(std::string("zstd: ") + ZSTD_getErrorName(written));
  out.resize(written);
  return out;
}

Result<crypto::Bytes> decompress(crypto::ByteView frame, std::size_t max_output) {
  // The frame header may declare its size, but it is the sender's claim: it only decides
  // the first allocation, and streaming below enforces the bound whatever it says.
  const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return invalid_argument("not a zstd frame");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > max_output) {
    return invalid_argument("compressed data would expand to " + std::to_string(declared) +
                            " bytes, over the limit of " + std::to_string(max_output));
  }
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!context) throw std::bad_alloc();

  crypto::Bytes out;
  out.reserve(declared != ZSTD_CONTENTSIZE_UNKNOWN ? static_cast<std::size_t>(declared)
                                                   : std::min<std::size_t>(max_output, 1 << 16));
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  crypto::Bytes chunk(ZSTD_DStreamOutSize());
  std::size_t remaining_hint = 1;
  while (in.pos < in.size || remaining_hint != 0) {
    ZSTD_outBuffer buffer{chunk.data(), chunk.size(), 0};
    remaining_hint = ZSTD_decompressStream(context.get(), &buffer, &in);
    if (ZSTD_isError(remaining_hint)) {
      return invalid_argument(std::string("corrupt compressed data: ") + ZSTD_getErrorName(remaining_hint));
    }
    if (out.size() + buffer.pos > max_output) {
      return invalid_argument("compressed data expands past the limit of " + std::to_string(max_output) + " bytes");
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(buffer.pos));
    if (remaining_hint != 0 && in.pos == in.size && buffer.pos < buffer.size) {
      return invalid_argument("compressed data is truncated");
    }
  }
  return out;
}

}  // namespace amana::compress
