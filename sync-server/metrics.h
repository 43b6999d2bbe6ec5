// Counters the server exposes at GET /metrics in the Prometheus text format: requests,
// bytes in and out, changesets, records merged, rejections by reason.
//
// Thread safety: every method may be called from any thread at once.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace amana::server {

class Metrics {
 public:
  // Adds `amount` to the counter `name` with the label set `labels` (already formatted as
  // Prometheus labels, e.g. R"(route="/v1/push",status="200")", or empty).
  void add(const std::string& name, const std::string& labels = "", std::uint64_t amount = 1);
  std::uint64_t value(const std::string& name, const std::string& labels = "") const;
  // Every counter as Prometheus text exposition, one "# TYPE name counter" per family.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::uint64_t>> counters_;
};

}  // namespace amana::server
