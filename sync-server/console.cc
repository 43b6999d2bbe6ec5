#include "sync-server/console.h"

#include <optional>

#include "common/embedded.h"
#include "common/xlsform.h"
#include "sync-server/providers.h"
#include "sync-server/console_internal.h"
#include "sync-server/staff_totp.h"

namespace amana::server {

// The console's pages, compiled in by cmake/embed_files.cmake (sync-server/CMakeLists.txt).
std::vector<EmbeddedFile> console_files();

using namespace console_detail;

namespace {

// One call of the API: its method and name, the operation the role table must allow
// (none: any signed-in user), and its handler, given what follows the name's first '/'.
// A write whose body is a file (`max_file` bytes at most) takes it as sent, not as JSON.
struct Route {
  bool post;
  std::string_view name;
  std::optional<Operation> operation;
  HttpResponse (*handler)(Console::Impl& impl, std::string_view what);
  std::size_t max_file = 0;
};

template <HttpResponse (Console::Impl::*method)()>
HttpResponse call(Console::Impl& impl, std::string_view) { return (impl.*method)(); }
template <HttpResponse (Console::Impl::*method)(std::string_view)>
HttpResponse call_with(Console::Impl& impl, std::string_view what) { return (impl.*method)(what); }

using I = Console::Impl;
constexpr Operation kCases = Operation::console_cases;
constexpr Operation kStaff = Operation::console_staff;
constexpr Operation kMeal = Operation::console_meal;
constexpr Operation kProviders = Operation::console_providers;
constexpr Operation kForms = Operation::console_forms;

const Route kRoutes[] = {
    {false, "me", std::nullopt, call<&I::me>},
    {false, "dashboard", kCases, call<&I::dashboard>},
    {false, "cases", kCases, call<&I::case_list>},
    {false, "case", kCases, call<&I::case_file>},
    {false, "conflicts", kCases, call<&I::conflicts>},
    {false, "review", kCases, call<&I::review>},
    {false, "users", kStaff, call<&I::users>},
    {false, "devices", kStaff, call<&I::devices>},
    {false, "audit", Operation::console_audit, call<&I::audit_log>},
    {false, "report", kMeal, call<&I::report>},
    {false, "exports", kMeal, call<&I::export_sources>},
    {false, "export", kMeal, call<&I::export_dataset>},
    {false, "providers", kProviders, call<&I::providers>},
    {false, "forms", kForms, call<&I::forms>},
    {true, "sign-out", std::nullopt, call<&I::sign_out>},
    {true, "account/totp-begin", std::nullopt, call<&I::totp_begin>},
    {true, "account/totp-confirm", std::nullopt, call<&I::totp_confirm>},
    {true, "case/assign", kCases, call_with<&I::case_decision>},
    {true, "case/approve", kCases, call_with<&I::case_decision>},
    {true, "case/reject", kCases, call_with<&I::case_decision>},
    {true, "case/reopen", kCases, call_with<&I::case_decision>},
    {true, "case/transfer", kCases, call_with<&I::case_decision>},
    {true, "case/resolve", kCases, call_with<&I::case_decision>},
    {true, "users/add", kStaff, call_with<&I::user_action>},
    {true, "users/invite", kStaff, call_with<&I::user_action>},
    {true, "users/change", kStaff, call_with<&I::user_action>},
    {true, "users/deactivate", kStaff, call_with<&I::user_action>},
    {true, "users/unlock", kStaff, call_with<&I::user_action>},
    {true, "devices/enroll", kStaff, call<&I::enroll>},
    {true, "devices/revoke", kStaff, call<&I::revoke>},
    {true, "providers/save", kProviders, call<&I::provider_save>},
    {true, "providers/import", kProviders, call<&I::provider_import>, kMaxProvidersCsvBytes},
    {true, "forms/publish", kForms, call<&I::form_publish>, xlsform::ImportLimits().max_file_bytes},
    {true, "forms/archive", kForms, call<&I::form_archive>},
};

Status parse_json_body(const HttpRequest& request, nlohmann::json& body) {
  if (request.body.empty()) {
    body = nlohmann::json::object();
    return Status();
  }
  body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return invalid_argument("the request is not a JSON object");
  return Status();
}

}  // namespace

HttpResponse Console::Impl::refuse(Operation operation) const {
  return error_response(Status(ErrorCode::permission_denied,
                               Message("console.role_refused", {{"role", std::string(role_name(session->user.role))},
                                                                {"what", std::string(operation_name(operation))}})));
}

Status Console::Impl::audit(std::string action, std::string subject, std::string detail) {
  return store().append_audit({now(), session->user.name, std::move(action), std::move(subject), std::move(detail)});
}

HttpResponse Console::Impl::done(const Status& status, const json& reply) {
  if (!status.ok()) return error_response(status);
  return json_response(200, reply);
}

// The API, by path and method; each call checked against the role table first.
HttpResponse Console::Impl::api() {
  const std::string name = path.substr(kApi.size());
  const bool post = request.method == "POST";
  if (post) {
    // A write must come from a page of this server: the browser names its origin.
    const std::string_view origin = request.header("origin");
    const std::string expected = std::string(c.options_.tls ? "https://" : "http://") +
                                 std::string(request.header("host"));
    if (origin != expected) {
      return error_response(Status(ErrorCode::permission_denied, Message("console.csrf_refused")));
    }
    if (name == "sign-in" || name == "accept-invitation") {
      AMANA_RETURN_RESPONSE_IF_ERROR(parse_json_body(request, body));
      return name == "sign-in" ? sign_in() : accept_invitation();
    }
  }
  auto signed_in = c.accounts_.session(cookie_value(request, c.cookie_name()));
  if (!signed_in.ok()) {
    HttpResponse refused = error_response(signed_in.status(), 401);
    refused.headers.emplace_back("Set-Cookie", expired_cookie());
    return refused;
  }
  session = std::move(*signed_in);
  if (post && !StaffAccounts::csrf_matches(*session, request.header("x-csrf-token"))) {
    return error_response(Status(ErrorCode::permission_denied, Message("console.csrf_refused")));
  }
  AMANA_ASSIGN_OR_RETURN_RESPONSE(const bool setup_needed, totp_setup_needed(c.store_, session->user));
  for (const Route& route : kRoutes) {
    if (route.post != post || route.name != name) continue;
    if (setup_needed && route.operation) {
      return error_response(Status(ErrorCode::permission_denied, Message("console.second_factor_first")));
    }
    if (route.operation && !allowed(session->user.role, *route.operation)) return refuse(*route.operation);
    if (route.max_file == 0 && post) AMANA_RETURN_RESPONSE_IF_ERROR(parse_json_body(request, body));
    if (route.max_file != 0 && request.body.size() > route.max_file) {
      return error_response(
          invalid_argument(Message("console.file_too_large", {{"mebibytes", static_cast<std::int64_t>(route.max_file >> 20)}})),
          413);
    }
    const std::size_t slash = name.find('/');
    return route.handler(*this, slash == std::string::npos ? std::string_view() : std::string_view(name).substr(slash + 1));
  }
  return error_response(not_found("no console call " + request.method + " " + path), 404);
}

Console::Console(CentralStore& store, StaffAccounts& accounts, const OrgKeys& keys, ConsoleOptions options,
                 WallClock clock)
    : store_(store), accounts_(accounts), keys_(keys), options_(options), clock_(std::move(clock)) {}

bool Console::serves(std::string_view target) {
  const std::string path = path_of(target);
  return path == kPrefix || path.starts_with(std::string(kPrefix) + "/");
}

std::string_view Console::cookie_name() const { return options_.tls ? "__Host-amana-console" : "amana-console"; }

HttpResponse Console::handle(const HttpRequest& request) {
  Impl impl{*this, request, path_of(request.target), std::nullopt, nlohmann::json()};
  if (impl.path.starts_with(kApi)) return impl.api();
  if (request.method != "GET") return error_response(not_found("pages are read with GET"), 405);
  if (impl.path == kPrefix) {
    // The pages name their assets relative to /console/.
    HttpResponse moved;
    moved.status = 302;
    moved.content_type = "text/plain";
    secure_headers(moved);
    moved.headers.emplace_back("Location", "/console/");
    return moved;
  }
  const std::string file = impl.path == "/console/" ? "index.html" : impl.path.substr(kPrefix.size() + 1);
  static const std::vector<EmbeddedFile> files = console_files();
  for (const EmbeddedFile& f : files) {
    if (f.name != file) continue;
    HttpResponse response;
    response.body = std::string(f.contents);
    response.content_type = file.ends_with(".js")    ? "text/javascript; charset=utf-8"
                            : file.ends_with(".css") ? "text/css; charset=utf-8"
                            : file.ends_with(".svg") ? "image/svg+xml"
                                                     : "text/html; charset=utf-8";
    secure_headers(response);
    return response;
  }
  return error_response(not_found("no console page " + impl.path), 404);
}

}  // namespace amana::server
