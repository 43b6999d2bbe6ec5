#include "sync-server/metrics.h"

#include <sstream>

namespace amana::server {

void Metrics::add(const std::string& name, const std::string& labels, std::uint64_t amount) {
  std::lock_guard lock(mutex_);
  counters_[name][labels] += amount;
}

void Metrics::set(const std::string& name, std::uint64_t level) {
  std::lock_guard lock(mutex_);
  gauges_[name] = level;
}

std::uint64_t Metrics::value(const std::string& name, const std::string& labels) const {
  std::lock_guard lock(mutex_);
  if (auto gauge = gauges_.find(name); gauge != gauges_.end() && labels.empty()) return gauge->second;
  auto family = counters_.find(name);
  if (family == counters_.end()) return 0;
  auto series = family->second.find(labels);
  return series == family->second.end() ? 0 : series->second;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  for (const auto& [name, series] : counters_) {
    out << "# TYPE " << name << " counter\n";
    for (const auto& [labels, count] : series) {
      out << name;
      if (!labels.empty()) out << '{' << labels << '}';
      out << ' ' << count << '\n';
    }
  }
  for (const auto& [name, level] : gauges_) out << "# TYPE " << name << " gauge\n" << name << ' ' << level << '\n';
  return out.str();
}

}  // namespace amana::server
