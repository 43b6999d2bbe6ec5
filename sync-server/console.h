// The office console: staff sign in with their own accounts (staff_accounts.h) and
// supervise cases in a browser. Served by `sync-server serve` on the same listener, under
// /console/ (plain HTTP only on loopback, as serve enforces).
//
//   GET  /console/ and its assets   the pages: plain JavaScript modules and CSS compiled into
//                                   the binary (sync-server/console/), English and Arabic
//   /console/api/...                JSON; parses, calls the libraries (case_admin, admin,
//                                   staff_accounts, report, the audit log) and shows
//
// Every API call but sign-in and accept-invitation needs a session cookie
// (`__Host-amana-console` over TLS: Secure, HttpOnly, SameSite=Strict, Path=/), and every
// POST the session's CSRF token in X-CSRF-Token and an Origin naming this server. The role
// table (access.h) decides each call: the console's pages only show what it allows, and a
// call it forbids is 403 whatever the page did. Each action is audited under the signed-in
// user; views that show names are audited like the CLI's (admin.h audit_view).
//
// Responses carry a Content-Security-Policy allowing only the console's own scripts and
// styles, no framing, no referrer, and `Cache-Control: no-store`.
//
// Errors: {"error": code name, "message": {"en": ..., "ar": ...}} with 400 (input),
// 401 (no session), 403 (role, CSRF, Origin), 404, 409 (refused decision), 423 (locked).
//
// Thread safety: handle() may be called from several threads at once.
#pragma once

#include <string_view>

#include "common/hlc.h"
#include "sync-server/central_store.h"
#include "sync-server/http_server.h"
#include "sync-server/org_keys.h"
#include "sync-server/staff_accounts.h"

namespace amana::server {

struct ConsoleOptions {
  bool tls = true;  // Secure cookies and the __Host- prefix; plain HTTP only on loopback
  std::chrono::milliseconds enrollment_lifetime{24 * 60 * 60 * 1000};
};

class Console {
 public:
  // `keys` (unlocked by the operator at `serve`) make datasets and sign published forms.
  Console(CentralStore& store, StaffAccounts& accounts, const OrgKeys& keys, ConsoleOptions options,
          WallClock clock = system_wall_clock());

  // True for the paths the console answers (/console and under it).
  static bool serves(std::string_view target);

  HttpResponse handle(const HttpRequest& request);

  // The session cookie's name for this server.
  std::string_view cookie_name() const;

  // One request being answered (console_internal.h).
  struct Impl;

 private:
  CentralStore& store_;
  StaffAccounts& accounts_;
  const OrgKeys& keys_;
  ConsoleOptions options_;
  WallClock clock_;
};

}  // namespace amana::server
