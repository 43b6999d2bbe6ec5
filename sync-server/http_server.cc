// The listener, the limits' accounting, and starting and stopping. One connection's life
// is in http_session.cc.
#include "sync-server/http_server.h"

#include <openssl/ssl.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include "common/tls.h"
#include "sync-server/http_server_internal.h"

namespace amana::server {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

Status load_tls(const TlsFiles& files, std::optional<ssl::context>& out) {
  for (const auto& [path, flag] : {std::pair{files.certificate, "--tls-cert"}, std::pair{files.key, "--tls-key"}}) {
    std::error_code ec;
    if (path.empty()) return invalid_argument(std::string(flag) + " is needed too: TLS takes a certificate and its key");
    if (!std::filesystem::exists(path, ec)) return not_found(std::string(flag) + " " + path.string() + ": no such file");
  }
  ssl::context context(ssl::context::tls_server);
  tls::apply_protocol_policy(context);
  beast::error_code ec;
  context.use_certificate_chain_file(files.certificate.string(), ec);
  if (ec) {
    return invalid_argument("--tls-cert " + files.certificate.string() + ": not a PEM certificate (" + ec.message() +
                            ")");
  }
  context.use_private_key_file(files.key.string(), ssl::context::pem, ec);
  if (ec) return invalid_argument("--tls-key " + files.key.string() + ": not a PEM private key (" + ec.message() + ")");
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    return invalid_argument("--tls-key " + files.key.string() + " is not the key of the certificate in " +
                            files.certificate.string());
  }
  out.emplace(std::move(context));
  return Status();
}

}  // namespace

void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);  // best effort: the default soft limit still serves
}

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (boost::beast::iequals(key, boost::beast::string_view(name.data(), name.size()))) return value;
  }
  return {};
}

std::string route_label(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  for (std::string_view known : {"/healthz", "/metrics", "/v1/org-keys", "/v1/nonce", "/v1/enroll", "/v1/push",
                                 "/v1/pull", "/v1/dataset"}) {
    if (path == known) return std::string(known);
  }
  return "other";
}

std::string address_key(const net::ip::address& address) {
  if (address.is_v4()) return address.to_string();
  const net::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return net::ip::make_address_v4(net::ip::v4_mapped, v6).to_string();
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return net::ip::address_v6(bytes).to_string() + "/64";
}

std::optional<std::string> HttpServer::Impl::admit(const std::string& address) {
  std::lock_guard lock(load_mutex);
  if (open_connections >= options.max_connections) return "too_many_connections";
  AddressLoad& mine = load[address];
  if (mine.connections >= options.max_connections_per_address) {
    if (mine.connections == 0 && mine.buffered_bytes == 0) load.erase(address);
    return "too_many_connections_from_address";
  }
  ++mine.connections;
  ++open_connections;
  publish_load();
  return std::nullopt;
}

void HttpServer::Impl::release_connection(const std::string& address) {
  std::lock_guard lock(load_mutex);
  AddressLoad& mine = load[address];
  --mine.connections;
  --open_connections;
  if (mine.connections == 0 && mine.buffered_bytes == 0) load.erase(address);
  publish_load();
}

std::optional<std::string> HttpServer::Impl::reserve_body(const std::string& address, std::size_t bytes) {
  std::lock_guard lock(load_mutex);
  AddressLoad& mine = load[address];
  // Checked per address first: one address past its share is told so, and is counted as
  // such, even while the whole budget still has room.
  if (bytes > options.max_buffered_body_bytes_per_address - std::min(mine.buffered_bytes, options.max_buffered_body_bytes_per_address)) {
    return "buffers_full_for_address";
  }
  if (bytes > options.max_buffered_body_bytes - std::min(buffered_bytes, options.max_buffered_body_bytes)) {
    return "buffers_full";
  }
  mine.buffered_bytes += bytes;
  buffered_bytes += bytes;
  buffered_bytes_peak = std::max(buffered_bytes_peak, buffered_bytes);
  publish_load();
  return std::nullopt;
}

void HttpServer::Impl::release_body(const std::string& address, std::size_t bytes) {
  std::lock_guard lock(load_mutex);
  AddressLoad& mine = load[address];
  mine.buffered_bytes -= bytes;
  buffered_bytes -= bytes;
  if (mine.connections == 0 && mine.buffered_bytes == 0) load.erase(address);
  publish_load();
}

void HttpServer::Impl::publish_load() {
  metrics->set("amana_http_open_connections", open_connections);
  metrics->set("amana_http_buffered_body_bytes", buffered_bytes);
  metrics->set("amana_http_buffered_body_bytes_peak", buffered_bytes_peak);
}

namespace {

// Errors that a new attempt meets again until some connection closes.
bool exhausted(const beast::error_code& ec) {
  return ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory ||
         ec == beast::error_code(ENFILE, beast::system_category());
}

}  // namespace

void HttpServer::Impl::accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;  // stopping
    if (ec) {
      metrics->add("amana_http_accept_errors_total");
      if (exhausted(ec)) {
        accept_backoff = std::min(std::chrono::milliseconds(1000), std::max(std::chrono::milliseconds(10), accept_backoff * 2));
        accept_pause.expires_after(accept_backoff);
        accept_pause.async_wait([this](beast::error_code waited) {
          if (!waited && acceptor.is_open()) accept();
        });
        return;
      }
    }
    if (!ec) {
      accept_backoff = std::chrono::milliseconds(0);
      metrics->add("amana_http_connections_total");
      beast::error_code peer_ec;
      const auto peer = socket.remote_endpoint(peer_ec);
      std::string address = peer_ec ? std::string("unknown") : address_key(peer.address());
      if (auto refused = admit(address)) {
        count_rejection(*refused);
        beast::error_code ignored;
        if (!tls) {
          // Tell the client why before closing, so that it backs off rather than retrying
          // blind. The write is non-blocking: a fresh socket's send buffer takes these
          // few bytes at once, and a client that does not read cannot hold up the
          // acceptor. Over TLS there is nothing to say before a handshake, which a
          // refused client does not get: it sees the connection close.
          const std::string busy = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                   "Retry-After: " + std::to_string(options.retry_after.count()) +
                                   "\r\nContent-Length: 20\r\nConnection: close\r\n\r\nserver is too busy\r\n";
          socket.non_blocking(true, ignored);
          socket.write_some(net::buffer(busy), ignored);
        }
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        socket.close(ignored);
      } else {
        start_session(std::move(socket), *this, std::move(address));
      }
    }
    accept();
  });
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpOptions& options, RequestHandler handler,
                                                      std::shared_ptr<Metrics> metrics) {
  const auto colon = options.listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return invalid_argument("--listen '" + options.listen + "': expected HOST:PORT, e.g. 127.0.0.1:8443");
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(options.listen.substr(0, colon), ec);
  if (ec) return invalid_argument("--listen '" + options.listen + "': not an IP address");
  const std::string port_text = options.listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos || std::stoi(port_text) > 65535) {
    return invalid_argument("--listen '" + options.listen + "': the port must be 0-65535");
  }
  if (options.threads < 1 || options.handler_threads < 1) {
    return invalid_argument("--threads must be at least 1");
  }
  if (options.min_transfer_bytes == 0 || options.transfer_window.count() <= 0 ||
      options.max_connections_per_address == 0) {
    return invalid_argument("the transfer floor, its window and the connections per address must be positive");
  }

  raise_open_file_limit();
  auto impl = std::make_unique<Impl>(options, std::move(handler), metrics ? metrics : std::make_shared<Metrics>());
  if (!options.tls.certificate.empty() || !options.tls.key.empty()) {
    AMANA_RETURN_IF_ERROR(load_tls(options.tls, impl->tls));
  }
  const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(std::stoi(port_text)));
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return io_error("cannot listen on " + options.listen + ": " + ec.message());

  {
    std::lock_guard lock(impl->load_mutex);
    impl->publish_load();
  }
  impl->accept();
  for (int i = 0; i < options.threads; ++i) {
    impl->threads.emplace_back([io = &impl->io] { io->run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

std::uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::stop() {
  {
    std::lock_guard lock(impl_->stop_mutex);
    if (impl_->stop_requested) return;
    impl_->stop_requested = true;
  }
  net::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  // Handlers in flight finish first, so that a clean stop never cuts a merge half way.
  impl_->handler_pool.join();
  impl_->io.stop();
  for (std::thread& thread : impl_->threads) thread.join();
  {
    std::lock_guard lock(impl_->stop_mutex);
    impl_->finished = true;
  }
  impl_->finished_signal.notify_all();
}

void HttpServer::wait() {
  std::unique_lock lock(impl_->stop_mutex);
  impl_->finished_signal.wait(lock, [this] { return impl_->finished; });
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

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

}  // namespace amana::server
