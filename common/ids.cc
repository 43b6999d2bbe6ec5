#include "common/ids.h"

#include <algorithm>

#include "common/crypto.h"

namespace amana {

RecordId new_record_id(std::int64_t unix_ms, std::uint16_t sequence) {
  RecordId id;
  crypto::fill_random(id.bytes);
  const auto ms = static_cast<std::uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) id.bytes[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  const unsigned counter = std::min<unsigned>(sequence, 0xfff);
  id.bytes[6] = static_cast<std::uint8_t>(0x70 | (counter >> 8));  // version 7
  id.bytes[7] = static_cast<std::uint8_t>(counter & 0xff);
  id.bytes[8] = static_cast<std::uint8_t>(0x80 | (id.bytes[8] & 0x3f));  // RFC 4122 variant
  return id;
}

DeviceId new_device_id() {
  DeviceId id;
  crypto::fill_random(id.bytes);
  id.bytes[6] = static_cast<std::uint8_t>(0x40 | (id.bytes[6] & 0x0f));  // version 4
  id.bytes[8] = static_cast<std::uint8_t>(0x80 | (id.bytes[8] & 0x3f));
  return id;
}

namespace detail {

std::string id_to_string(std::span<const std::uint8_t, 16> bytes) {
  std::string hex = crypto::to_hex(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

Status parse_id(std::string_view text, std::span<std::uint8_t, 16> out) {
  std::string digits;
  for (char c : text) {
    if (c != '-') digits.push_back(c);
  }
  auto bad = [&] {
    return invalid_argument("'" + std::string(text) + "' is not an id (expected 32 hex digits, e.g. "
                            "0190f5a2-7c1e-7d33-9a41-6b2e0c8d4f10)");
  };
  if (digits.size() != 32) return bad();
  for (std::size_t i = 0; i < 16; ++i) {
    int value = 0;
    for (char c : {digits[2 * i], digits[2 * i + 1]}) {
      int nibble;
      if (c >= '0' && c <= '9') nibble = c - '0';
      else if (c >= 'a' && c <= 'f') nibble = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') nibble = c - 'A' + 10;
      else return bad();
      value = value * 16 + nibble;
    }
    out[i] = static_cast<std::uint8_t>(value);
  }
  return Status::success();
}

}  // namespace detail
}  // namespace amana
