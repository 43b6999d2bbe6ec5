#include "tools/bench_fleet.h"

#include <sys/socket.h>
#include <zlib.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>

#include "common/files.h"
#include "field-client/collect.h"
#include "field-client/sync_client.h"
#include "sync-server/admin.h"

namespace amana::bench {

namespace fs = std::filesystem;

void fail(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  std::exit(1);
}

void must(const Status& status) {
  if (!status.ok()) fail(status);
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

std::string this_month_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m", &utc);
  return buffer;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

std::uint64_t peak_rss_kib(int pid) {
  std::ifstream status(pid == 0 ? std::string("/proc/self/status") : "/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

namespace {

const char* const kWords[] = {"queue", "long", "staff", "respectful", "distribution", "late", "water", "children",
                              "market", "prices", "rent", "medicine", "clinic", "far", "walk", "safe", "night",
                              "women", "elderly", "help", "cash", "enough", "family", "school", "fees", "thanks",
                              "firewood", "threats", "neighbour", "shelter", "documents", "police", "checkpoint",
                              "rain", "latrines", "lighting", "harassment", "youth", "disability", "widow"};
const char* const kNames[] = {"Amira", "Fatima", "Halima", "Zeinab", "Mariam", "Khadija", "Aisha", "Hawa",
                              "Mohamed", "Adam", "Ibrahim", "Yousif", "Abdallah", "Osman", "Hassan", "Ali"};

std::size_t word_count(const std::string& text) {
  std::istringstream in(text);
  std::size_t count = 0;
  for (std::string word; in >> word;) ++count;
  return count;
}

}  // namespace

AnswerSource::AnswerSource(const forms::FormPack& pack, const fs::path& examples, std::uint32_t seed)
    : pack_(pack), random_(seed) {
  const forms::ValidationOptions validation{forms::Language::en, local_date(system_wall_clock()())};
  for (const char* id : kFieldForms) {
    const forms::FormDefinition& definition = form(id);
    examples_.emplace_back(id, must(field::answers_from_file(definition, examples / (std::string(id) + ".answers.json"),
                                                             validation)));
  }
}

const forms::FormDefinition& AnswerSource::form(std::string_view id) const { return *must(pack_.find(id)); }

forms::Answers AnswerSource::next(const forms::FormDefinition& form) {
  const forms::Answers* base = nullptr;
  for (const auto& [id, answers] : examples_) {
    if (id == form.id) base = &answers;
  }
  if (!base) fail(Status(ErrorCode::not_found, "no example answers for " + form.id));
  auto pick = [&](int low, int high) { return std::uniform_int_distribution<int>(low, std::max(low, high))(random_); };
  const forms::ValidationOptions validation{forms::Language::en, "2026-11-23"};
  // A varied value can break a constraint or a skip rule: draw again, and keep the
  // example itself if twenty draws in a row fail (rare; it keeps the loop bounded).
  for (int attempt = 0; attempt < 20; ++attempt) {
    forms::Answers raw = *base;
    for (auto& [name, value] : raw) {
      const forms::Field* field = form.find_field(name);
      if (!field) continue;
      switch (field->type) {
        case forms::FieldType::text:
          if (name.find("name") != std::string::npos) {
            value = std::string(kNames[pick(0, 15)]) + " " + kNames[pick(0, 15)] + " " + kNames[pick(0, 15)];
          } else if (name.find("phone") != std::string::npos) {
            value = "+249 9" + std::to_string(pick(10, 99)) + " " + std::to_string(pick(100, 999)) + " " +
                    std::to_string(pick(100, 999));
          } else if (name.find("site") != std::string::npos || name.find("location") != std::string::npos) {
            value = "Um Dukhun, block " + std::string(1, static_cast<char>('A' + pick(0, 25))) + " " +
                    std::to_string(pick(1, 40));
          } else {
            const auto words = static_cast<int>(word_count(value));
            std::string text;
            for (int i = pick(std::max(3, words / 2), words * 3 / 2 + 1); i > 0; --i) {
              text += std::string(kWords[pick(0, 39)]) + (i > 1 ? " " : ".");
            }
            value = text;
          }
          break;
        case forms::FieldType::integer: {
          const int example = std::stoi(value);
          value = std::to_string(pick(example / 2, example + example / 2 + 1));
          break;
        }
        case forms::FieldType::date: {
          char date[11];
          std::snprintf(date, sizeof date, "2026-%02d-%02d", pick(1, 10), pick(1, 28));
          value = date;
          break;
        }
        case forms::FieldType::select_one:
          if (name.find("consent") == std::string::npos && !field->choices.empty()) {
            value = field->choices[static_cast<std::size_t>(pick(0, static_cast<int>(field->choices.size()) - 1))].name;
          }
          break;
        case forms::FieldType::select_multiple: {
          std::string chosen;
          for (const forms::Choice& choice : field->choices) {
            if (pick(0, 2) == 0) chosen += (chosen.empty() ? "" : " ") + choice.name;
          }
          if (!chosen.empty()) value = chosen;
          break;
        }
        case forms::FieldType::geopoint: {
          char point[48];
          std::snprintf(point, sizeof point, "%.4f %.4f", 11.2 + pick(0, 999) / 10000.0, 22.9 + pick(0, 999) / 10000.0);
          value = point;
          break;
        }
        default:
          break;
      }
    }
    std::set<std::string, std::less<>> given;
    for (const auto& [name, value] : raw) given.insert(name);
    auto validated = forms::validate_submission(form, raw, given, validation);
    if (validated.ok()) return std::move(validated).value();
  }
  return *base;
}

namespace {

std::string gzip(const std::string& data) {
  z_stream stream{};
  // 15 + 16: a gzip wrapper, as `Content-Encoding: gzip` carries; level 6 is gzip's default.
  if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string openrosa_xml(const forms::FormDefinition& form, const forms::Answers& answers) {
  std::string xml = "<?xml version='1.0' ?><data id=\"" + form.id + "\" version=\"" + std::to_string(form.version) +
                    "\" xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\">";
  for (const forms::Field& field : form.fields) {
    auto answer = answers.find(field.name);
    if (field.type == forms::FieldType::note || answer == answers.end()) {
      xml += "<" + field.name + "/>";
      continue;
    }
    std::string value = answer->second;
    // ODK has no boolean type (a yes/no select_one) and a geopoint carries altitude and accuracy.
    if (field.type == forms::FieldType::boolean) value = value == "true" ? "yes" : "no";
    if (field.type == forms::FieldType::geopoint) value += " 0.0 5.0";
    xml += "<" + field.name + ">" + value + "</" + field.name + ">";
  }
  xml += "<meta><instanceID>uuid:" + new_record_id(0).to_string() + "</instanceID></meta></data>";
  return xml;
}

// What ODK Collect (okhttp) sends to ODK Central, one submission per POST. The token and
// device id are placeholders of the real lengths.
std::string openrosa_request(const std::string& body, bool gzipped) {
  return "POST /v1/key/" + std::string(64, 'k') + "/projects/1/submission?deviceID=collect%3A" + std::string(16, 'd') +
         " HTTP/1.1\r\nX-OpenRosa-Version: 1.0\r\nDate: Tue, 01 Dec 2026 07:30:00 GMT+00:00\r\n"
         "Content-Type: multipart/form-data; boundary=" + std::string(36, 'b') +
         "\r\n" + (gzipped ? "Content-Encoding: gzip\r\n" : "") + "Content-Length: " + std::to_string(body.size()) +
         "\r\nHost: 127.0.0.1:8383\r\nConnection: Keep-Alive\r\nAccept-Encoding: gzip\r\n"
         "User-Agent: org.odk.collect.android/v2024.2.4 okhttp/4.11.0 Dalvik/2.1.0 (Linux; U; Android 13)\r\n\r\n" +
         body;
}

const std::string& openrosa_response() {
  static const std::string body =
      "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\" items=\"0\"><message nature=\"\">full "
      "submission upload was successful!</message></OpenRosaResponse>";
  static const std::string response =
      "HTTP/1.1 201 Created\r\nServer: nginx\r\nDate: Tue, 01 Dec 2026 07:30:00 GMT\r\nContent-Type: text/xml; "
      "charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: keep-alive\r\nX-OpenRosa-Version: 1.0\r\n\r\n" + body;
  return response;
}

}  // namespace

OpenRosaBytes openrosa_submission(const forms::FormDefinition& form, const forms::Answers& answers) {
  const std::string xml = openrosa_xml(form, answers);
  const std::string boundary(36, 'b');
  const std::string body = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; "
                           "filename=\"xml_submission_file.xml\"\r\nContent-Type: text/xml\r\nContent-Length: " +
                           std::to_string(xml.size()) + "\r\n\r\n" + xml + "\r\n--" + boundary + "--\r\n";
  return {xml.size(), openrosa_request(body, false).size() + openrosa_response().size(),
          openrosa_request(gzip(body), true).size() + openrosa_response().size()};
}

// ---- CountingProxy

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct CountingProxy::State {
  net::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(net::ip::address_v4::loopback(), 0)};
  std::thread accepting;
  std::mutex mutex;
  std::vector<std::shared_ptr<tcp::socket>> sockets;
  std::vector<std::thread> pumps;
};

namespace {

void pump(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to, std::atomic<std::uint64_t>& count) {
  std::vector<char> buffer(64 * 1024);
  boost::system::error_code ec;
  for (;;) {
    const std::size_t n = from->read_some(net::buffer(buffer), ec);
    if (ec) break;
    count += n;
    net::write(*to, net::buffer(buffer.data(), n), ec);
    if (ec) break;
  }
  ::shutdown(to->native_handle(), SHUT_WR);
}

}  // namespace

CountingProxy::CountingProxy(std::uint16_t upstream_port) : state_(std::make_unique<State>()) {
  port_ = state_->acceptor.local_endpoint().port();
  state_->accepting = std::thread([this, upstream_port] {
    for (;;) {
      auto client = std::make_shared<tcp::socket>(state_->io);
      boost::system::error_code ec;
      state_->acceptor.accept(*client, ec);
      if (ec) return;  // shut down by the destructor
      auto upstream = std::make_shared<tcp::socket>(state_->io);
      upstream->connect(tcp::endpoint(net::ip::address_v4::loopback(), upstream_port), ec);
      if (ec) continue;
      std::lock_guard lock(state_->mutex);
      state_->sockets.push_back(client);
      state_->sockets.push_back(upstream);
      state_->pumps.emplace_back(pump, client, upstream, std::ref(up_));
      state_->pumps.emplace_back(pump, upstream, client, std::ref(down_));
    }
  });
}

CountingProxy::~CountingProxy() {
  // shutdown(2) wakes a thread blocked in accept or read on Linux; close alone does not.
  ::shutdown(state_->acceptor.native_handle(), SHUT_RDWR);
  state_->accepting.join();
  std::lock_guard lock(state_->mutex);
  for (auto& socket : state_->sockets) ::shutdown(socket->native_handle(), SHUT_RDWR);
  for (auto& thread : state_->pumps) thread.join();
}

// ---- Fleet

Fleet::Fleet(const fs::path& where) : dir(where) {
  must(server::init_server(dir / "server", kOperatorPassphrase, kBenchKdf));
  store = must(server::open_server_store(dir / "server"));
  keys = must(server::unlock_org_keys(*store, kOperatorPassphrase));
  must(store->add_user({"bench", server::Role::assistant, "bench"}));
  service = std::make_unique<server::SyncService>(*store, keys, metrics);
  server::HttpOptions options;
  options.listen = "127.0.0.1:0";
  options.threads = 2;
  options.handler_threads = 4;
  options.log_requests = false;
  http = must(server::HttpServer::start(
      options, [this](const server::HttpRequest& r) { return service->handle(r); }, metrics));
  url = "http://127.0.0.1:" + std::to_string(http->port());
}

field::Store Fleet::enrolled_device(const std::string& name) {
  field::StoreOptions options;
  options.kdf = kBenchKdf;
  auto device = must(field::Store::create(dir / name, kPassphrase, "bench", options));
  const auto code = must(server::issue_enrollment_code(*store, "bench", std::chrono::hours(1), system_wall_clock()()));
  must(field::enroll_device(device, code.code, url).status());
  return device;
}

}  // namespace amana::bench
