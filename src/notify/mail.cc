#include "notify/mail.h"

#include <gmime/gmime.h>

#include <mutex>

#include "core/ticket.h"

namespace sb::notify {
namespace {

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace

std::string header_text(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  const auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

bool is_plain_address(const std::string& s) { return is_email_address(s); }

std::string address_of(const std::string& mailbox) {
  const auto open = mailbox.rfind('<');
  const auto close = mailbox.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    return mailbox.substr(open + 1, close - open - 1);
  }
  return header_text(mailbox);
}

std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  return at == std::string::npos ? std::string("localhost") : address.substr(at + 1);
}

std::string build_mail(const OutboundMail& mail) {
  init_gmime();
  GMimeMessage* m = g_mime_message_new(TRUE);
  if (InternetAddressList* from = internet_address_list_parse(nullptr, header_text(mail.from).c_str())) {
    internet_address_list_append(g_mime_message_get_from(m), from);
    g_object_unref(from);
  }
  g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO, header_text(mail.to_name).c_str(),
                             header_text(mail.to_address).c_str());
  g_mime_message_set_subject(m, header_text(mail.subject).c_str(), "utf-8");
  GDateTime* date = g_date_time_new_from_unix_utc(to_millis(mail.date) / 1000);
  g_mime_message_set_date(m, date);
  g_date_time_unref(date);
  g_mime_message_set_message_id(m, header_text(mail.message_id).c_str());
  GMimeObject* root = GMIME_OBJECT(m);
  if (!mail.in_reply_to.empty()) {
    const std::string ref = "<" + header_text(mail.in_reply_to) + ">";
    g_mime_object_set_header(root, "In-Reply-To", ref.c_str(), nullptr);
    std::string refs;
    for (const std::string& r : mail.references) refs += (refs.empty() ? "<" : " <") + header_text(r) + ">";
    g_mime_object_set_header(root, "References", refs.empty() ? ref.c_str() : refs.c_str(), nullptr);
  }
  if (mail.automatic) g_mime_object_set_header(root, "Auto-Submitted", "auto-generated", nullptr);
  if (!mail.ticket_ref.empty()) {
    g_mime_object_set_header(root, "X-Switchboard-Ticket", header_text(mail.ticket_ref).c_str(), nullptr);
  }

  GMimeTextPart* part = g_mime_text_part_new_with_subtype("plain");
  g_mime_text_part_set_text(part, mail.body.c_str());  // picks the smallest charset that fits
  // 7-bit clean on the wire, for relays without 8BITMIME.
  g_mime_part_set_content_encoding(
      GMIME_PART(part), g_mime_part_get_best_content_encoding(GMIME_PART(part), GMIME_ENCODING_CONSTRAINT_7BIT));
  if (mail.files.empty()) {
    g_mime_message_set_mime_part(m, GMIME_OBJECT(part));
  } else {
    // The text, then each file as a base64 attachment.
    GMimeMultipart* mixed = g_mime_multipart_new_with_subtype("mixed");
    g_mime_multipart_add(mixed, GMIME_OBJECT(part));
    for (const OutboundMail::File& f : mail.files) {
      const std::string type = f.content_type.find('/') != std::string::npos ? f.content_type : "application/octet-stream";
      const std::string media = type.substr(0, type.find('/')), sub = type.substr(type.find('/') + 1);
      GMimePart* file = g_mime_part_new_with_type(header_text(media).c_str(), header_text(sub).c_str());
      g_mime_part_set_filename(file, header_text(f.name).c_str());
      g_mime_object_set_disposition(GMIME_OBJECT(file), GMIME_DISPOSITION_ATTACHMENT);
      GMimeStream* bytes = g_mime_stream_mem_new_with_buffer(f.content.data(), f.content.size());
      GMimeDataWrapper* wrapper = g_mime_data_wrapper_new_with_stream(bytes, GMIME_CONTENT_ENCODING_DEFAULT);
      g_mime_part_set_content(file, wrapper);
      g_mime_part_set_content_encoding(file, GMIME_CONTENT_ENCODING_BASE64);
      g_object_unref(wrapper);
      g_object_unref(bytes);
      g_mime_multipart_add(mixed, GMIME_OBJECT(file));
      g_object_unref(file);
    }
    g_mime_message_set_mime_part(m, GMIME_OBJECT(mixed));
    g_object_unref(mixed);
  }
  g_object_unref(part);

  GMimeFormatOptions* options = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  char* text = g_mime_object_to_string(root, options);
  std::string out = text ? text : "";
  g_free(text);
  g_mime_format_options_free(options);
  g_object_unref(m);
  return out;
}

}  // namespace sb::notify
