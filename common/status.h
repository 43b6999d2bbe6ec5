// Status and Result<T>: how every expected failure in Amana is reported.
//
// Errors a user can cause (bad input, wrong passphrase, unknown form, network down,
// revoked device) come back as a Status with a code from the registry below and a
// message that says what happened and what to do. Exceptions are reserved for bugs.
//
// The numeric codes are part of the wire protocol once sync exists: never renumber or
// reuse one; add new codes at the end of their group.
//
// A Status made from Messages (common/message.h) carries them, so the person who reads it
// gets it in their language: message() is the English text, message_in(language) the
// same in any language, and lines() the keys and arguments behind it (for a web UI).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/message.h"

namespace amana {

enum class ErrorCode : std::uint16_t {
  ok = 0,
  // 100-199: the caller's input
  invalid_argument = 100,  // malformed value, bad JSON, unknown field, failed validation
  not_found = 101,         // no such record, form, file
  already_exists = 102,    // init over an existing store
  // 200-299: authentication and access
  wrong_passphrase = 200,
  locked_out = 201,        // data key destroyed after too many failed unlocks, or wiped
  permission_denied = 202,
  revoked = 203,           // a device the office has revoked
  replayed = 204,          // a request whose single-use nonce is unknown, expired or spent
  lease_expired = 205,     // a device offline past the office's lease: locked until it syncs
  // 300-399: stored data
  corrupt = 300,           // a ciphertext or file that fails its integrity check
  schema_too_new = 301,    // a store written by a newer Amana
  // 400-499: the environment
  io = 400,                // file system or SQLite I/O failure
  cancelled = 401,         // the user stopped an interactive session
};

// A short stable name for the code, for logs and JSON output ("invalid_argument").
std::string_view error_code_name(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  // A translatable error: one Message per line.
  Status(ErrorCode code, Message message) : Status(code, std::vector<Message>{std::move(message)}) {}
  Status(ErrorCode code, std::vector<Message> lines);

  static Status success() { return {}; }

  bool ok() const { return code_ == ErrorCode::ok; }
  ErrorCode code() const { return code_; }
  // In English, for logs, programs and tests.
  const std::string& message() const { return message_; }
  // For a person: in `language` when the Status was made from Messages, else in English.
  std::string message_in(Language language) const;
  // The Messages behind the text, one per line; empty for a plain-text Status.
  const std::vector<Message>& lines() const { return lines_; }

  // Adds where the failure happened in front of the message: "answers.json: ...". The
  // context (a file name, an id) reads the same in every language.
  Status with_context(std::string_view context) const;

 private:
  ErrorCode code_ = ErrorCode::ok;
  std::string message_;
  std::vector<Message> lines_;
  std::string context_;  // what with_context added, in front of the lines
};

inline Status invalid_argument(std::string message) {
  return {ErrorCode::invalid_argument, std::move(message)};
}
inline Status invalid_argument(Message message) { return {ErrorCode::invalid_argument, std::move(message)}; }
inline Status not_found(std::string message) { return {ErrorCode::not_found, std::move(message)}; }
inline Status not_found(Message message) { return {ErrorCode::not_found, std::move(message)}; }
inline Status io_error(std::string message) { return {ErrorCode::io, std::move(message)}; }
inline Status corrupt(std::string message) { return {ErrorCode::corrupt, std::move(message)}; }

// Either a value or the Status explaining why there is none. Accessing the value of a
// failed Result is a bug and throws std::logic_error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit on purpose, like expected
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    if (std::get<Status>(state_).ok()) throw std::logic_error("Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status success;
    return ok() ? success : std::get<Status>(state_);
  }

  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Result*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->checked(); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->checked(); }

 private:
  T& checked() {
    if (!ok()) throw std::logic_error("value() of a failed Result: " + std::get<Status>(state_).message());
    return std::get<T>(state_);
  }
  std::variant<T, Status> state_;
};

}  // namespace amana

// Early return on failure, for functions returning Status or Result<U>.
#define AMANA_RETURN_IF_ERROR(expr)              \
  do {                                           \
    ::amana::Status amana_status_ = (expr);      \
    if (!amana_status_.ok()) return amana_status_; \
  } while (false)

#define AMANA_CONCAT_INNER(a, b) a##b
#define AMANA_CONCAT(a, b) AMANA_CONCAT_INNER(a, b)
#define AMANA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
// AMANA_ASSIGN_OR_RETURN(auto form, load_form(path));
#define AMANA_ASSIGN_OR_RETURN(lhs, expr) \
  AMANA_ASSIGN_OR_RETURN_IMPL(AMANA_CONCAT(amana_result_, __LINE__), lhs, expr)
