#pragma once
// Message templates with {{name}} placeholders, for customer confirmations.
// The names a template may use are fixed; check() finds unknown ones at
// load time so that a typo is a config error, not a silent blank.
#include <map>
#include <string>
#include <vector>

namespace sb::notify {

using TemplateVars = std::map<std::string, std::string>;

// Placeholders in `text` that are not in `known`, in order of appearance.
std::vector<std::string> unknown_placeholders(const std::string& text, const std::vector<std::string>& known);
// Replaces each {{name}} (spaces inside the braces allowed) by vars[name];
// an unknown name renders empty.
std::string render(const std::string& text, const TemplateVars& vars);

}  // namespace sb::notify
