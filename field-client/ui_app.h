// The field client's local web app (`field-client ui`): the HTTP handler behind the
// screens, with the security of a web app that holds personal data on a laptop.
//
// Security model (docs/ui.md says why each holds):
//  - Loopback only: the CLI binds 127.0.0.1; this handler also refuses any request whose
//    Host is not 127.0.0.1:PORT or localhost:PORT, so that a web page elsewhere cannot
//    reach it through DNS rebinding (a name of theirs that resolves to 127.0.0.1).
//  - A per-launch secret: the printed URL carries a random one-time key (`/?k=…`); the
//    first request with it is answered with an HttpOnly, SameSite=Strict session cookie
//    and a redirect that drops the key from the address bar. The key is then spent.
//    Without the cookie nothing but the refusal page is served.
//  - Origin: a request that names an Origin must name this one; every write (POST) must
//    name it, and carry the CSRF token (header X-Amana-CSRF) that /api/session gives the
//    page. Tokens compare in constant time.
//  - Content-Security-Policy: scripts, styles, images and connections from this origin
//    only, no inline script or style, no frames; nosniff and no referrer.
//  - Nothing personal is cached: every answer is `Cache-Control: no-store`. The page keeps
//    nothing in localStorage or IndexedDB; drafts live in the encrypted store.
//  - The store locks after `idle_lock` without a request from the person (lock_if_idle,
//    called by the CLI every second), on /api/lock, and when the handler is destroyed.
//
// The single-threaded Store: the CLI runs the HTTP server with one handler thread, and
// this class owns the Store behind one mutex: every request that touches it holds the
// mutex for the whole request, so the Store is only ever used by one thread at a time.
// A sync runs on a thread of its own holding that mutex until it ends; meanwhile
// /api/sync (its progress) and /api/session answer from state under a second, small
// mutex, and every other store request waits its turn or is told a sync is running.
// After an unlock, a third thread builds the records search's index in memory
// (Store::build_search_index), holding the mutex for one bounded step at a time, so a
// request waits at most one step (docs/ui.md).
//
// Routes served here: GET / (the app), /app/* (its embedded files), GET /api/session,
// POST /api/unlock {passphrase}, /api/lock, /api/sync, GET /api/sync (progress),
// POST /api/wipe {confirm}, POST /api/bundle/export|import {file}; every other /api/* route goes to ui::Api (ui_api.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/form_pack.h"
#include "common/hlc.h"
#include "field-client/store.h"
#include "sync-server/http_server.h"

namespace amana::field::ui {

struct UiOptions {
  std::filesystem::path home;
  std::chrono::milliseconds idle_lock{10 * 60 * 1000};
  StoreOptions store;  // how the store is opened (tests: a cheap key derivation)
  WallClock clock = system_wall_clock();
  std::optional<std::string> server_url;  // sync: instead of the enrolled address
  // After each unlock the records search's index (in memory only) is built in steps of
  // this many records between requests; 0: not before the first search, which builds it.
  std::size_t search_build_step = 500;
};

// The word a person types to confirm a wipe, in their language.
std::string wipe_word(Language language);

class UiApp {
 public:
  UiApp(const forms::FormPack& pack, UiOptions options);
  ~UiApp();  // waits for a running sync, then locks
  UiApp(const UiApp&) = delete;
  UiApp& operator=(const UiApp&) = delete;

  // The port the server listens on: Host and Origin must name it.
  void set_port(std::uint16_t port);
  // http://127.0.0.1:PORT/?k=SECRET: the address to open, once.
  std::string launch_url() const;

  // Thread-safe; never throws for anything a request carries.
  server::HttpResponse handle(const server::HttpRequest& request);

  // Locks the store when nothing was asked of it for `idle_lock`. Returns whether it did.
  bool lock_if_idle();
  bool unlocked() const;
  // The records search's index of the unlocked Store (Store::search_index_size): nothing
  // when locked, since it goes with the Store at every lock.
  Store::SearchIndexSize search_index_size();

  struct State;  // defined in ui_app.cc

 private:
  std::unique_ptr<State> state_;
};

}  // namespace amana::field::ui
