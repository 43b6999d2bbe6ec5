// The office console called as a browser would call it, in process: requests with the
// Host, Origin, cookie and CSRF headers a page of the console sends, and a sign-in that
// checks the cookie's attributes.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sync-server/console.h"
#include "sync-server/staff_accounts.h"
#include "tests/support.h"

namespace amana::testing {

inline constexpr const char* kConsolePassword = "a long enough password";

struct ConsoleClient {
  server::Console& console;

  server::HttpResponse call(const std::string& method, const std::string& target, const std::string& body = "",
                            const std::string& cookie = "", const std::string& csrf = "",
                            const std::string& origin = "https://office.example") const {
    server::HttpRequest request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.remote = "127.0.0.1:5000";
    request.headers = {{"Host", "office.example"}};
    if (!origin.empty()) request.headers.emplace_back("Origin", origin);
    if (!cookie.empty()) request.headers.emplace_back("Cookie", "other=1; __Host-amana-console=" + cookie);
    if (!csrf.empty()) request.headers.emplace_back("X-CSRF-Token", csrf);
    server::HttpResponse response = console.handle(request);
    if (response.stream) {
      // A streamed body (a dataset), made whole as a browser receives it.
      struct Collect final : server::BodyWriter {
        std::string text;
        Status write(std::string_view piece) override {
          text += piece;
          return Status();
        }
      } collect;
      const Status made = response.stream(collect);
      REQUIRE_MESSAGE(made.ok(), made.message());
      response.body = std::move(collect.text);
      response.stream = nullptr;
    }
    return response;
  }

  struct Signed {
    std::string cookie, csrf;
  };
  Signed sign_in(const std::string& user, const std::string& password = kConsolePassword) const {
    const auto response = call("POST", "/console/api/sign-in", nlohmann::json{{"user", user}, {"password", password}}.dump());
    REQUIRE_MESSAGE(response.status == 200, response.body);
    std::string set_cookie;
    for (const auto& [name, value] : response.headers) {
      if (name == "Set-Cookie") set_cookie = value;
    }
    CHECK(contains(set_cookie, "HttpOnly"));
    CHECK(contains(set_cookie, "SameSite=Strict"));
    CHECK(contains(set_cookie, "Secure"));
    CHECK(contains(set_cookie, "Path=/"));
    const std::string prefix = "__Host-amana-console=";
    REQUIRE(set_cookie.starts_with(prefix));
    return {set_cookie.substr(prefix.size(), 64), nlohmann::json::parse(response.body)["csrf"]};
  }

  // A signed-in user's GET and POST.
  server::HttpResponse get(const Signed& s, const std::string& target) const { return call("GET", target, "", s.cookie); }
  server::HttpResponse post(const Signed& s, const std::string& target, const std::string& body) const {
    return call("POST", target, body, s.cookie, s.csrf);
  }
};

// The user invited by an admin and with `password` set.
inline void give_password(server::StaffAccounts& accounts, const std::string& user,
                          const std::string& password = kConsolePassword) {
  auto invitation = accounts.invite(user, "sara");
  REQUIRE(invitation.ok());
  auto accepted = accounts.accept_invitation(invitation->code, password);
  REQUIRE_MESSAGE(accepted.ok(), accepted.status().message());
  CHECK(*accepted == user);
}

// The audit log as "actor action subject detail" lines, for checking what was recorded.
inline std::string audit_text(server::CentralStore& store) {
  std::string out;
  auto log = store.audit_log();
  REQUIRE(log.ok());
  for (const server::AuditEntry& e : *log) {
    out += e.event.actor + " " + e.event.action + " " + e.event.subject + " " + e.event.detail + "\n";
  }
  return out;
}

}  // namespace amana::testing
