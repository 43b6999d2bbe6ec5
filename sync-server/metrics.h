// Counters the server exposes at GET /metrics in the Prometheus text format: requests,
// bytes in and out, changesets, records merged, rejections by reason; and gauges, levels
// that go up and down (open connections, bytes of request bodies buffered).
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
  // Sets the gauge `name` (no labels) to `level`.
  void set(const std::string& name, std::uint64_t level);
  // A counter's value, or a gauge's level.
  std::uint64_t value(const std::string& name, const std::string& labels = "") const;
  // Every counter and gauge as Prometheus text exposition, one "# TYPE" line per family.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::uint64_t>> counters_;
  std::map<std::string, std::uint64_t> gauges_;
};

}  // namespace amana::server
