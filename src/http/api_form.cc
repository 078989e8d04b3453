// The public web form: GET /support shows it, POST /support (form-encoded)
// creates a web ticket and answers with a page naming the ticket and the
// expected wait. No token; every value shown is HTML-escaped.
#include <sstream>

#include "http/api.h"
#include "http/api_helpers.h"
#include "http/html.h"
#include "json/json_mapping.h"
#include "notify/mail.h"

namespace sb::http {

using namespace detail;

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// application/x-www-form-urlencoded; the last of a repeated name wins.
std::map<std::string, std::string> parse_form(std::string_view body) {
  auto decode = [](std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out += ' ';
      } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::map<std::string, std::string> out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    const auto eq = pair.find('=');
    out[decode(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return out;
}

std::string page(const std::string& title, const std::string& content) {
  return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
         html_escape(title) +
         "</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
         "color:#1d2433}label{display:block;margin-top:1rem;font-weight:600}input,textarea{width:100%;padding:.5rem;"
         "font:inherit;border:1px solid #b8c0cc;border-radius:6px;box-sizing:border-box}textarea{min-height:10rem}"
         "select{width:100%;padding:.5rem;font:inherit}"
         "button{margin-top:1.5rem;padding:.6rem 1.4rem;font:inherit;background:#2456d6;color:#fff;border:0;"
         "border-radius:6px}.error{background:#fdecea;border:1px solid #f5b7b1;padding:.75rem;border-radius:6px}"
         "</style></head><body>" +
         content + "</body></html>";
}

// The custom fields the form asks for (config `fields:` with `form: true`),
// named "field.NAME", after the message.
std::string custom_inputs(const std::vector<AttributeSpec>& specs, const std::map<std::string, std::string>& values) {
  std::string html;
  for (const AttributeSpec& spec : specs) {
    if (!spec.form) continue;
    const std::string name = "field." + spec.name;
    auto it = values.find(name);
    const std::string value = it == values.end() ? std::string() : html_escape(it->second);
    const std::string id = "field-" + spec.name;
    const std::string label = html_escape(spec.label.empty() ? spec.name : spec.label);
    if (spec.type == AttributeType::kBoolean) {
      html += "<label for=\"" + id + "\"><input id=\"" + id + "\" name=\"" + name +
              "\" type=\"checkbox\" value=\"true\" style=\"width:auto\"" + (value == "true" ? " checked" : "") + "> " +
              label + "</label>";
      continue;
    }
    html += "<label for=\"" + id + "\">" + label + " <small>(optional)</small></label>";
    if (spec.type == AttributeType::kOneOf) {
      html += "<select id=\"" + id + "\" name=\"" + name + "\"><option value=\"\"></option>";
      for (const std::string& v : spec.values) {
        html += "<option" + std::string(html_escape(v) == value ? " selected" : "") + ">" + html_escape(v) + "</option>";
      }
      html += "</select>";
      continue;
    }
    const char* type = spec.type == AttributeType::kNumber ? "number\" step=\"any"
                       : spec.type == AttributeType::kDate ? "date"
                                                           : "text";
    html += "<input id=\"" + id + "\" name=\"" + name + "\" type=\"" + type + "\" maxlength=\"1000\" value=\"" +
            value + "\">";
  }
  return html;
}

std::string form_page(const std::map<std::string, std::string>& values, const std::string& error,
                      const std::vector<AttributeSpec>& fields = {}) {
  auto value = [&](const char* k) {
    auto it = values.find(k);
    return it == values.end() ? std::string() : html_escape(it->second);
  };
  std::string html = "<h1>Contact support</h1>";
  if (!error.empty()) html += "<p class=\"error\" role=\"alert\">" + html_escape(error) + "</p>";
  html += "<form method=\"post\" action=\"/support\">"
          "<label for=\"name\">Your name</label><input id=\"name\" name=\"name\" maxlength=\"200\" value=\"" +
          value("name") +
          "\"><label for=\"email\">E-mail</label><input id=\"email\" name=\"email\" type=\"email\" required "
          "maxlength=\"254\" value=\"" +
          value("email") +
          "\"><label for=\"subject\">Subject</label><input id=\"subject\" name=\"subject\" required maxlength=\"200\" "
          "value=\"" +
          value("subject") +
          "\"><label for=\"message\">How can we help?</label><textarea id=\"message\" name=\"message\" required "
          "maxlength=\"20000\">" +
          value("message") + "</textarea>" + custom_inputs(fields, values) +
          "<button type=\"submit\">Send</button></form>";
  return page("Contact support", html);
}

// The form's pages: no script at all, their one inline style, posts only
// to this server, never in a frame.
Response html(int status, std::string body) {
  Response r{status, nullptr,
             {{"Content-Security-Policy",
               "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
               "base-uri 'none'"},
              {"X-Content-Type-Options", "nosniff"},
              {"Referrer-Policy", "no-referrer"}}};
  r.text = std::move(body);
  return r;
}

}  // namespace

namespace {

const std::vector<AttributeSpec>& ticket_fields(intake::Intake& intake) {
  static const std::vector<AttributeSpec> kNone;
  return intake.directory() ? intake.directory()->settings().ticket_fields : kNone;
}

// The form's custom fields as typed values (empty inputs left out); a
// number that is not one is refused naming the field's label.
std::string read_custom_fields(const std::vector<AttributeSpec>& specs, const std::map<std::string, std::string>& values,
                               Attributes& out) {
  for (const AttributeSpec& spec : specs) {
    if (!spec.form) continue;
    auto it = values.find("field." + spec.name);
    if (it == values.end() || it->second.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string& v = it->second;
    const std::string label = spec.label.empty() ? spec.name : spec.label;
    if (spec.type == AttributeType::kNumber) {
      char* end = nullptr;
      const double d = std::strtod(v.c_str(), &end);
      if (end != v.c_str() + v.size()) return label + " must be a number.";
      out[spec.name] = d;
    } else if (spec.type == AttributeType::kBoolean) {
      out[spec.name] = v == "true" || v == "on";
    } else {
      out[spec.name] = v;
    }
  }
  return {};
}

}  // namespace

Response Api::support_form(Request&) { return html(200, form_page({}, "", ticket_fields(intake_))); }

Response Api::support_submit(Request& r) {
  const auto& specs = ticket_fields(intake_);
  if (!r.content_type.starts_with("application/x-www-form-urlencoded")) {
    return html(415, form_page({}, "Please send the form from this page.", specs));
  }
  auto values = parse_form(r.body);
  auto field = [&](const char* k) {
    auto it = values.find(k);
    return it == values.end() ? std::string() : it->second;
  };
  const std::string name = field("name"), email = field("email"), subject = field("subject"), message = field("message");
  std::string error;
  if (!notify::is_plain_address(email)) {
    error = "Please give an e-mail address we can answer to.";
  } else if (subject.find_first_not_of(" \t\r\n") == std::string::npos || subject.size() > 200) {
    error = "Please give a subject (at most 200 characters).";
  } else if (message.find_first_not_of(" \t\r\n") == std::string::npos || message.size() > 20000) {
    error = "Please describe the problem (at most 20,000 characters).";
  } else if (name.size() > 200) {
    error = "Your name is too long.";
  }
  Attributes custom;
  if (error.empty()) error = read_custom_fields(specs, values, custom);
  if (!error.empty()) return html(422, form_page(values, error, specs));

  TicketInput in;
  in.source = "web";
  in.ticket.channel = Channel::kWeb;
  in.ticket.subject = notify::header_text(subject);
  in.ticket.body = message;
  in.ticket.requester.email = email;
  in.ticket.requester.name = notify::header_text(name);
  in.ticket.fields = std::move(custom);
  auto view = intake_.create(std::move(in));
  if (!view) {
    // A fault of ours is not shown as it came (it may carry the database's words).
    if (view.error().kind == ErrorKind::kUnavailable) {
      return html(503, form_page(values, "We could not take your request just now; please try again in a minute.", specs));
    }
    std::string message = view.error().message;
    for (const AttributeSpec& spec : specs) {
      if (view.error().field == "fields." + spec.name) {
        message = "Please check " + (spec.label.empty() ? spec.name : spec.label) + ": " + message;
      }
    }
    return html(422, form_page(values, message, specs));
  }
  const TicketView& v = *view;
  std::string status;
  if (v.assignee_name) {
    status = html_escape(*v.assignee_name) + " is looking after it.";
  } else if (v.queue_position) {
    status = "You are number " + std::to_string(*v.queue_position) + " in line";
    if (v.expected_wait && v.expected_wait->seconds) {
      status += "; the expected wait is about " +
                std::to_string(std::max<long>(1, std::lround(*v.expected_wait->seconds / 60))) + " minutes";
    }
    status += ".";
  } else {
    status = "Our team will pick it up shortly.";
  }
  const std::string id = std::to_string(v.ticket.id.value);
  return html(201, page("Request #" + id,
                        "<h1>Thank you</h1><p>Your request <strong>" + html_escape(v.ticket.subject) +
                            "</strong> is ticket <strong id=\"ticket\">#" + id + "</strong>.</p><p id=\"status\">" +
                            status + "</p><p>We will answer to " + html_escape(email) +
                            "; please keep [#" + id + "] in the subject if you write again.</p>"));
}

}  // namespace sb::http
