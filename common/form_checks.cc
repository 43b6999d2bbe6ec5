#include <algorithm>
#include <map>

#include "common/form.h"
#include "common/form_internal.h"

namespace amana::forms::detail {
namespace {

std::vector<std::string> text_references(const LocalizedText& text) {
  std::vector<std::string> names;
  auto scan = [&](const std::string& s) {
    for (std::size_t at = s.find("${"); at != std::string::npos; at = s.find("${", at + 2)) {
      const std::size_t close = s.find('}', at + 2);
      if (close == std::string::npos) break;
      names.push_back(s.substr(at + 2, close - at - 2));
    }
  };
  scan(text.en);
  scan(text.ar);
  for (const auto& [language, translation] : text.more) scan(translation);
  return names;
}

}  // namespace

// Defaults and choice filters are decided once, when the collector reaches the field, from
// the answers given so far, so they may only look back (a later answer could not change
// them). Relevance and requiredness may look ahead, as in ODK: they are decided again
// whenever the answers change, and a submission is checked in dependency order
// (evaluation_order(), which refuses a cycle), so a question whose relevant looks at a
// later one is asked once that one is answered. Constraints see the whole submission,
// labels show any answer, and calculations may use any field.
Status check_references(const FormDefinition& form) {
  auto position = [&](const std::string& name) -> std::optional<std::size_t> {
    for (std::size_t k = 0; k < form.fields.size(); ++k) {
      if (form.fields[k].name == name) return k;
    }
    return std::nullopt;
  };
  // `values`: the names used as values, where a repeat (which has instances, not a value)
  // is refused.
  auto check_names = [&](const std::vector<std::string>& names, const std::vector<std::string>& values,
                         const std::string& where, std::optional<std::size_t> before,
                         const std::string& owner) -> Status {
    for (const std::string& name : names) {
      const auto at = position(name);
      if (!at) {
        const Group* group = form.find_group(name);
        if (group != nullptr && group->repeat) {
          if (std::find(values.begin(), values.end(), name) == values.end()) continue;
          return invalid_argument(where + "${" + name + "} is a repeat, which has instances, not a value: count(${" +
                                  name + "}) counts them, indexed-repeat(${field}, ${" + name + "}, 1) reads one");
        }
        return invalid_argument(where + "${" + name + "} is " +
                                (group ? "a group, which has no value" : "not a field of this form"));
      }
      if (form.fields[*at].type == FieldType::note) {
        return invalid_argument(where + "${" + name + "} is a note and has no value");
      }
      if (before && *at >= *before) {
        return invalid_argument(where + "${" + name + "} must come before '" + owner + "'");
      }
    }
    return Status();
  };
  auto check_expression = [&](const expr::Expression& expression, const std::string& where,
                              std::optional<std::size_t> before, const std::string& owner) -> Status {
    AMANA_RETURN_IF_ERROR(check_names(expression.references(), expression.value_references(), where, before, owner));
    for (const expr::Expression::IndexedRepeat& call : expression.indexed_repeats()) {
      for (const std::string& repeat : call.repeats) {
        const Group* group = form.find_group(repeat);
        if (group == nullptr || !group->repeat) {
          return invalid_argument(where + "indexed-repeat(): ${" + repeat + "} is not a repeat of this form");
        }
      }
      const Field* field = form.find_field(call.field);
      const auto holders = field ? form.repeats_of(*field) : std::vector<const Group*>{};
      if (std::none_of(holders.begin(), holders.end(), [&](const Group* g) { return g->name == call.repeats.back(); })) {
        return invalid_argument(where + "indexed-repeat(): ${" + call.field + "} is not a field of the repeat '" +
                                call.repeats.back() + "'");
      }
    }
    return Status();
  };
  for (std::size_t i = 0; i < form.fields.size(); ++i) {
    const Field& field = form.fields[i];
    auto check = [&](const std::optional<expr::Expression>& expression, std::string_view what,
                     bool earlier_only) -> Status {
      if (!expression) return Status();
      return check_expression(*expression, "field '" + field.name + "': " + std::string(what) + ": ",
                              earlier_only ? std::optional<std::size_t>(i) : std::nullopt, field.name);
    };
    AMANA_RETURN_IF_ERROR(check(field.relevant, "relevant", false));
    AMANA_RETURN_IF_ERROR(check(field.required_if, "required", false));
    AMANA_RETURN_IF_ERROR(check(field.default_expression, "default_expression", true));
    AMANA_RETURN_IF_ERROR(check(field.choice_filter, "choice_filter", true));
    AMANA_RETURN_IF_ERROR(check(field.constraint, "constraint", false));
    AMANA_RETURN_IF_ERROR(check(field.calculation, "calculation", false));
    for (const auto& [text, what] : {std::pair{&field.label, "label"}, std::pair{&field.hint, "hint"}}) {
      const auto names = text_references(*text);
      AMANA_RETURN_IF_ERROR(
          check_names(names, names, "field '" + field.name + "': " + what + ": ", std::nullopt, field.name));
    }
  }
  // A repeat's count is decided before its first question is asked, so it may only look
  // at questions before it (outside it). A group's relevance, like a field's, may look
  // ahead; one looking inside the group is a cycle (evaluation_order()).
  for (std::size_t g = 0; g < form.groups.size(); ++g) {
    const Group& group = form.groups[g];
    const std::string where = std::string(group.repeat ? "repeat" : "group") + " '" + group.name + "': ";
    std::optional<std::size_t> first;
    for (std::size_t k = 0; k < form.fields.size() && !first; ++k) {
      for (const Group* holder : form.groups_of(form.fields[k])) {
        if (holder == &group) first = k;
      }
    }
    if (group.relevant) {
      AMANA_RETURN_IF_ERROR(check_expression(*group.relevant, where + "relevant: ", std::nullopt, group.name));
    }
    if (group.repeat_count && first) {
      AMANA_RETURN_IF_ERROR(
          check_expression(*group.repeat_count, where + "repeat_count: ", first, "the repeat's first question"));
    }
    const auto names = text_references(group.label);
    AMANA_RETURN_IF_ERROR(check_names(names, names, where + "label: ", std::nullopt, group.name));
  }
  return Status();
}

namespace {

// The fields each field's value depends on: what its calculation uses, and what decides
// whether it is relevant (its own relevance and its groups'), required, defaulted and
// which choices it offers.
std::vector<std::vector<std::size_t>> dependencies(const FormDefinition& form) {
  std::map<std::string_view, std::size_t> index;
  for (std::size_t k = 0; k < form.fields.size(); ++k) index.emplace(form.fields[k].name, k);
  std::vector<std::vector<std::size_t>> edges(form.fields.size());
  for (std::size_t k = 0; k < form.fields.size(); ++k) {
    const Field& field = form.fields[k];
    auto add = [&](const std::optional<expr::Expression>& expression) {
      if (!expression) return;
      for (const std::string& name : expression->references()) {
        if (auto it = index.find(name); it != index.end()) edges[k].push_back(it->second);
      }
    };
    add(field.calculation);
    add(field.relevant);
    add(field.required_if);
    add(field.default_expression);
    add(field.choice_filter);
    for (const Group* group : form.groups_of(field)) add(group->relevant);
  }
  return edges;
}

}  // namespace

// Dependencies first, in form order where nothing looks ahead; a cycle is refused naming
// every field on it, in the order each depends on the next.
Result<std::vector<std::size_t>> evaluation_order(const FormDefinition& form) {
  const auto edges = dependencies(form);
  enum class Mark : std::uint8_t { unseen, open, done };
  std::vector<Mark> marks(form.fields.size(), Mark::unseen);
  std::vector<std::size_t> order;
  order.reserve(form.fields.size());
  std::vector<std::size_t> path;
  // Iterative, so that a long chain of calculations cannot exhaust the stack.
  for (std::size_t root = 0; root < form.fields.size(); ++root) {
    if (marks[root] != Mark::unseen) continue;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{root, 0}};
    marks[root] = Mark::open;
    path.assign(1, root);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < edges[node].size()) {
        const std::size_t to = edges[node][next++];
        if (marks[to] == Mark::open) {
          std::string cycle;
          const auto from = std::find(path.begin(), path.end(), to);
          for (auto it = from; it != path.end(); ++it) cycle += form.fields[*it].name + " -> ";
          cycle += form.fields[to].name;
          return invalid_argument("calculation cycle: " + cycle +
                                  " (each is computed from the next): break the cycle");
        }
        if (marks[to] == Mark::unseen) {
          marks[to] = Mark::open;
          path.push_back(to);
          stack.emplace_back(to, 0);
        }
        continue;
      }
      marks[node] = Mark::done;
      order.push_back(node);
      path.pop_back();
      stack.pop_back();
    }
  }
  return order;
}

}  // namespace amana::forms::detail
