// Where an expression's ${name} is read from: the instances of repeats, and the context
// an expression is evaluated in (answers.h "Repeats").
#include <algorithm>

#include "common/answers.h"
#include "common/answers_internal.h"

namespace amana::forms {
namespace {

using detail::typed_value;

// How many of `chain`'s repeats `scope` fixes: its leading steps, naming them in order.
std::size_t shared_depth(const std::vector<const Group*>& chain, const Scope& scope) {
  std::size_t depth = 0;
  while (depth < chain.size() && depth < scope.size() && chain[depth]->name == scope[depth].repeat) ++depth;
  return depth;
}

Scope leading(const Scope& scope, std::size_t depth) {
  return Scope(scope.begin(), scope.begin() + static_cast<std::ptrdiff_t>(std::min(depth, scope.size())));
}

// Every live instance of chain[from..] within `base`, in order.
void expand(const FormDefinition& form, const std::vector<const Group*>& chain, std::size_t from, const Scope& base,
            const Answers& answers, std::vector<Scope>& out) {
  if (from == chain.size()) {
    out.push_back(base);
    return;
  }
  for (const Scope& inner : instances(form, *chain[from], answers, base)) {
    expand(form, chain, from + 1, inner, answers, out);
  }
}

// The scopes `field`'s nodes are in, seen from `scope`: the one it shares with the field,
// or every instance below it of the repeats it does not fix.
std::vector<Scope> node_scopes(const FormDefinition& form, const std::vector<const Group*>& chain,
                               const Answers& answers, const Scope& scope) {
  const std::size_t depth = shared_depth(chain, scope);
  std::vector<Scope> out;
  expand(form, chain, depth, leading(scope, depth), answers, out);
  return out;
}

// The value of `field` read from `scope` (the first node when it stands for several).
std::optional<expr::Value> value_in(const FormDefinition& form, const Answers& answers, const Field& field,
                                    const Scope& scope) {
  const std::string* answer = detail::answer_in(form, answers, field, scope);
  if (answer == nullptr) return std::nullopt;
  return typed_value(field, *answer);
}

}  // namespace

namespace detail {

const std::string* answer_in(const FormDefinition& form, const Answers& answers, const Field& field,
                             const Scope& scope) {
  const auto chain = form.repeats_of(field);
  Scope at = leading(scope, shared_depth(chain, scope));
  if (at.size() < chain.size()) {
    const auto nodes = node_scopes(form, chain, answers, scope);
    if (nodes.empty()) return nullptr;
    at = nodes.front();
  }
  const auto answer = answers.find(answer_key(field, at));
  return answer == answers.end() ? nullptr : &answer->second;
}

}  // namespace detail

std::string answer_key(const Field& field, const Scope& scope) {
  if (scope.empty()) return field.name;
  return repeat_keys::compose(repeat_keys::Key{scope, field.name});
}

std::vector<Scope> instances(const FormDefinition& /*form*/, const Group& repeat, const Answers& answers,
                             const Scope& parent) {
  std::string prefix = parent.empty() ? std::string() : repeat_keys::compose(repeat_keys::Key{parent, ""}) + "/";
  prefix += repeat.name;
  prefix += '/';
  struct Live {
    std::string_view position, id;
  };
  std::vector<Live> live;
  for (auto it = answers.lower_bound(prefix); it != answers.end() && it->first.starts_with(prefix);) {
    const std::string_view rest = std::string_view(it->first).substr(prefix.size());
    const std::string_view id = rest.substr(0, std::min(rest.size(), repeat_keys::kInstanceIdLength));
    if (rest.size() == id.size() && repeat_keys::is_instance_id(id) && !it->second.empty()) {
      live.push_back({it->second, id});
    }
    // Past this instance's fields in one step: '0' sorts just after '/', their separator.
    const auto next = answers.lower_bound(prefix + std::string(id) + "0");
    it = next != answers.end() && next->first <= it->first ? std::next(it) : next;
  }
  std::sort(live.begin(), live.end(), [](const Live& a, const Live& b) {
    return repeat_keys::position_before(a.position, a.id, b.position, b.id);
  });
  std::vector<Scope> out;
  out.reserve(live.size());
  for (const Live& instance : live) {
    Scope scope = parent;
    scope.push_back({repeat.name, std::string(instance.id)});
    out.push_back(std::move(scope));
  }
  return out;
}

std::vector<Scope> scopes_of(const FormDefinition& form, const Field& field, const Answers& answers) {
  std::vector<Scope> out;
  expand(form, form.repeats_of(field), 0, {}, answers, out);
  return out;
}

expr::Context make_context(const FormDefinition& form, const Answers& answers, const std::string& current,
                           const std::string& today, const Scope& scope) {
  ValidationOptions options;
  options.today = today;
  return make_context(form, answers, current, options, scope);
}

expr::Context make_context(const FormDefinition& form, const Answers& answers, const std::string& current,
                           const ValidationOptions& options, const Scope& scope) {
  expr::Context context;
  context.lookup = [&form, &answers, scope](std::string_view name) -> std::optional<expr::Value> {
    const Field* field = form.find_field(name);
    if (field == nullptr) return std::nullopt;
    return value_in(form, answers, *field, scope);
  };
  context.choice_label = [&form, language = text_language(options)](std::string_view name,
                                                                    std::string_view value) -> std::string {
    const Field* field = form.find_field(name);
    const Choice* choice = field ? field->find_choice(value) : nullptr;
    return choice ? choice->label.in(std::string_view(language)) : std::string();
  };
  context.current = current;
  context.today = options.today;
  context.now = options.now;
  if (form.groups.empty() || std::none_of(form.groups.begin(), form.groups.end(),
                                          [](const Group& group) { return group.repeat; })) {
    return context;  // one node per name, as expr.h has it without repeats
  }
  context.nodes = [&form, &answers, scope](std::string_view name) -> std::vector<expr::Value> {
    std::vector<expr::Value> values;
    if (const Group* repeat = form.find_group(name); repeat != nullptr && repeat->repeat) {
      // Its instances, whichever of them the scope is in: count(${members}) inside a member
      // counts every member, as pyxform's relative path does.
      auto chain = form.repeats_of(*repeat);
      chain.push_back(repeat);
      const std::size_t depth = std::min(shared_depth(chain, scope), chain.size() - 1);
      std::vector<Scope> all;
      expand(form, chain, depth, leading(scope, depth), answers, all);
      values.resize(all.size(), expr::Value(true));
      return values;
    }
    const Field* field = form.find_field(name);
    if (field == nullptr) return values;
    for (const Scope& at : node_scopes(form, form.repeats_of(*field), answers, scope)) {
      values.push_back(value_in(form, answers, *field, at).value_or(expr::Value()));
    }
    return values;
  };
  context.indexed = [&form, &answers, scope](std::string_view name,
                                             const std::vector<std::pair<std::string, double>>& path)
      -> std::optional<expr::Value> {
    const Field* field = form.find_field(name);
    const Group* first = path.empty() ? nullptr : form.find_group(path.front().first);
    if (field == nullptr || first == nullptr) return std::nullopt;
    const auto outer = form.repeats_of(*first);
    const auto enclosing = node_scopes(form, outer, answers, scope);
    if (enclosing.empty()) return std::nullopt;
    Scope at = enclosing.front();
    for (const auto& [repeat_name, n] : path) {
      const Group* repeat = form.find_group(repeat_name);
      if (repeat == nullptr || !repeat->repeat) return std::nullopt;
      const auto list = instances(form, *repeat, answers, at);
      if (!(n >= 1) || n > static_cast<double>(list.size())) return std::nullopt;
      at = list[static_cast<std::size_t>(n) - 1];
    }
    return value_in(form, answers, *field, at);
  };
  context.position = [&form, &answers, scope]() -> double {
    if (scope.empty()) return 1;
    const Group* repeat = form.find_group(scope.back().repeat);
    if (repeat == nullptr) return 1;
    const auto list = instances(form, *repeat, answers, leading(scope, scope.size() - 1));
    const auto it = std::find(list.begin(), list.end(), scope);
    return it == list.end() ? 1.0 : static_cast<double>(it - list.begin() + 1);
  };
  return context;
}

}  // namespace amana::forms
