#include "common/compress.h"

#include <doctest/doctest.h>

#include <zstd.h>

#include <memory>

namespace amana::compress {
namespace {

crypto::Bytes repeated_text(std::size_t size) {
  const std::string phrase = "satisfaction=4 consent=true site=Um Dukhun distribution point 2; ";
  crypto::Bytes out;
  while (out.size() < size) out.insert(out.end(), phrase.begin(), phrase.end());
  out.resize(size);
  return out;
}

// A frame that does not declare its content size, as a streaming compressor writes it.
crypto::Bytes streamed_frame(const crypto::Bytes& input) {
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> context(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  ZSTD_CCtx_setParameter(context.get(), ZSTD_c_contentSizeFlag, 0);
  crypto::Bytes out(ZSTD_compressBound(input.size()));
  const std::size_t written = ZSTD_compress2(context.get(), out.data(), out.size(), input.data(), input.size());
  REQUIRE_FALSE(ZSTD_isError(written));
  out.resize(written);
  return out;
}

}  // namespace

TEST_CASE("compress then decompress returns the input, smaller for repetitive data") {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{300000}}) {
    CAPTURE(size);
    const crypto::Bytes input = repeated_text(size);
    const crypto::Bytes frame = compress(input);
    if (size >= 1000) CHECK(frame.size() < input.size() / 4);
    auto back = decompress(frame, size);
    REQUIRE_MESSAGE(back.ok(), back.status().message());
    CHECK(*back == input);
  }
}

TEST_CASE("decompression past the bound is refused, whether the frame declares its size or not") {
  const crypto::Bytes input = repeated_text(1 << 20);
  auto declared = decompress(compress(input), input.size() - 1);
  CHECK(declared.status().code() == ErrorCode::invalid_argument);
  CHECK(declared.status().message().find("over the limit") != std::string::npos);

  const crypto::Bytes streamed = streamed_frame(input);
  auto undeclared = decompress(streamed, 4096);
  CHECK(undeclared.status().code() == ErrorCode::invalid_argument);
  CHECK(undeclared.status().message().find("past the limit") != std::string::npos);
  auto fits = decompress(streamed, input.size());
  REQUIRE(fits.ok());
  CHECK(*fits == input);
}

TEST_CASE("garbage, truncated and empty input are refused") {
  const crypto::Bytes frame = compress(repeated_text(10000));
  CHECK_FALSE(decompress(crypto::as_bytes("definitely not zstd"), 1000).ok());
  CHECK_FALSE(decompress(crypto::ByteView(frame.data(), frame.size() / 2), 100000).ok());
  CHECK_FALSE(decompress(crypto::ByteView(), 100).ok());
  crypto::Bytes trailing = frame;
  trailing.push_back(0x42);
  CHECK_FALSE(decompress(trailing, 100000).ok());
}

}  // namespace amana::compress
