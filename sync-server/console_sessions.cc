// The console before and around a session: sign-in (a new session every time), setting a
// password with an invitation, sign-out, and what the signed-in user may open.
#include "sync-server/console_internal.h"
#include "sync-server/staff_totp.h"

namespace amana::server {

using namespace console_detail;

namespace {

constexpr const char* kPages[] = {"dashboard", "cases",     "conflicts", "review", "users",   "devices",
                                  "providers", "forms", "audit",     "reports", "account"};

Operation page_operation(std::string_view page) {
  if (page == "dashboard" || page == "cases" || page == "conflicts" || page == "review") return Operation::console_cases;
  if (page == "users" || page == "devices") return Operation::console_staff;
  if (page == "providers") return Operation::console_providers;
  if (page == "forms") return Operation::console_forms;
  if (page == "audit") return Operation::console_audit;
  if (page == "reports") return Operation::console_meal;
  return Operation::console_account;
}

}  // namespace

HttpResponse Console::Impl::sign_in() {
  const std::string previous = cookie_value(request, c.cookie_name());
  auto signed_in = c.accounts_.sign_in(text_field(body, "user"), text_field(body, "password"), request.remote, previous,
                                       text_field(body, "code"));
  if (!signed_in.ok()) {
    HttpResponse refused = error_response(signed_in.status(), signed_in.status().code() == ErrorCode::locked_out ? 423 : 401);
    if (!previous.empty()) refused.headers.emplace_back("Set-Cookie", expired_cookie());
    return refused;
  }
  AMANA_ASSIGN_OR_RETURN_RESPONSE(json answer, me_json(*signed_in));
  HttpResponse response = json_response(200, answer);
  response.headers.emplace_back("Set-Cookie", std::string(c.cookie_name()) + "=" + signed_in->token +
                                                  "; Path=/; HttpOnly; SameSite=Strict" +
                                                  (c.options_.tls ? "; Secure" : ""));
  return response;
}

std::string Console::Impl::expired_cookie() const {
  return std::string(c.cookie_name()) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" +
         (c.options_.tls ? "; Secure" : "");
}

HttpResponse Console::Impl::accept_invitation() {
  auto accepted = c.accounts_.accept_invitation(text_field(body, "code"), text_field(body, "password"));
  if (!accepted.ok()) return error_response(accepted.status());
  return json_response(200, {{"user", *accepted}});
}

Result<Console::Impl::json> Console::Impl::me_json(const StaffSignIn& s) const {
  AMANA_ASSIGN_OR_RETURN(bool setup_needed, totp_setup_needed(c.store_, s.user));
  AMANA_ASSIGN_OR_RETURN(bool enrolled, has_totp(c.store_, s.user.name));
  json pages = json::array();
  for (const char* page : kPages) {
    // Until the second factor the organisation requires is set up, only the account page.
    if (setup_needed && std::string_view(page) != "account") continue;
    if (allowed(s.user.role, page_operation(page))) pages.push_back(page);
  }
  return json{{"user", user_json(s.user)},
              {"csrf", s.csrf},
              {"pages", pages},
              {"totp", {{"may", may_have_totp(s.user.role)}, {"enrolled", enrolled}, {"setup_needed", setup_needed}}}};
}

HttpResponse Console::Impl::me() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(json answer, me_json(*session));
  return json_response(200, answer);
}

HttpResponse Console::Impl::totp_begin() {
  AMANA_ASSIGN_OR_RETURN_RESPONSE(TotpEnrolment enrolment, begin_totp(store(), session->user, now()));
  return json_response(200, {{"secret", enrolment.secret}, {"uri", enrolment.uri}, {"qr", enrolment.qr}});
}

HttpResponse Console::Impl::totp_confirm() {
  return done(confirm_totp(store(), session->user.name, text_field(body, "code"), now()));
}

HttpResponse Console::Impl::sign_out() {
  const Status status = c.accounts_.sign_out(session->token);
  if (!status.ok()) return error_response(status);
  HttpResponse response = json_response(200, {{"ok", true}});
  response.headers.emplace_back("Set-Cookie", expired_cookie());
  return response;
}

}  // namespace amana::server
