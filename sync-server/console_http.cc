// The console's HTTP plumbing: JSON answers and errors, the headers every answer carries,
// query parameters and cookies.
#include <chrono>

#include "common/hlc.h"
#include "common/shown_dates.h"
#include "sync-server/console_internal.h"

namespace amana::server::console_detail {

namespace {

constexpr const char* kSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

int http_status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return 400;
    case ErrorCode::not_found: return 404;
    case ErrorCode::already_exists: return 409;
    case ErrorCode::permission_denied: return 403;
    case ErrorCode::locked_out: return 423;
    default: return 500;
  }
}

}  // namespace

void secure_headers(HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy", kSecurityPolicy);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Cache-Control", "no-store");
}

HttpResponse json_response(int status, const json& body, std::string rejection) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json; charset=utf-8";
  response.body = body.dump();
  response.rejection = std::move(rejection);
  secure_headers(response);
  return response;
}

HttpResponse error_response(const Status& status, int http_status) {
  const int code = http_status ? http_status : http_status_of(status.code());
  return json_response(code,
                       {{"error", std::string(error_code_name(status.code()))},
                        {"message", {{"en", status.message_in(Language::en)}, {"ar", status.message_in(Language::ar)}}}},
                       std::string(error_code_name(status.code())));
}

HttpResponse download(std::string body, std::string content_type, const std::string& file_name) {
  HttpResponse response;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  secure_headers(response);
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  return response;
}

std::string path_of(std::string_view target) { return std::string(target.substr(0, target.find('?'))); }

std::string query_param(std::string_view target, std::string_view name) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return "";
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return "";
}

std::string cookie_value(const HttpRequest& request, std::string_view name) {
  std::string_view header = request.header("cookie");
  while (!header.empty()) {
    const std::size_t semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    const std::size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    header = header.substr(semi + 1);
  }
  return "";
}

std::string text_field(const json& body, const char* name) {
  const auto found = body.find(name);
  if (found == body.end() || !found->is_string()) return "";
  return found->get<std::string>();
}

std::string format_time_utc(std::int64_t ms) { return format_local(ms, "%Y-%m-%d %H:%M:%S"); }

std::string shown_moment(std::int64_t ms, Language language) { return ms == 0 ? std::string() : shown_time(ms, language); }

json user_json(const User& user) {
  return {{"name", user.name}, {"role", std::string(role_name(user.role))}, {"team", user.team}, {"active", user.active}};
}

}  // namespace amana::server::console_detail
