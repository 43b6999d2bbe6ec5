#include "common/status.h"

namespace amana {

Status::Status(ErrorCode code, std::vector<Message> lines) : code_(code), lines_(std::move(lines)) {
  for (const Message& line : lines_) message_ += (message_.empty() ? "" : "\n") + line.in(Language::en);
}

std::string Status::message_in(Language language) const {
  if (lines_.empty() || language == Language::en) return message_;
  std::string text = context_;
  for (std::size_t i = 0; i < lines_.size(); ++i) text += (i == 0 ? "" : "\n") + lines_[i].in(language);
  return text;
}

Status Status::with_context(std::string_view context) const {
  if (ok()) return *this;
  Status out = *this;
  out.message_ = std::string(context) + ": " + message_;
  out.context_ = std::string(context) + ": " + context_;
  return out;
}

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::ok: return "ok";
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::already_exists: return "already_exists";
    case ErrorCode::wrong_passphrase: return "wrong_passphrase";
    case ErrorCode::locked_out: return "locked_out";
    case ErrorCode::permission_denied: return "permission_denied";
    case ErrorCode::revoked: return "revoked";
    case ErrorCode::replayed: return "replayed";
    case ErrorCode::lease_expired: return "lease_expired";
    case ErrorCode::corrupt: return "corrupt";
    case ErrorCode::schema_too_new: return "schema_too_new";
    case ErrorCode::io: return "io";
    case ErrorCode::cancelled: return "cancelled";
  }
  return "unknown";
}

}  // namespace amana
