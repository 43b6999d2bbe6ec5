#include "sync-server/console.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/embedded.h"
#include "common/message_catalogue.h"
#include "common/name_sound.h"
#include "common/text_fold.h"
#include "sync-server/access.h"
#include "sync-server/admin.h"
#include "sync-server/case_admin.h"
#include "sync-server/case_file.h"
#include "sync-server/qr.h"
#include "sync-server/report.h"

namespace amana::server {

// The console's pages, compiled in by cmake/embed_files.cmake (sync-server/CMakeLists.txt).
std::vector<EmbeddedFile> console_files();

namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/console";
constexpr std::string_view kApi = "/console/api/";
constexpr std::size_t kMaxAuditShown = 500;
constexpr std::int64_t kNotSyncedMs = 7LL * 24 * 60 * 60 * 1000;

constexpr const char* kSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

void secure_headers(HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy", kSecurityPolicy);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Cache-Control", "no-store");
}

HttpResponse json_response(int status, const json& body, std::string rejection = "") {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json; charset=utf-8";
  response.body = body.dump();
  response.rejection = std::move(rejection);
  secure_headers(response);
  return response;
}

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

HttpResponse error_response(const Status& status, int http_status = 0) {
  const int code = http_status ? http_status : http_status_of(status.code());
  return json_response(code,
                       {{"error", std::string(error_code_name(status.code()))},
                        {"message", {{"en", status.message_in(Language::en)}, {"ar", status.message_in(Language::ar)}}}},
                       std::string(error_code_name(status.code())));
}

std::string path_of(std::string_view target) { return std::string(target.substr(0, target.find('?'))); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

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

const char* kPages[] = {"dashboard", "cases", "users", "devices", "audit", "reports", "account"};

Operation page_operation(std::string_view page) {
  if (page == "dashboard" || page == "cases") return Operation::console_cases;
  if (page == "users" || page == "devices") return Operation::console_staff;
  if (page == "audit") return Operation::console_audit;
  if (page == "reports") return Operation::console_meal;
  return Operation::console_account;
}

json user_json(const User& user) {
  return {{"name", user.name}, {"role", std::string(role_name(user.role))}, {"team", user.team}, {"active", user.active}};
}

// The words of `query` each found in the name: as written (folded), or sounding alike in
// either script (common/name_sound.h), so that "Mohamed" finds محمد.
bool name_matches(const std::string& name, const std::string& query) {
  const std::string folded_name = text::fold(name);
  const auto name_words = cases::name_words(name);
  for (const std::string& word : cases::name_words(query)) {
    if (folded_name.find(text::fold(word)) != std::string::npos) continue;
    const auto sound = cases::name_sound(word);
    const bool alike = std::any_of(name_words.begin(), name_words.end(), [&](const std::string& w) {
      return cases::sounds_alike(sound, cases::name_sound(w));
    });
    if (!alike) return false;
  }
  return true;
}

}  // namespace

// Early returns with the error's response, for the handlers below (which return responses).
#define AMANA_RETURN_RESPONSE_IF_ERROR(expr)                 \
  do {                                                       \
    ::amana::Status console_status_ = (expr);                \
    if (!console_status_.ok()) return error_response(console_status_); \
  } while (false)
#define AMANA_ASSIGN_OR_RESPONSE_IMPL(tmp, lhs, expr)   \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return error_response(tmp.status());   \
  lhs = std::move(tmp).value()
#define AMANA_ASSIGN_OR_RETURN_RESPONSE(lhs, expr) \
  AMANA_ASSIGN_OR_RESPONSE_IMPL(AMANA_CONCAT(console_result_, __LINE__), lhs, expr)

struct Console::Impl {
  Console& c;
  const HttpRequest& request;
  std::string path;
  std::optional<StaffSignIn> session;
  json body;

  std::int64_t now() const { return c.clock_(); }
  CentralStore& store() const { return c.store_; }

  HttpResponse refuse(Operation operation) const {
    return error_response(Status(ErrorCode::permission_denied,
                                 Message("console.role_refused", {{"role", std::string(role_name(session->user.role))},
                                                                  {"what", std::string(operation_name(operation))}})));
  }

  Status audit(std::string action, std::string subject, std::string detail = "") {
    return store().append_audit({now(), session->user.name, std::move(action), std::move(subject), std::move(detail)});
  }

  HttpResponse done(const Status& status, const json& reply = {{"ok", true}}) {
    if (!status.ok()) return error_response(status);
    return json_response(200, reply);
  }

  // --- before a session ---

  HttpResponse sign_in() {
    const std::string previous = cookie_value(request, c.cookie_name());
    auto signed_in = c.accounts_.sign_in(text_field(body, "user"), text_field(body, "password"), request.remote, previous);
    if (!signed_in.ok()) {
      HttpResponse refused = error_response(signed_in.status(), signed_in.status().code() == ErrorCode::locked_out ? 423 : 401);
      if (!previous.empty()) refused.headers.emplace_back("Set-Cookie", expired_cookie());
      return refused;
    }
    HttpResponse response = json_response(200, me_json(*signed_in));
    response.headers.emplace_back("Set-Cookie", std::string(c.cookie_name()) + "=" + signed_in->token +
                                                    "; Path=/; HttpOnly; SameSite=Strict" +
                                                    (c.options_.tls ? "; Secure" : ""));
    return response;
  }

  std::string expired_cookie() const {
    return std::string(c.cookie_name()) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
           (c.options_.tls ? "; Secure" : "");
  }

  HttpResponse accept_invitation() {
    auto accepted = c.accounts_.accept_invitation(text_field(body, "code"), text_field(body, "password"));
    if (!accepted.ok()) return error_response(accepted.status());
    return json_response(200, {{"user", *accepted}});
  }

  // --- with a session ---

  json me_json(const StaffSignIn& s) const {
    json pages = json::array();
    for (const char* page : kPages) {
      if (allowed(s.user.role, page_operation(page))) pages.push_back(page);
    }
    return {{"user", user_json(s.user)}, {"csrf", s.csrf}, {"pages", pages}};
  }

  HttpResponse sign_out() {
    const Status status = c.accounts_.sign_out(session->token);
    if (!status.ok()) return error_response(status);
    HttpResponse response = json_response(200, {{"ok", true}});
    response.headers.emplace_back("Set-Cookie", expired_cookie());
    return response;
  }

  HttpResponse dashboard() {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto devices, store().devices());
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto lease, offline_lease(store()));
    AMANA_ASSIGN_OR_RETURN_RESPONSE(StoreCounts counts, store().counts());
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto cases, list_cases(store(), StepCounts::skipped));
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto facts, review_facts(store()));
    const std::int64_t t = now();
    json not_synced = json::array(), past_lease = json::array(), closures = json::array(), findings = json::array();
    for (const Device& d : devices) {
      if (d.revoked_at_ms) continue;
      const json row = {{"id", d.id.to_string()}, {"user", d.user}, {"last_sync_ms", d.last_sync_ms}};
      if (d.last_sync_ms == 0 || t - d.last_sync_ms > kNotSyncedMs) not_synced.push_back(row);
      if (lease && t - std::max(d.last_sync_ms, d.enrolled_at_ms) > lease->count()) past_lease.push_back(row);
    }
    for (const CaseView& v : cases) {
      if (v.status == cases::CaseStatus::closure_requested) {
        closures.push_back({{"id", v.id.to_string()}, {"reference", case_reference(v.id)}, {"assigned_to", v.assigned_to}});
      }
    }
    for (const auto& f : cases::review_cases(facts, {local_date(t), 90})) {
      findings.push_back({{"id", f.case_id},
                          {"reference", f.case_id.size() >= 8 ? f.case_id.substr(f.case_id.size() - 8) : f.case_id},
                          {"what", {{"en", f.message ? f.message->in(Language::en) : f.what},
                                    {"ar", f.message ? f.message->in(Language::ar) : f.what}}}});
    }
    AMANA_RETURN_RESPONSE_IF_ERROR(
        audit_view(store(), {session->user.name, "review", "all", facts.size(), false}, t));
    return json_response(200, {{"not_synced", not_synced},
                               {"past_lease", past_lease},
                               {"open_conflicts", counts.conflicts},
                               {"closures_awaiting", closures},
                               {"findings", findings},
                               {"lease_days", lease ? lease->count() / 86'400'000 : 0}});
  }

  HttpResponse case_list() {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto cases, list_cases(store(), StepCounts::counted));
    const std::string status = query_param(request.target, "status");
    const std::string risk = query_param(request.target, "risk");
    const std::string assignee = query_param(request.target, "assignee");
    const std::string q = query_param(request.target, "q").substr(0, 200);
    json rows = json::array();
    for (const CaseView& v : cases) {
      if (!status.empty() && v.status_text != status) continue;
      if (!risk.empty() && v.risk_level != risk) continue;
      if (!assignee.empty() && v.assigned_to != assignee) continue;
      if (!q.empty() && !name_matches(v.name, q)) continue;
      rows.push_back({{"id", v.id.to_string()},
                      {"reference", case_reference(v.id)},
                      {"name", v.name},
                      {"status", shown_status(v)},
                      {"risk", v.risk_level},
                      {"assigned_to", v.assigned_to},
                      {"opened", local_date(v.opened_at_ms)},
                      {"steps", v.steps}});
    }
    AMANA_RETURN_RESPONSE_IF_ERROR(audit_view(store(), {session->user.name, "cases", "all", rows.size(), true}, now()));
    return json_response(200, {{"cases", rows}});
  }

  HttpResponse case_file() {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(RecordId id, find_case(store(), query_param(request.target, "id")));
    const Language language = query_param(request.target, "lang") == "ar" ? Language::ar : Language::en;
    AMANA_ASSIGN_OR_RETURN_RESPONSE(CaseFile file, read_case_file(store(), id, language));
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto devices, store().devices());
    AMANA_RETURN_RESPONSE_IF_ERROR(audit_view(store(), {session->user.name, "case", id.to_string(), 1, true}, now()));
    json out = case_file_json(file);
    out["name"] = file.view.name;
    // Who made each change: the device's user, or the office.
    json history = json::array();
    for (const HistoryEntry& entry : file.history) {
      std::string who = "office";
      if (entry.version.stamp.device != kOrgWriter) {
        who = entry.version.stamp.device.to_string();
        for (const Device& d : devices) {
          if (d.id == entry.version.stamp.device) who = d.user;
        }
      }
      history.push_back({{"field", entry.field},
                         {"value", entry.version.value},
                         {"cleared", entry.version.cleared},
                         {"at", format_hlc(entry.version.stamp.hlc)},
                         {"by", who}});
    }
    out["history"] = history;
    // Conflicting concurrent edits, side by side, for the officer to choose one.
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto conflicts, case_conflicts(store(), id));
    json open = json::array();
    auto version = [&](const merge::Version& v) {
      std::string who = v.stamp.device == kOrgWriter ? "office" : v.stamp.device.to_string();
      for (const Device& d : devices) {
        if (d.id == v.stamp.device) who = d.user;
      }
      return json{{"value", v.value}, {"cleared", v.cleared}, {"at", format_hlc(v.stamp.hlc)}, {"by", who}};
    };
    for (const auto& conflict : conflicts) {
      open.push_back({{"record", conflict.record.to_string()},
                      {"field", conflict.field},
                      {"earlier", version(conflict.earlier)},
                      {"later", version(conflict.later)}});
    }
    out["conflicts"] = open;
    return json_response(200, out);
  }

  HttpResponse case_decision(std::string_view what) {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(RecordId id, find_case(store(), text_field(body, "id")));
    const std::string& by = session->user.name;
    Status status;
    if (what == "assign") status = assign_case(store(), id, text_field(body, "user"), by, now());
    if (what == "approve") status = decide_closure(store(), id, true, by, now());
    if (what == "reject") status = decide_closure(store(), id, false, by, now());
    if (what == "reopen") status = reopen_case(store(), id, by, now());
    if (what == "transfer") status = transfer_case(store(), id, text_field(body, "organisation"), by, now());
    if (what == "resolve") {
      AMANA_ASSIGN_OR_RETURN_RESPONSE(RecordId record, find_case_record(store(), id, text_field(body, "record")));
      status = resolve_conflict(store(), id, record, text_field(body, "field"), text_field(body, "value"), by, now());
    }
    if (!status.ok()) {
      return error_response(status, status.code() == ErrorCode::invalid_argument ? 409 : 0);
    }
    return json_response(200, {{"ok", true}});
  }

  HttpResponse users() {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto list, list_users(store()));
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto devices, store().devices());
    json rows = json::array();
    for (const User& u : list) {
      AMANA_ASSIGN_OR_RETURN_RESPONSE(StaffAccountState state, c.accounts_.state(u.name));
      std::size_t active_devices = 0;
      for (const Device& d : devices) active_devices += d.user == u.name && !d.revoked_at_ms;
      json row = user_json(u);
      row["has_password"] = state.has_password;
      row["locked"] = state.locked;
      row["devices"] = active_devices;
      rows.push_back(row);
    }
    return json_response(200, {{"users", rows}});
  }

  HttpResponse user_action(std::string_view what) {
    const std::string name = text_field(body, "user");
    const std::string& by = session->user.name;
    if (what == "add") {
      AMANA_ASSIGN_OR_RETURN_RESPONSE(Role role, parse_role(text_field(body, "role")));
      return done(register_user(store(), {name, role, text_field(body, "team")}, now(), by));
    }
    if (what == "invite") {
      AMANA_ASSIGN_OR_RETURN_RESPONSE(StaffInvitation invitation, c.accounts_.invite(name, by));
      return json_response(200, {{"code", invitation.code}, {"expires_at_ms", invitation.expires_at_ms}});
    }
    if (what == "change") {
      UserChange change;
      if (body.contains("role")) {
        AMANA_ASSIGN_OR_RETURN_RESPONSE(Role role, parse_role(text_field(body, "role")));
        change.role = role;
      }
      if (body.contains("team")) change.team = text_field(body, "team");
      AMANA_RETURN_RESPONSE_IF_ERROR(change_user(store(), name, change, now(), by));
      // Their pages follow the new role at their next sign-in.
      return done(c.accounts_.end_sessions(name, by));
    }
    if (what == "deactivate") {
      AMANA_ASSIGN_OR_RETURN_RESPONSE(auto revoked, deactivate_user(store(), name, now(), by));
      return json_response(200, {{"devices_revoked", revoked.size()}});
    }
    if (what == "unlock") return done(c.accounts_.unlock(name, by));
    return error_response(not_found("no such action"));
  }

  HttpResponse devices() {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto list, store().devices());
    json rows = json::array();
    for (const Device& d : list) {
      rows.push_back({{"id", d.id.to_string()},
                      {"user", d.user},
                      {"enrolled_at_ms", d.enrolled_at_ms},
                      {"last_sync_ms", d.last_sync_ms},
                      {"revoked", d.revoked_at_ms.has_value()}});
    }
    return json_response(200, {{"devices", rows}});
  }

  HttpResponse enroll() {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(
        IssuedCode issued,
        issue_enrollment_code(store(), text_field(body, "user"), c.options_.enrollment_lifetime, now(), session->user.name));
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto modules, qr_modules(issued.code));
    json rows = json::array();
    for (const std::string& row : modules) rows.push_back(row);
    return json_response(200, {{"code", issued.code}, {"expires_at_ms", issued.expires_at_ms}, {"qr", rows}});
  }

  HttpResponse revoke() {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(DeviceId id, find_device(store(), text_field(body, "id")));
    return done(revoke_device(store(), id, now(), session->user.name));
  }

  HttpResponse audit_log() {
    AMANA_ASSIGN_OR_RETURN_RESPONSE(auto entries, store().audit_log());
    AMANA_ASSIGN_OR_RETURN_RESPONSE(AuditHead head, store().audit_head());
    const AuditVerdict verdict = verify_audit_chain(entries, head);
    json rows = json::array();
    const std::size_t from = entries.size() > kMaxAuditShown ? entries.size() - kMaxAuditShown : 0;
    for (std::size_t i = entries.size(); i > from; --i) {
      const AuditEntry& e = entries[i - 1];
      rows.push_back({{"seq", e.seq},
                      {"at", format_time_utc(e.event.at_ms)},
                      {"actor", e.event.actor},
                      {"action", e.event.action},
                      {"subject", e.event.subject},
                      {"detail", e.event.detail}});
    }
    return json_response(200, {{"intact", verdict.intact},
                               {"problem", verdict.problem},
                               {"head_seq", verdict.head.seq},
                               {"head_hash", crypto::to_hex(verdict.head.hash)},
                               {"entries", rows},
                               {"total", entries.size()}});
  }

  HttpResponse report() {
    ReportOptions options;
    options.period = query_param(request.target, "period");
    options.language = query_param(request.target, "lang") == "ar" ? Language::ar : Language::en;
    AMANA_ASSIGN_OR_RETURN_RESPONSE(Report built, build_report(store(), options));
    AMANA_RETURN_RESPONSE_IF_ERROR(audit("report", options.period, "monthly report downloaded from the console"));
    HttpResponse response;
    response.content_type = "text/html; charset=utf-8";
    response.body = report_html(built);
    secure_headers(response);
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"amana-report-" + options.period + ".html\"");
    return response;
  }

  static std::string format_time_utc(std::int64_t ms) { return format_local(ms, "%Y-%m-%d %H:%M:%S"); }

  // The API, by path and method; each call checked against the role table first.
  HttpResponse api() {
    const std::string name = path.substr(kApi.size());
    const bool post = request.method == "POST";
    if (post) {
      if (!request.body.empty()) {
        body = json::parse(request.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) return error_response(invalid_argument("the request is not a JSON object"));
      } else {
        body = json::object();
      }
      // A write must come from a page of this server: the browser names its origin.
      const std::string_view origin = request.header("origin");
      const std::string expected = std::string(c.options_.tls ? "https://" : "http://") +
                                   std::string(request.header("host"));
      if (origin != expected) {
        return error_response(Status(ErrorCode::permission_denied, Message("console.csrf_refused")));
      }
      if (name == "sign-in") return sign_in();
      if (name == "accept-invitation") return accept_invitation();
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
    auto guarded = [&](Operation operation, auto&& call) -> HttpResponse {
      if (!allowed(session->user.role, operation)) return refuse(operation);
      return call();
    };
    if (!post) {
      if (name == "me") return json_response(200, me_json(*session));
      if (name == "dashboard") return guarded(Operation::console_cases, [&] { return dashboard(); });
      if (name == "cases") return guarded(Operation::console_cases, [&] { return case_list(); });
      if (name == "case") return guarded(Operation::console_cases, [&] { return case_file(); });
      if (name == "users") return guarded(Operation::console_staff, [&] { return users(); });
      if (name == "devices") return guarded(Operation::console_staff, [&] { return devices(); });
      if (name == "audit") return guarded(Operation::console_audit, [&] { return audit_log(); });
      if (name == "report") return guarded(Operation::console_meal, [&] { return report(); });
    } else {
      if (name == "sign-out") return sign_out();
      for (const char* what : {"assign", "approve", "reject", "reopen", "transfer", "resolve"}) {
        if (name == std::string("case/") + what) {
          return guarded(Operation::console_cases, [&] { return case_decision(what); });
        }
      }
      for (const char* what : {"add", "invite", "change", "deactivate", "unlock"}) {
        if (name == std::string("users/") + what) {
          return guarded(Operation::console_staff, [&] { return user_action(what); });
        }
      }
      if (name == "devices/enroll") return guarded(Operation::console_staff, [&] { return enroll(); });
      if (name == "devices/revoke") return guarded(Operation::console_staff, [&] { return revoke(); });
    }
    return error_response(not_found("no console call " + request.method + " " + path), 404);
  }
};

Console::Console(CentralStore& store, StaffAccounts& accounts, ConsoleOptions options, WallClock clock)
    : store_(store), accounts_(accounts), options_(options), clock_(std::move(clock)) {}

bool Console::serves(std::string_view target) {
  const std::string path = path_of(target);
  return path == kPrefix || path.starts_with(std::string(kPrefix) + "/");
}

std::string_view Console::cookie_name() const { return options_.tls ? "__Host-amana-console" : "amana-console"; }

HttpResponse Console::handle(const HttpRequest& request) {
  Impl impl{*this, request, path_of(request.target), std::nullopt, json()};
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
