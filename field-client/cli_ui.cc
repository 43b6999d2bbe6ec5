// `field-client ui`: the local web screens (field-client/ui_app.h), served on loopback
// until Ctrl-C. The command prints the one-time address and opens it in the default
// browser when there is one.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "common/message_catalogue.h"
#include "field-client/cli_commands.h"
#include "field-client/collect.h"
#include "field-client/ui_app.h"
#include "sync-server/http_server.h"

extern char** environ;

namespace amana::field::cli {
namespace {

// xdg-open (or $BROWSER) with the address; false when there is none or it failed.
bool open_browser(const std::string& url) {
  const char* browser = std::getenv("BROWSER");
  const std::string program = browser && *browser ? browser : "xdg-open";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::string url_copy = url;
  std::string program_copy = program;
  char* argv[] = {program_copy.data(), url_copy.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return false;
  int status = 0;
  // xdg-open hands the address to the browser and returns.
  if (waitpid(pid, &status, 0) < 0) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

Status run_ui(const forms::FormPack& pack, const Arguments& args, int port, bool no_open) {
  // SIGINT and SIGTERM are taken by sigtimedwait below; blocked before any thread starts so
  // that no server thread receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ui::UiOptions options;
  options.home = resolve_home(args.home);
  options.server_url = args.server;
  if (const char* idle = std::getenv("AMANA_UI_IDLE_SECONDS"); idle && *idle) {
    options.idle_lock = std::chrono::seconds(std::max(1, std::atoi(idle)));
  }
  ui::UiApp app(pack, options);
  server::HttpOptions http;
  http.listen = "127.0.0.1:" + std::to_string(port);
  // The Store is single-threaded: one handler thread, and UiApp's mutex besides.
  http.threads = 1;
  http.handler_threads = 1;
  http.max_body_bytes = 1 << 20;
  http.max_connections = 64;
  http.max_connections_per_address = 64;
  http.log_requests = false;  // the first request's address carries the one-time key
  AMANA_ASSIGN_OR_RETURN(auto server, server::HttpServer::start(
                                          http, [&app](const server::HttpRequest& r) { return app.handle(r); },
                                          std::make_shared<server::Metrics>()));
  app.set_port(server->port());
  say(args, Message("ui.listening", {{"url", app.launch_url()}}));
  std::cout << std::flush;
  if (!no_open && !open_browser(app.launch_url())) say(args, Message("ui.open_failed"));
  std::cout << std::flush;
  while (true) {
    const timespec second{1, 0};
    const int signal_number = sigtimedwait(&stop_signals, nullptr, &second);
    if (signal_number == SIGINT || signal_number == SIGTERM) break;
    app.lock_if_idle();
  }
  server->stop();
  return Status::success();
}

}  // namespace amana::field::cli
