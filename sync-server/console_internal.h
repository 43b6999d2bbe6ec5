// Internals of the office console (console.h), shared by its source files, which split it
// by aspect:
//   console.cc           the pages' files, the API's routes, the role check before each call
//   console_http.cc      JSON answers, errors, the security headers, queries and cookies
//   console_sessions.cc  sign-in, invitations, sign-out, the signed-in user's own account and
//                        second factor
//   console_cases.cc     dashboard, case list, case file and the decisions on a case
//   console_review.cc    open conflicts across the store, the weekly review
//   console_staff.cc     users, devices, the audit log
//   console_meal.cc      the monthly report and the datasets (the "reports" page)
//   console_providers.cc the provider directory
//   console_forms.cc     publishing XLSForms, their versions, archiving
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/message_catalogue.h"
#include "sync-server/access.h"
#include "sync-server/console.h"

namespace amana::server {

namespace console_detail {

using nlohmann::json;

inline constexpr std::string_view kPrefix = "/console";
inline constexpr std::string_view kApi = "/console/api/";

void secure_headers(HttpResponse& response);
HttpResponse json_response(int status, const json& body, std::string rejection = "");
// {"error", "message": {"en", "ar"}}, with the HTTP status the code maps to unless given.
HttpResponse error_response(const Status& status, int http_status = 0);
// A file to save (Content-Disposition: attachment).
HttpResponse download(std::string body, std::string content_type, const std::string& file_name);

std::string path_of(std::string_view target);
std::string query_param(std::string_view target, std::string_view name);
std::string cookie_value(const HttpRequest& request, std::string_view name);
std::string text_field(const json& body, const char* name);
// A moment as JSON fields that scripts read carry it: "2030-01-15 14:05:00", the server's time.
std::string format_time_utc(std::int64_t ms);
// A moment as a page shows it, in its language: "15 January 2030, 14:05" (common/shown_dates.h);
// "" for 0 (never).
std::string shown_moment(std::int64_t ms, Language language);

json user_json(const User& user);

}  // namespace console_detail

// Early returns with the error's response, for the handlers (which return responses).
#define AMANA_RETURN_RESPONSE_IF_ERROR(expr)                                          \
  do {                                                                                \
    ::amana::Status console_status_ = (expr);                                         \
    if (!console_status_.ok()) return ::amana::server::console_detail::error_response(console_status_); \
  } while (false)
#define AMANA_ASSIGN_OR_RESPONSE_IMPL(tmp, lhs, expr)                                       \
  auto tmp = (expr);                                                                        \
  if (!tmp.ok()) return ::amana::server::console_detail::error_response(tmp.status());      \
  lhs = std::move(tmp).value()
#define AMANA_ASSIGN_OR_RETURN_RESPONSE(lhs, expr) \
  AMANA_ASSIGN_OR_RESPONSE_IMPL(AMANA_CONCAT(console_result_, __LINE__), lhs, expr)

// One request being answered. Each handler parses what it needs, calls the libraries and
// shows their answer; the role was checked before it runs (console.cc).
struct Console::Impl {
  using json = nlohmann::json;

  Console& c;
  const HttpRequest& request;
  std::string path;
  std::optional<StaffSignIn> session;
  json body;

  std::int64_t now() const { return c.clock_(); }
  CentralStore& store() const { return c.store_; }
  std::string param(std::string_view name) const { return console_detail::query_param(request.target, name); }
  Language language() const { return param("lang") == "ar" ? Language::ar : Language::en; }

  HttpResponse refuse(Operation operation) const;
  Status audit(std::string action, std::string subject, std::string detail = "");
  HttpResponse done(const Status& status, const json& reply = {{"ok", true}});
  HttpResponse api();

  // console_sessions.cc
  HttpResponse sign_in();
  HttpResponse accept_invitation();
  HttpResponse sign_out();
  HttpResponse me();
  HttpResponse totp_begin();
  HttpResponse totp_confirm();
  std::string expired_cookie() const;
  Result<json> me_json(const StaffSignIn& s) const;

  // console_cases.cc
  HttpResponse dashboard();
  HttpResponse case_list();
  HttpResponse case_file();
  HttpResponse case_decision(std::string_view what);

  // console_review.cc
  HttpResponse conflicts();
  HttpResponse review();

  // console_staff.cc
  HttpResponse users();
  HttpResponse user_action(std::string_view what);
  HttpResponse devices();
  HttpResponse enroll();
  HttpResponse revoke();
  HttpResponse audit_log();

  // console_meal.cc
  HttpResponse report();
  HttpResponse export_sources();
  HttpResponse export_dataset();

  // console_providers.cc
  HttpResponse providers();
  HttpResponse provider_save();
  HttpResponse provider_import();

  // console_forms.cc
  HttpResponse forms();
  HttpResponse form_publish();
  HttpResponse form_archive();
};

}  // namespace amana::server
