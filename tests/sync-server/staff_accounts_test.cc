// Staff accounts of the office console (sync-server/staff_accounts.h) and the console's
// own checks on every call (sync-server/console.h): passwords hashed, invitations used
// once, lockout and an admin's unlock, sessions rotated, ended and timed out, CSRF and the
// role table enforced by the server whatever a page sends.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "sync-server/admin.h"
#include "sync-server/console.h"
#include "sync-server/staff_accounts.h"
#include "tests/support.h"
#include "tests/sync-server/console_client.h"

using namespace amana;
using namespace amana::server;
using amana::testing::TempDir;
using amana::testing::contains;

namespace {

constexpr const char* kPassword = amana::testing::kConsolePassword;

struct Office {
  TempDir dir;
  std::unique_ptr<CentralStore> store;
  std::int64_t now = 1'800'000'000'000;
  StaffAccounts accounts;
  OrgKeys keys;

  static StaffPolicy cheap() {
    StaffPolicy policy;
    policy.kdf = amana::testing::kCheapKdf;
    return policy;
  }

  Office() : store(open_sqlite_store(dir.path() / "central.db", true).value()), accounts(*store, cheap(), [this] { return now; }) {
    REQUIRE(create_org_keys(*store, "operator passphrase", amana::testing::kCheapKdf).ok());
    keys = std::move(unlock_org_keys(*store, "operator passphrase")).value();
    for (const User& user : {User{"amina", Role::assistant, "um-dukhun"}, User{"omar", Role::officer, "um-dukhun"},
                             User{"mona", Role::meal, ""}, User{"sara", Role::admin, ""}}) {
      REQUIRE(store->add_user(user).ok());
    }
  }

  // Invited and with kPassword set.
  void with_password(const std::string& user) { amana::testing::give_password(accounts, user); }

  std::string audit_text() { return testing::audit_text(*store); }
};

}  // namespace

TEST_CASE("staff accounts: the password is kept only as its Argon2id hash with a salt of its own") {
  Office office;
  office.with_password("omar");
  office.with_password("amina");
  auto omar = office.store->staff_credential("omar").value();
  auto amina = office.store->staff_credential("amina").value();
  REQUIRE(omar);
  REQUIRE(amina);
  CHECK(omar->salt.size() == crypto::kSaltBytes);
  CHECK(omar->salt != amina->salt);
  CHECK(omar->password_hash != amina->password_hash);  // the same password, other salts
  const auto derived = crypto::derive_key(kPassword, omar->salt, {omar->kdf_ops, omar->kdf_mem}).value();
  CHECK(crypto::constant_time_equal(derived.view(), omar->password_hash));
  const std::string db = amana::testing::read_file(office.dir.path() / "central.db");
  CHECK(db.find(kPassword) == std::string::npos);
  CHECK(contains(office.audit_text(), "sara console-invitation omar"));
  CHECK(contains(office.audit_text(), "omar console-password-set omar"));
}

TEST_CASE("staff accounts: an invitation sets a password once, and a short password spends nothing") {
  Office office;
  auto invitation = office.accounts.invite("omar", "sara");
  REQUIRE(invitation.ok());
  CHECK(invitation->code.size() == 19);  // 16 characters in groups of four
  const auto too_short = office.accounts.accept_invitation(invitation->code, "short");
  CHECK(too_short.status().code() == ErrorCode::invalid_argument);
  CHECK(contains(too_short.status().message_in(Language::ar), "كلمة المرور"));
  // Typed back in lower case without dashes, it still works: once.
  std::string typed;
  for (char c : invitation->code) {
    if (c != '-') typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  REQUIRE(office.accounts.accept_invitation(typed, kPassword).ok());
  const auto again = office.accounts.accept_invitation(invitation->code, "another long password");
  CHECK(again.status().code() == ErrorCode::permission_denied);
  CHECK(office.accounts.sign_in("omar", kPassword, "127.0.0.1:4000").ok());
  CHECK(office.accounts.sign_in("omar", "another long password", "127.0.0.1:4000").status().code() ==
        ErrorCode::permission_denied);

  // Expired, or for a user deactivated since: refused.
  auto late = office.accounts.invite("amina", "sara");
  REQUIRE(late.ok());
  office.now += office.accounts.policy().invitation_lifetime.count() + 1;
  CHECK(office.accounts.accept_invitation(late->code, kPassword).status().code() == ErrorCode::permission_denied);
  auto deactivated = office.accounts.invite("mona", "sara");
  REQUIRE(deactivated.ok());
  REQUIRE(deactivate_user(*office.store, "mona", office.now, "sara").ok());
  CHECK(office.accounts.accept_invitation(deactivated->code, kPassword).status().code() == ErrorCode::permission_denied);
  CHECK(office.accounts.invite("mona", "sara").status().code() == ErrorCode::invalid_argument);
  CHECK(office.accounts.invite("nobody", "sara").status().code() == ErrorCode::not_found);
}

TEST_CASE("staff accounts: wrong passwords lock the account, a correct one then too, until an admin unlocks it") {
  Office office;
  office.with_password("omar");
  const std::int64_t limit = office.accounts.policy().max_failures;
  for (std::int64_t i = 1; i < limit; ++i) {
    CHECK(office.accounts.sign_in("omar", "wrong password " + std::to_string(i), "10.0.0.1:1").status().code() ==
          ErrorCode::permission_denied);
  }
  const auto last = office.accounts.sign_in("omar", "wrong again", "10.0.0.2:1");
  CHECK(last.status().code() == ErrorCode::locked_out);
  CHECK(contains(last.status().message(), "locked"));
  for (int i = 0; i < 10; ++i) {
    CHECK(office.accounts.sign_in("omar", "still wrong", "10.0.0.3:1").status().code() == ErrorCode::locked_out);
  }
  CHECK(office.accounts.sign_in("omar", kPassword, "10.0.0.4:1").status().code() == ErrorCode::locked_out);
  CHECK(office.accounts.state("omar").value().locked);
  CHECK(contains(office.audit_text(), "account locked"));

  REQUIRE(office.accounts.unlock("omar", "sara").ok());
  CHECK(contains(office.audit_text(), "sara console-unlock omar"));
  CHECK(office.accounts.sign_in("omar", kPassword, "10.0.0.4:1").ok());
  CHECK_FALSE(office.accounts.state("omar").value().locked);
}

TEST_CASE("staff accounts: one address is limited across accounts, and unknown users count too") {
  Office office;
  office.with_password("omar");
  const std::size_t limit = office.accounts.policy().max_failures_per_address;
  for (std::size_t i = 0; i < limit; ++i) {
    CHECK(office.accounts.sign_in("user" + std::to_string(i), "guess guess", "192.0.2.7:" + std::to_string(i))
              .status()
              .code() == ErrorCode::permission_denied);
  }
  // From that address even the right password waits; from another it works.
  CHECK(office.accounts.sign_in("omar", kPassword, "192.0.2.7:9").status().code() == ErrorCode::locked_out);
  CHECK(office.accounts.sign_in("omar", kPassword, "192.0.2.8:9").ok());
  office.now += office.accounts.policy().address_window.count() + 1;
  CHECK(office.accounts.sign_in("omar", kPassword, "192.0.2.7:9").ok());
}

TEST_CASE("staff accounts: each sign-in issues a new session and ends the one offered, sign-out ends it on the server") {
  Office office;
  office.with_password("omar");
  auto first = office.accounts.sign_in("omar", kPassword, "127.0.0.1:1");
  REQUIRE(first.ok());
  CHECK(first->token.size() == 64);
  CHECK(office.accounts.session(first->token).ok());
  // Signing in again from the same browser (the cookie sent along) rotates the token.
  auto second = office.accounts.sign_in("omar", kPassword, "127.0.0.1:1", first->token);
  REQUIRE(second.ok());
  CHECK(second->token != first->token);
  CHECK(second->csrf != first->csrf);
  CHECK(office.accounts.session(first->token).status().code() == ErrorCode::permission_denied);
  // Fixation: a token the attacker chose and planted is never adopted, and ended.
  const std::string planted(64, 'a');
  auto third = office.accounts.sign_in("omar", kPassword, "127.0.0.1:1", planted);
  REQUIRE(third.ok());
  CHECK(third->token != planted);
  CHECK(office.accounts.session(planted).status().code() == ErrorCode::permission_denied);

  REQUIRE(office.accounts.sign_out(third->token).ok());
  CHECK(office.accounts.session(third->token).status().code() == ErrorCode::permission_denied);
  CHECK(office.accounts.session(second->token).ok());  // another browser's session stays
  // The store holds hashes, not tokens.
  const std::string db = amana::testing::read_file(office.dir.path() / "central.db");
  CHECK(db.find(second->token) == std::string::npos);
  CHECK(contains(office.audit_text(), "omar console-sign-out omar"));
}

TEST_CASE("staff accounts: a session ends after the idle timeout, its lifetime, or its user's deactivation") {
  Office office;
  office.with_password("omar");
  office.with_password("amina");
  auto idle = office.accounts.sign_in("omar", kPassword, "127.0.0.1:1");
  REQUIRE(idle.ok());
  office.now += office.accounts.policy().idle_timeout.count() - 1000;
  REQUIRE(office.accounts.session(idle->token).ok());  // used: the idle clock restarts
  office.now += office.accounts.policy().idle_timeout.count() - 1000;
  REQUIRE(office.accounts.session(idle->token).ok());
  office.now += office.accounts.policy().idle_timeout.count() + 1;
  CHECK(office.accounts.session(idle->token).status().code() == ErrorCode::permission_denied);

  auto old = office.accounts.sign_in("omar", kPassword, "127.0.0.1:1");
  REQUIRE(old.ok());
  const std::int64_t end = office.now + office.accounts.policy().session_lifetime.count();
  while (office.now + office.accounts.policy().idle_timeout.count() / 2 <= end) {
    office.now += office.accounts.policy().idle_timeout.count() / 2;
    REQUIRE(office.accounts.session(old->token).ok());
  }
  office.now = end + 1;
  CHECK(office.accounts.session(old->token).status().code() == ErrorCode::permission_denied);

  auto amina = office.accounts.sign_in("amina", kPassword, "127.0.0.1:1");
  REQUIRE(amina.ok());
  REQUIRE(deactivate_user(*office.store, "amina", office.now, "sara").ok());
  CHECK(office.accounts.session(amina->token).status().code() == ErrorCode::permission_denied);
  CHECK(office.accounts.sign_in("amina", kPassword, "127.0.0.1:1").status().code() == ErrorCode::permission_denied);
}

namespace {

struct ConsoleUnderTest : Office {
  Console console{*store, accounts, keys, {.tls = true}, [this] { return now; }};
  amana::testing::ConsoleClient client{console};

  HttpResponse call(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::string& cookie = "", const std::string& csrf = "",
                    const std::string& origin = "https://office.example") {
    return client.call(method, target, body, cookie, csrf, origin);
  }
  amana::testing::ConsoleClient::Signed sign_in(const std::string& user) { return client.sign_in(user); }
};

}  // namespace

TEST_CASE("console: a write without the session's CSRF token or from another origin is refused and changes nothing") {
  ConsoleUnderTest office;
  office.with_password("sara");
  const auto s = office.sign_in("sara");
  const std::string add = nlohmann::json{{"user", "hawa"}, {"role", "assistant"}, {"team", ""}}.dump();
  CHECK(office.call("POST", "/console/api/users/add", add, s.cookie, "").status == 403);
  CHECK(office.call("POST", "/console/api/users/add", add, s.cookie, std::string(64, '0')).status == 403);
  CHECK(office.call("POST", "/console/api/users/add", add, s.cookie, s.csrf, "https://evil.example").status == 403);
  CHECK(office.call("POST", "/console/api/users/add", add, s.cookie, s.csrf, "").status == 403);
  CHECK(office.store->user("hawa").status().code() == ErrorCode::not_found);
  const auto added = office.call("POST", "/console/api/users/add", add, s.cookie, s.csrf);
  CHECK_MESSAGE(added.status == 200, added.body);
  CHECK(office.store->user("hawa").ok());
  CHECK(contains(office.audit_text(), "sara add-user hawa"));
  // The CSRF token of another session does not do either.
  office.with_password("omar");
  const auto omar = office.sign_in("omar");
  CHECK(office.call("POST", "/console/api/sign-out", "", s.cookie, omar.csrf).status == 403);
}

TEST_CASE("console: the role table decides every call, and a signed-out cookie opens nothing") {
  ConsoleUnderTest office;
  for (const char* user : {"amina", "omar", "mona", "sara"}) office.with_password(user);
  struct Call {
    std::string target;
    std::vector<std::string> allowed;
  };
  const std::vector<Call> calls = {
      {"/console/api/dashboard", {"omar", "sara"}}, {"/console/api/cases", {"omar", "sara"}},
      {"/console/api/users", {"sara"}},             {"/console/api/devices", {"sara"}},
      {"/console/api/audit", {"sara"}},             {"/console/api/report?period=2026-11", {"omar", "mona", "sara"}},
      {"/console/api/me", {"amina", "omar", "mona", "sara"}},
      {"/console/api/conflicts", {"omar", "sara"}},  {"/console/api/review", {"omar", "sara"}},
      {"/console/api/providers", {"omar", "sara"}},  {"/console/api/forms", {"sara"}},
      {"/console/api/exports", {"omar", "mona", "sara"}},
      {"/console/api/export?source=cases", {"omar", "mona", "sara"}},
      {"/console/api/export?source=cases&identified=1", {"omar", "sara"}},
  };
  for (const char* user : {"amina", "omar", "mona", "sara"}) {
    const auto s = office.sign_in(user);
    for (const Call& call : calls) {
      CAPTURE(user);
      CAPTURE(call.target);
      const bool allowed = std::find(call.allowed.begin(), call.allowed.end(), user) != call.allowed.end();
      const auto response = office.call("GET", call.target, "", s.cookie);
      CHECK_MESSAGE(response.status == (allowed ? 200 : 403), response.body);
    }
    const auto me = nlohmann::json::parse(office.call("GET", "/console/api/me", "", s.cookie).body);
    CAPTURE(me.dump());
    if (std::string(user) == "amina") CHECK(me["pages"] == nlohmann::json::array({"account"}));
    if (std::string(user) == "mona") CHECK(me["pages"] == nlohmann::json::array({"reports", "account"}));
    REQUIRE(office.call("POST", "/console/api/sign-out", "", s.cookie, s.csrf).status == 200);
    CHECK(office.call("GET", "/console/api/me", "", s.cookie).status == 401);
  }
  // An assistant cannot invite, whatever they send.
  const auto amina = office.sign_in("amina");
  CHECK(office.call("POST", "/console/api/users/invite", R"({"user":"amina"})", amina.cookie, amina.csrf).status == 403);
  // The pages carry a policy that runs only the console's own scripts.
  const auto index = office.call("GET", "/console/", "");
  CHECK(index.status == 200);
  CHECK(contains(index.body, "app.js"));
  bool policy = false;
  for (const auto& [name, value] : index.headers) policy |= name == "Content-Security-Policy" && contains(value, "script-src 'self'");
  CHECK(policy);
}
