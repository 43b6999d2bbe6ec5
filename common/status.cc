#include "common/status.h"

namespace amana {

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
