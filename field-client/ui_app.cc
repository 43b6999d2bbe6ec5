#include "field-client/ui_app.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "common/embedded.h"
#include "common/message_catalogue.h"
#include "field-client/sync_client.h"
#include "field-client/ui_api.h"

namespace amana::field::ui {

// The files of field-client/web/, embedded at build time (cmake/embed_files.cmake).
std::vector<EmbeddedFile> web_files();

namespace {

constexpr std::string_view kCookie = "amana_session";
constexpr std::size_t kMaxSyncLines = 200;
// How long a request waits for the Store while another thread holds it: a step of the
// search index's build (well under this) goes first; a sync (far longer) answers 409.
constexpr std::chrono::milliseconds kStoreWait{1000};
// Between two steps of that build: room for a waiting request to take the Store.
constexpr std::chrono::milliseconds kBuildPause{2};

const std::pair<std::string, std::string> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
     "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    // Personal data on every answer: never kept by the browser.
    {"Cache-Control", "no-store"},
};

std::string random_token() {
  crypto::Bytes bytes = crypto::random_bytes(32);
  return crypto::to_hex(bytes);
}

bool same_token(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && crypto::constant_time_equal(crypto::as_bytes(a), crypto::as_bytes(b));
}

std::map<std::string, std::string, std::less<>> parse_query(std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos) out[server::url_decode(pair.substr(0, eq))] = server::url_decode(pair.substr(eq + 1));
    else if (!pair.empty()) out[server::url_decode(pair)] = "";
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

std::string content_type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) { return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext; };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return 422;
    case ErrorCode::not_found: return 404;
    case ErrorCode::already_exists: return 409;
    case ErrorCode::wrong_passphrase: return 401;
    case ErrorCode::locked_out: return 423;
    case ErrorCode::permission_denied:
    case ErrorCode::revoked:
    case ErrorCode::lease_expired: return 403;
    case ErrorCode::io: return 503;
    default: return 500;
  }
}

server::HttpResponse with_headers(server::HttpResponse response) {
  for (const auto& h : kSecurityHeaders) response.headers.push_back(h);
  return response;
}

server::HttpResponse json_response(int status, const Json& body) {
  server::HttpResponse r;
  r.status = status;
  r.content_type = "application/json; charset=utf-8";
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return with_headers(std::move(r));
}

server::HttpResponse error_response(const Status& status, Language language, Json extra = Json::object(),
                                    int http = 0, std::string rejection = {}) {
  Json body = extra.is_object() ? extra : Json::object();
  body["error"] = {{"code", error_code_name(status.code())}, {"message", status.message_in(language)}};
  server::HttpResponse r = json_response(http != 0 ? http : http_status(status.code()), body);
  r.rejection = std::move(rejection);
  return r;
}

// The page a browser gets without its session: plain text, no script.
server::HttpResponse refusal_page(const Message& message, std::string rejection) {
  server::HttpResponse r;
  r.status = 403;
  r.content_type = "text/html; charset=utf-8";
  r.body = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Amana</title><main><h1>Amana</h1><p>" +
           message.in(Language::en) + "</p><p lang=\"ar\" dir=\"rtl\">" + message.in(Language::ar) + "</p></main></html>";
  r.rejection = std::move(rejection);
  return with_headers(std::move(r));
}

}  // namespace

std::string wipe_word(Language language) { return language == Language::ar ? "امسح" : "WIPE"; }

struct UiApp::State {
  const forms::FormPack& pack;
  UiOptions options;
  std::vector<EmbeddedFile> files = web_files();

  std::atomic<std::uint16_t> port{0};
  const std::string launch_key = random_token();

  // Session and activity: under `session_mutex`, short holds only.
  mutable std::mutex session_mutex;
  bool key_spent = false;
  std::string session_token;
  std::string csrf_token;
  std::int64_t last_activity_ms = 0;
  struct SyncProgress {
    bool running = false;
    bool done = false;
    std::vector<std::string> lines;
    std::string error;
    std::string error_code;
    Json report;
  } sync;

  // The Store, owned here: `store_mutex` is held for the whole of every use.
  std::timed_mutex store_mutex;
  std::optional<Store> store;
  std::atomic<bool> store_open{false};
  std::thread sync_thread;

  // The records search's index (Store::search_records), built after each unlock in steps
  // of `options.search_build_step` records on a thread of its own, which holds the Store
  // for one step at a time (tens of milliseconds); a request meanwhile waits for the
  // step to end. Under `build_mutex`: whether a build is asked for, and the stop.
  std::mutex build_mutex;
  std::condition_variable build_wanted_changed;
  bool build_wanted = false;
  bool build_stop = false;
  std::thread build_thread;

  void build_loop() {
    std::unique_lock wait(build_mutex);
    while (true) {
      build_wanted_changed.wait(wait, [this] { return build_stop || build_wanted; });
      if (build_stop) return;
      build_wanted = false;
      wait.unlock();
      while (true) {
        bool more = false;
        {
          std::lock_guard store_lock(store_mutex);
          if (store) {
            auto complete = store->build_search_index(options.search_build_step);
            // An error leaves the index to the first search, which reports it.
            more = complete.ok() && !*complete;
          }
        }
        if (!more) break;
        {
          std::lock_guard lock(build_mutex);
          if (build_stop) return;
        }
        std::this_thread::sleep_for(kBuildPause);
      }
      wait.lock();
    }
  }
  void want_build() {
    if (options.search_build_step == 0) return;
    std::lock_guard lock(build_mutex);
    build_wanted = true;
    build_wanted_changed.notify_one();
  }

  State(const forms::FormPack& p, UiOptions o) : pack(p), options(std::move(o)) {}

  bool host_ok(std::string_view host) const {
    const std::string p = std::to_string(port.load());
    return port.load() != 0 && (host == "127.0.0.1:" + p || host == "localhost:" + p);
  }
  bool origin_ok(std::string_view origin) const {
    const std::string p = std::to_string(port.load());
    return origin == "http://127.0.0.1:" + p || origin == "http://localhost:" + p;
  }
  bool has_session(const server::HttpRequest& request) const {
    const std::string presented = cookie_value(request.header("cookie"), kCookie);
    std::lock_guard lock(session_mutex);
    return same_token(presented, session_token);
  }
  void touch() {
    std::lock_guard lock(session_mutex);
    last_activity_ms = options.clock();
  }

  server::HttpResponse serve(const server::HttpRequest& request);
  server::HttpResponse root(const server::HttpRequest& request, const std::map<std::string, std::string, std::less<>>& query);
  server::HttpResponse api(const server::HttpRequest& request, const std::string& path,
                           const std::map<std::string, std::string, std::less<>>& query, Language language);
  server::HttpResponse start_sync(Language language);
  Json sync_json();
};

server::HttpResponse UiApp::State::serve(const server::HttpRequest& request) {
  if (!host_ok(request.header("host"))) {
    return refusal_page(Message("ui.wrong_host", {{"host", std::string(request.header("host").substr(0, 100))}}),
                        "wrong_host");
  }
  const std::string_view origin = request.header("origin");
  const bool write = request.method != "GET" && request.method != "HEAD";
  if ((!origin.empty() || write) && !origin_ok(origin)) {
    return error_response(Status(ErrorCode::permission_denied,
                                 Message("ui.wrong_origin", {{"origin", std::string(origin.substr(0, 100))}})),
                          Language::en, {}, 403, "wrong_origin");
  }
  // A browser says when a request crosses sites; such a request is never the page's own.
  if (const std::string_view site = request.header("sec-fetch-site"); site == "cross-site" || site == "same-site") {
    return error_response(Status(ErrorCode::permission_denied, Message("ui.wrong_origin", {{"origin", std::string(site)}})),
                          Language::en, {}, 403, "wrong_origin");
  }
  const std::size_t question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  const auto query = parse_query(question == std::string::npos ? std::string_view() : std::string_view(request.target).substr(question + 1));
  if (path == "/") return root(request, query);
  if (!has_session(request)) {
    if (path.rfind("/api/", 0) == 0) {
      return error_response(Status(ErrorCode::permission_denied, Message("ui.no_session")), Language::en, {}, 403,
                            "no_session");
    }
    return refusal_page(Message("ui.no_session"), "no_session");
  }
  const Language language = request.header("x-amana-lang") == "ar" ? Language::ar : Language::en;
  if (path.rfind("/app/", 0) == 0 && request.method == "GET") {
    const std::string name = path.substr(5);
    for (const EmbeddedFile& f : files) {
      if (f.name == name) {
        server::HttpResponse r;
        r.content_type = content_type_of(name);
        r.body = std::string(f.contents);
        return with_headers(std::move(r));
      }
    }
  }
  if (path.rfind("/api/", 0) == 0) {
    if (write) {
      std::string expected;
      {
        std::lock_guard lock(session_mutex);
        expected = csrf_token;
      }
      if (!same_token(request.header("x-amana-csrf"), expected)) {
        return error_response(Status(ErrorCode::permission_denied, Message("ui.missing_csrf")), language, {}, 403,
                              "missing_csrf");
      }
    }
    return api(request, path, query, language);
  }
  return error_response(not_found(Message("ui.no_such_page")), language);
}

server::HttpResponse UiApp::State::root(const server::HttpRequest& request,
                                        const std::map<std::string, std::string, std::less<>>& query) {
  if (request.method != "GET") return error_response(not_found(Message("ui.no_such_page")), Language::en);
  if (auto k = query.find("k"); k != query.end()) {
    std::unique_lock lock(session_mutex);
    if (!key_spent && same_token(k->second, launch_key)) {
      key_spent = true;
      session_token = random_token();
      csrf_token = random_token();
      last_activity_ms = options.clock();
      server::HttpResponse r;
      r.status = 303;
      r.content_type = "text/plain; charset=utf-8";
      r.headers.emplace_back("Location", "/");
      r.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + session_token +
                                               "; HttpOnly; SameSite=Strict; Path=/");
      return with_headers(std::move(r));
    }
    lock.unlock();
    if (!has_session(request)) return refusal_page(Message("ui.key_spent"), "key_spent");
    server::HttpResponse r;
    r.status = 303;
    r.headers.emplace_back("Location", "/");
    return with_headers(std::move(r));
  }
  if (!has_session(request)) return refusal_page(Message("ui.no_session"), "no_session");
  for (const EmbeddedFile& f : files) {
    if (f.name == "index.html") {
      server::HttpResponse r;
      r.content_type = content_type_of(f.name);
      r.body = std::string(f.contents);
      return with_headers(std::move(r));
    }
  }
  return error_response(not_found(Message("ui.no_such_page")), Language::en);
}

Json UiApp::State::sync_json() {
  std::lock_guard lock(session_mutex);
  Json out{{"running", sync.running}, {"done", sync.done}, {"lines", sync.lines}};
  if (!sync.error.empty()) out["error"] = {{"code", sync.error_code}, {"message", sync.error}};
  if (!sync.report.is_null()) out["report"] = sync.report;
  return out;
}

server::HttpResponse UiApp::State::start_sync(Language language) {
  {
    std::lock_guard lock(session_mutex);
    if (sync.running) return error_response(invalid_argument(Message("ui.sync_running")), language, {}, 409);
    if (!store_open) return error_response(Status(ErrorCode::locked_out, Message("ui.locked")), language);
    sync = SyncProgress{};
    sync.running = true;
  }
  if (sync_thread.joinable()) sync_thread.join();
  sync_thread = std::thread([this, language] {
    std::lock_guard store_lock(store_mutex);
    auto progress = [this](const std::string& line) {
      std::lock_guard lock(session_mutex);
      if (sync.lines.size() < kMaxSyncLines) sync.lines.push_back(line);
    };
    Status status;
    Json report;
    if (!store) {
      status = Status(ErrorCode::locked_out, Message("ui.locked"));
    } else {
      SyncOptions sync_options;
      sync_options.server_url = options.server_url;
      sync_options.progress = progress;
      auto done = sync_device(*store, sync_options);
      if (done.ok()) {
        auto after = store->status();
        report = {{"sent", done->changesets_sent},
                  {"acknowledged", done->changesets_acknowledged},
                  {"received", done->changes_received},
                  {"removed", done->cases_removed},
                  {"refused", done->refused.size() + done->refused_unlisted},
                  {"pending", after.ok() ? after->pending_operations : 0}};
      } else {
        status = done.status();
        // A revoked device has wiped itself: nothing is left to use.
        if (status.code() == ErrorCode::revoked) {
          store.reset();
          store_open = false;
        }
      }
    }
    std::lock_guard lock(session_mutex);
    sync.running = false;
    sync.done = true;
    sync.report = report;
    if (!status.ok()) {
      sync.error = status.message_in(language);
      sync.error_code = std::string(error_code_name(status.code()));
    }
  });
  return json_response(202, sync_json());
}

server::HttpResponse UiApp::State::api(const server::HttpRequest& request, const std::string& path,
                                       const std::map<std::string, std::string, std::less<>>& query, Language language) {
  const bool get = request.method == "GET";
  Json body = Json::object();
  if (!get && !request.body.empty()) {
    body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return error_response(invalid_argument(Message("ui.bad_request", {{"detail", "the body must be a JSON object"}})),
                            language, {}, 400);
    }
  }
  if (path == "/api/session" && get) {
    std::lock_guard lock(session_mutex);
    return json_response(200, {{"csrf", csrf_token},
                               {"unlocked", store_open.load()},
                               {"idle_lock_seconds", options.idle_lock.count() / 1000},
                               {"wipe_word", wipe_word(language)},
                               {"syncing", sync.running}});
  }
  if (path == "/api/sync" && get) return json_response(200, sync_json());
  touch();
  if (path == "/api/sync" && !get) return start_sync(language);
  bool sync_running;
  {
    std::lock_guard lock(session_mutex);
    sync_running = sync.running;
  }
  if (sync_running) return error_response(invalid_argument(Message("ui.sync_running")), language, {}, 409);
  std::unique_lock store_lock(store_mutex, std::defer_lock);
  if (!store_lock.try_lock_for(kStoreWait)) {
    return error_response(invalid_argument(Message("ui.sync_running")), language, {}, 409);
  }

  if (path == "/api/unlock" && !get) {
    const std::string passphrase = body.value("passphrase", std::string());
    if (!Store::exists(options.home)) {
      return error_response(not_found(Message("ui.no_store", {{"home", options.home.string()}})), language);
    }
    store.reset();
    store_open = false;
    auto opened = Store::open(options.home, passphrase, options.store);
    if (!opened.ok()) return error_response(opened.status(), language);
    store.emplace(std::move(*opened));
    store_open = true;
    touch();
    want_build();
    return json_response(200, {{"unlocked", true}, {"user", store->user()}});
  }
  if (path == "/api/lock" && !get) {
    store.reset();
    store_open = false;
    return json_response(200, {{"unlocked", false}});
  }
  if (path == "/api/wipe" && !get) {
    const std::string confirm = body.value("confirm", std::string());
    if (confirm != wipe_word(Language::en) && confirm != wipe_word(Language::ar)) {
      return error_response(invalid_argument(Message("ui.wipe_confirm", {{"word", wipe_word(language)}})), language);
    }
    Status wiped = store ? store->wipe_self() : Store::wipe(options.home);
    store.reset();
    store_open = false;
    if (!wiped.ok()) return error_response(wiped, language);
    return json_response(200, {{"wiped", true}, {"message", Message("ui.wiped").in(language)}});
  }
  if (!store) return error_response(Status(ErrorCode::locked_out, Message("ui.locked")), language, {}, 423);
  // Bundles are sync by USB stick: allowed past the offline lease, like sync.
  if ((path == "/api/bundle/export" || path == "/api/bundle/import") && !get) {
    const std::string file = body.value("file", std::string());
    if (file.empty()) return error_response(invalid_argument(Message("ui.bundle_file")), language);
    if (path == "/api/bundle/export") {
      auto written = export_bundle(*store, file);
      if (!written.ok()) return error_response(written.status(), language);
      return json_response(200, {{"changesets", *written}, {"file", file}});
    }
    auto acknowledged = import_bundle(*store, file);
    if (!acknowledged.ok()) {
      if (acknowledged.status().code() == ErrorCode::revoked) {
        store.reset();
        store_open = false;
      }
      return error_response(acknowledged.status(), language);
    }
    auto after = store->status();
    return json_response(200, {{"acknowledged", *acknowledged}, {"pending", after.ok() ? after->pending_operations : 0}});
  }
  // Past the offline lease only sync (which renews it) and wipe go on.
  if (Status lease = store->check_offline_lease(); !lease.ok()) return error_response(lease, language);
  ApiCall call{request.method, path, query, body, language};
  ApiReply reply = Api(*store, pack).call(call);
  if (!reply.status.ok()) return error_response(reply.status, language, reply.body);
  return json_response(200, reply.body);
}

UiApp::UiApp(const forms::FormPack& pack, UiOptions options)
    : state_(std::make_unique<State>(pack, std::move(options))) {
  state_->build_thread = std::thread([state = state_.get()] { state->build_loop(); });
}

UiApp::~UiApp() {
  if (state_->sync_thread.joinable()) state_->sync_thread.join();
  {
    std::lock_guard lock(state_->build_mutex);
    state_->build_stop = true;
    state_->build_wanted_changed.notify_one();
  }
  state_->build_thread.join();
  std::lock_guard lock(state_->store_mutex);
  state_->store.reset();
}

void UiApp::set_port(std::uint16_t port) { state_->port = port; }

std::string UiApp::launch_url() const {
  return "http://127.0.0.1:" + std::to_string(state_->port.load()) + "/?k=" + state_->launch_key;
}

server::HttpResponse UiApp::handle(const server::HttpRequest& request) { return state_->serve(request); }

bool UiApp::lock_if_idle() {
  std::int64_t last;
  {
    std::lock_guard lock(state_->session_mutex);
    if (state_->sync.running) return false;
    last = state_->last_activity_ms;
  }
  if (!state_->store_open || state_->options.clock() - last < state_->options.idle_lock.count()) return false;
  std::unique_lock store_lock(state_->store_mutex, std::try_to_lock);
  if (!store_lock.owns_lock()) return false;
  state_->store.reset();
  state_->store_open = false;
  return true;
}

bool UiApp::unlocked() const { return state_->store_open; }

Store::SearchIndexSize UiApp::search_index_size() {
  std::lock_guard lock(state_->store_mutex);
  return state_->store ? state_->store->search_index_size() : Store::SearchIndexSize{};
}

}  // namespace amana::field::ui
