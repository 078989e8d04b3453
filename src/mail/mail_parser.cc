#include "mail/mail_parser.h"

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "core/customer.h"

namespace sb::mail {
namespace {

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
    xmlInitParser();
  });
}

std::string lower(std::string_view s) { return ascii_lower(s); }

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string bounded(const char* s, std::size_t max, ParsedMail& out, const char* what) {
  if (!s) return {};
  std::string v = s;
  if (v.size() > max) {
    v.resize(max);
    out.problems.push_back(std::string(what) + " longer than " + std::to_string(max) + " bytes: cut");
  }
  // Never let a value carry line breaks further (subjects, names end up in headers and logs).
  std::replace_if(v.begin(), v.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return v;
}

std::vector<std::string> parse_ids(const char* header) {
  std::vector<std::string> out;
  if (!header) return out;
  GMimeReferences* refs = g_mime_references_parse(nullptr, header);
  if (!refs) return out;
  for (int i = 0; i < g_mime_references_length(refs) && i < 100; ++i) {
    if (const char* id = g_mime_references_get_message_id(refs, i)) out.emplace_back(id);
  }
  g_mime_references_free(refs);
  return out;
}

// Decoded content of a leaf part, at most `max` bytes.
std::string decoded_bytes(GMimePart* part, std::size_t max, std::size_t* full_size) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (!content) return {};
  GMimeStream* mem = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(content, mem);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
  *full_size = bytes->len;
  std::string out(reinterpret_cast<const char*>(bytes->data), std::min<std::size_t>(bytes->len, max));
  g_object_unref(mem);
  return out;
}

struct Walk {
  const MailLimits& limits;
  ParsedMail& out;
  int parts = 0;
  std::string plain, html;

  void visit(GMimeObject* obj, int depth) {
    if (!obj) return;
    if (depth > limits.max_depth) {
      out.problems.push_back("MIME nesting deeper than " + std::to_string(limits.max_depth) + ": the rest skipped");
      return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
      GMimeMultipart* mp = GMIME_MULTIPART(obj);
      GMimeContentType* ct = g_mime_object_get_content_type(obj);
      if (ct && g_mime_content_type_is_type(ct, "multipart", "report")) {
        const char* rt = g_mime_content_type_get_parameter(ct, "report-type");
        if (rt && lower(rt) == "delivery-status") out.bounce = true;
      }
      const int n = g_mime_multipart_get_count(mp);
      for (int i = 0; i < n; ++i) visit(g_mime_multipart_get_part(mp, i), depth + 1);
      return;
    }
    if (++parts > limits.max_parts) {
      if (parts == limits.max_parts + 1) {
        out.problems.push_back("more than " + std::to_string(limits.max_parts) + " MIME parts: the rest skipped");
      }
      return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
      // An attached message (forwarded mail, a bounce's original): metadata only.
      out.attachments.push_back({"message.eml", "message/rfc822", 0});
      if (limits.keep_attachment_bytes) {
        GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        char* text = inner ? g_mime_object_to_string(GMIME_OBJECT(inner), nullptr) : nullptr;
        out.attachment_bytes.emplace_back(text ? text : "");
        out.attachments.back().size = static_cast<std::int64_t>(out.attachment_bytes.back().size());
        g_free(text);
      }
      return;
    }
    if (!GMIME_IS_PART(obj)) return;
    GMimePart* part = GMIME_PART(obj);
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    const std::string type = ct ? lower(std::string(g_mime_content_type_get_media_type(ct) ? g_mime_content_type_get_media_type(ct) : "") + "/" +
                                        (g_mime_content_type_get_media_subtype(ct) ? g_mime_content_type_get_media_subtype(ct) : ""))
                                : "text/plain";
    const char* filename = g_mime_part_get_filename(part);
    const bool attachment = g_mime_part_is_attachment(part) || filename;
    if (!attachment && GMIME_IS_TEXT_PART(obj) && (type == "text/plain" || type == "text/html")) {
      std::string& into = type == "text/plain" ? plain : html;
      if (!into.empty()) return;  // the first of each kind
      char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(obj));  // converted to UTF-8
      if (text) {
        into = text;
        g_free(text);
      }
      if (into.size() > limits.max_text) {
        into.resize(limits.max_text);
        out.problems.push_back("body text over " + std::to_string(limits.max_text) + " bytes: cut");
      }
      return;
    }
    std::size_t size = 0;
    std::string bytes = decoded_bytes(part, limits.keep_attachment_bytes ? limits.max_bytes : 0, &size);
    if (limits.keep_attachment_bytes) out.attachment_bytes.push_back(std::move(bytes));
    out.attachments.push_back({bounded(filename ? filename : "attachment", 255, out, "attachment name"), type,
                               static_cast<std::int64_t>(size)});
  }
};

}  // namespace

std::string html_to_text(std::string_view html) {
  init();
  if (html.empty()) return {};
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(std::min<std::size_t>(html.size(), 1u << 24)), nullptr,
                                  "UTF-8", HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
  if (!doc) return {};
  std::string out;
  auto newline = [&] {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (!out.empty() && out.back() != '\n') out += '\n';
  };
  // Iterative walk: no recursion depth to exhaust on hostile nesting.
  std::vector<std::pair<xmlNodePtr, bool>> stack{{xmlDocGetRootElement(doc), false}};
  while (!stack.empty()) {
    auto [node, leaving] = stack.back();
    stack.pop_back();
    if (!node) continue;
    const std::string name = node->name ? lower(reinterpret_cast<const char*>(node->name)) : "";
    const bool block = name == "p" || name == "div" || name == "br" || name == "li" || name == "tr" || name == "h1" ||
                       name == "h2" || name == "h3" || name == "h4" || name == "blockquote" || name == "pre" ||
                       name == "table" || name == "ul" || name == "ol";
    if (leaving) {
      if (block) newline();
      continue;
    }
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      const char* c = reinterpret_cast<const char*>(node->content);
      for (; c && *c; ++c) {
        const bool space = *c == ' ' || *c == '\t' || *c == '\n' || *c == '\r';
        if (space) {
          if (!out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
        } else {
          out += *c;
        }
      }
      continue;
    }
    if (node->type != XML_ELEMENT_NODE && node->type != XML_DOCUMENT_NODE && node->type != XML_HTML_DOCUMENT_NODE) {
      continue;
    }
    if (name == "script" || name == "style" || name == "head" || name == "title") continue;
    if (block) newline();
    stack.push_back({node, true});
    std::vector<xmlNodePtr> children;
    for (xmlNodePtr ch = node->children; ch; ch = ch->next) children.push_back(ch);
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back({*it, false});
  }
  xmlFreeDoc(doc);
  // &nbsp; arrives as U+00A0: make it a plain space.
  for (std::size_t at; (at = out.find("\xC2\xA0")) != std::string::npos;) out.replace(at, 2, " ");
  return trim(out);
}

namespace {

// Valid UTF-8 without NUL: bytes a message declared in no charset (or a
// wrong one) become U+FFFD, so that every store and every JSON writer takes
// the text.
std::string valid_text(const std::string& s) {
  std::string in = s;
  std::replace(in.begin(), in.end(), '\0', ' ');
  if (g_utf8_validate(in.data(), static_cast<gssize>(in.size()), nullptr)) return in;
  gchar* valid = g_utf8_make_valid(in.data(), static_cast<gssize>(in.size()));
  std::string out(valid);
  g_free(valid);
  return out;
}

ParsedMail parse_raw(std::string_view raw, const MailLimits& limits) {
  init();
  ParsedMail out;
  if (raw.size() > limits.max_bytes) {
    out.problems.push_back("message over " + std::to_string(limits.max_bytes) + " bytes: cut");
    raw = raw.substr(0, limits.max_bytes);
  }
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* msg = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  g_object_unref(stream);
  if (!msg) {
    out.problems.push_back("not an RFC 5322 message: kept as text");
    out.subject = "(unreadable message)";
    out.text = std::string(raw.substr(0, limits.max_text));
    return out;
  }
  GMimeObject* root = GMIME_OBJECT(msg);
  if (const char* id = g_mime_message_get_message_id(msg)) out.message_id = bounded(id, 998, out, "Message-ID");
  const auto in_reply_to = parse_ids(g_mime_object_get_header(root, "In-Reply-To"));
  if (!in_reply_to.empty()) out.in_reply_to = in_reply_to.front();
  out.references = parse_ids(g_mime_object_get_header(root, "References"));
  if (InternetAddressList* from = g_mime_message_get_from(msg); from && internet_address_list_length(from) > 0) {
    InternetAddress* a = internet_address_list_get_address(from, 0);
    if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
      out.from_address = lower(bounded(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)), 254, out, "From"));
    }
    out.from_name = bounded(internet_address_get_name(a), 200, out, "From name");
  }
  if (out.from_address.empty()) out.problems.push_back("no From address");
  out.subject = trim(bounded(g_mime_message_get_subject(msg), limits.max_header, out, "Subject"));
  if (GDateTime* d = g_mime_message_get_date(msg)) out.date = from_millis(g_date_time_to_unix(d) * 1000);

  // Automatic mail (RFC 3834 and the usual vendor headers) and bounces.
  const std::string auto_submitted = lower(trim(g_mime_object_get_header(root, "Auto-Submitted") ? g_mime_object_get_header(root, "Auto-Submitted") : ""));
  const std::string precedence = lower(trim(g_mime_object_get_header(root, "Precedence") ? g_mime_object_get_header(root, "Precedence") : ""));
  out.auto_submitted = (!auto_submitted.empty() && auto_submitted != "no") || precedence == "bulk" ||
                       precedence == "list" || precedence == "junk" || g_mime_object_get_header(root, "X-Autoreply") ||
                       g_mime_object_get_header(root, "X-Autorespond");
  const std::string local = out.from_address.substr(0, out.from_address.find('@'));
  if (local == "mailer-daemon" || local == "postmaster") out.bounce = true;

  Walk walk{limits, out};
  walk.visit(g_mime_message_get_mime_part(msg), 0);
  out.text = !walk.plain.empty() ? trim(walk.plain) : html_to_text(walk.html);
  if (out.bounce) out.auto_submitted = true;
  g_object_unref(msg);
  return out;
}

}  // namespace

ParsedMail parse_mail(std::string_view raw, const MailLimits& limits) {
  ParsedMail out = parse_raw(raw, limits);
  for (std::string* s : {&out.message_id, &out.in_reply_to, &out.from_address, &out.from_name, &out.subject, &out.text}) {
    *s = valid_text(*s);
  }
  for (std::string& r : out.references) r = valid_text(r);
  for (Attachment& a : out.attachments) {
    a.name = valid_text(a.name);
    a.content_type = valid_text(a.content_type);
  }
  return out;
}

std::vector<std::string> split_mbox(std::string_view mbox) {
  std::vector<std::string> out;
  std::string current;
  bool started = false;
  std::size_t pos = 0;
  while (pos < mbox.size()) {
    std::size_t end = mbox.find('\n', pos);
    if (end == std::string_view::npos) end = mbox.size();
    std::string_view line = mbox.substr(pos, end - pos);
    pos = end + 1;
    if (line.starts_with("From ")) {
      if (started) out.push_back(std::move(current));
      current.clear();
      started = true;
      continue;
    }
    if (!started) continue;
    // mboxrd: ">From " (and ">>From ") lost one '>' when stored.
    std::size_t quotes = 0;
    while (quotes < line.size() && line[quotes] == '>') ++quotes;
    if (quotes > 0 && line.substr(quotes).starts_with("From ")) line.remove_prefix(1);
    current.append(line);
    current += '\n';
  }
  if (started) out.push_back(std::move(current));
  return out;
}

}  // namespace sb::mail
